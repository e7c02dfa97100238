#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace kibitz::engineio {
class socket;
}

namespace kibitz::socketio {

class socket;
class nsp;

// Read-only notifications of what a server does, for instruments (the Admin UI, metrics): every
// namespace, every socket and every room, without hooking each namespace. Each member may be
// empty. They run on the server's thread, synchronously, in the middle of the server's own work
// (a room change runs inside the adapter): an observer only reads and records, and defers
// anything that sends, joins or disconnects to a later loop turn (asio::post). An exception
// escaping an observer is a bug of the observer: it is not contained.
struct server_observer {
    // A new Engine.IO session (Node's engine "connection"), and its end with the engine.io
    // close reason (wire.hpp).
    std::function<void(engineio::socket const& conn)> engine_opened;
    std::function<void(std::string_view reason)> engine_closed;
    // A socket has joined its namespace (its CONNECT reply is queued), before the namespace's
    // connection handlers run; and it left, with its disconnect reason.
    std::function<void(socket& s)> socket_connected;
    std::function<void(socket& s, std::string_view reason)> socket_disconnected;
    // This server's socket `sid` of namespace `n` joined or left `room` (its own room too).
    std::function<void(nsp& n, std::string const& room, std::string const& sid)> room_joined;
    std::function<void(nsp& n, std::string const& room, std::string const& sid)> room_left;
    // A namespace came to exist (a static one, or a dynamic child).
    std::function<void(nsp& n)> namespace_created;
};

// Names a registered observer for server::unobserve.
using observer_id = std::uint64_t;

// Socket.IO packets and their bytes since the server started, counted where they leave or
// arrive (one Engine.IO message each; attachments count as packets of their own). Plain
// counters on the server's thread: reading them costs nothing, counting one add each.
struct traffic_counters {
    std::uint64_t packets_in = 0;
    std::uint64_t bytes_in = 0;
    std::uint64_t packets_out = 0;
    std::uint64_t bytes_out = 0;
};

} // namespace kibitz::socketio
