#pragma once

#include "guard.hpp"

#include <kibitz/socketio/socket.hpp>

#include <string_view>
#include <utility>

namespace kibitz::socketio {

// Runs a user handler; when it throws, logs and disconnects this socket. False if it threw.
template<class F>
bool socket::guarded(std::string_view what, std::string_view name, F&& fn) {
    if (detail::run_guarded(what, name, std::forward<F>(fn))) return true;
    disconnect();
    return false;
}

} // namespace kibitz::socketio
