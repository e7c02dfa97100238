#pragma once

#include <kibitz/socketio/adapter.hpp>
#include <kibitz/socketio/broadcast.hpp>
#include <kibitz/socketio/handler.hpp>

#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace kibitz::socketio {

// Node's RemoteSocket: a socket that fetch_remote_sockets found, on this server or another
// (through a cluster adapter), as it was then (id, handshake, rooms, data), with methods that
// reach it through the namespace's adapter: each is a broadcast to the socket's own room, so it
// does nothing once the socket is gone. Holds a reference to its namespace (do not keep one of
// a dynamic child across loop turns). Server thread only.
class remote_socket {
public:
    remote_socket(nsp& n, socket_info info) : nsp_(&n), info_(std::move(info)) {}

    std::string const& id() const { return info_.id; }
    socketio::handshake const& handshake() const { return info_.handshake; }
    std::set<std::string> const& rooms() const { return info_.rooms; }
    json const& data() const { return info_.data; }
    socket_info const& info() const { return info_; }

    // As socket::emit: each of `args` is one argument.
    template<class... Args>
    void emit(std::string_view event, Args&&... args) const {
        emit_args(event, detail::pack_arguments(std::forward<Args>(args)...));
    }
    void emit_args(std::string_view event, json args) const {
        self().emit_args(event, std::move(args));
    }
    void join(std::string room) const { self().sockets_join(std::move(room)); }
    void leave(std::string room) const { self().sockets_leave(std::move(room)); }
    void disconnect(bool close = false) const { self().disconnect_sockets(close); }

private:
    broadcast_operator self() const { return broadcast_operator(*nsp_).to(info_.id); }

    nsp* nsp_;
    socket_info info_;
};

} // namespace kibitz::socketio
