#pragma once

#include <cstddef>
#include <functional>

namespace kibitz::socketio::detail {

// Counts the socket objects of one namespace, shared by the namespace and each of its sockets
// (which may outlive the namespace's map entry for a moment). When the count drops to zero,
// `on_idle` runs; the namespace clears it when it is destroyed.
struct nsp_tracker {
    std::size_t live = 0;
    // How many of them have an outgoing listener (socket::on_any_outgoing): while none has,
    // broadcasts skip the listeners' path (adapter_context::outgoing_watched).
    std::size_t watching_outgoing = 0;
    std::function<void()> on_idle;

    void released() {
        if (live > 0) --live;
        if (live == 0 && on_idle) on_idle();
    }
};

} // namespace kibitz::socketio::detail
