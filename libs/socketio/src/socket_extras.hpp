#pragma once

#include <kibitz/socketio/socket.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace kibitz::socketio {

// The parts of a socket that few use, allocated by the first use (socket::more()): a socket
// with plain event listeners only (most) carries none of them.
struct socket::extras {
    std::vector<listener<any_handler>> any;
    std::vector<listener<outgoing_handler>> any_outgoing;
    std::vector<packet_middleware> packet_middlewares;
    error_handler on_error;
    disconnect_handler on_disconnecting;
    // The acks the client owes, at most server_options::max_pending_acks. An entry goes when its
    // ack arrives or its timer fires, whichever is first; the handler runs once either way.
    std::unordered_map<std::uint64_t, pending_ack> acks;
};

inline socket::extras& socket::more() {
    if (!extras_) extras_ = std::make_unique<extras>();
    return *extras_;
}

} // namespace kibitz::socketio
