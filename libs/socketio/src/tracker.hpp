#pragma once

#include <cstddef>
#include <functional>

namespace kibitz::socketio::detail {

// Counts the socket objects of one namespace, shared by the namespace and each of its sockets
// (which may outlive the namespace's map entry for a moment). When the count drops to zero,
// `on_idle` runs; the namespace clears it when it is destroyed.
struct nsp_tracker {
    std::size_t live = 0;
    std::function<void()> on_idle;

    void released() {
        if (live > 0) --live;
        if (live == 0 && on_idle) on_idle();
    }
};

} // namespace kibitz::socketio::detail
