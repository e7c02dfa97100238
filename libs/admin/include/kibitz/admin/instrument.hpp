#pragma once

#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::socketio {
class server;
}

namespace kibitz::admin {

enum class auth_mode {
    basic, // handshake.auth {username, password} against a bcrypt hash, then {sessionId}
    off,   // anyone who reaches the namespace is admin: explicit only
};

enum class mode {
    production,  // config, server_stats and the commands
    development, // also all_sockets and every socket's connects, rooms and events
};

// Login sessions shared by the nodes of a cluster, as Node's RedisStore shares them (the UI
// reloaded, or moved by the load balancer, comes back with {sessionId} to any node): `save(id)`
// keeps a new session; `exists(id, done)` asks for one this node does not know (`done(false)`
// on any failure: the UI then logs in again). Both empty: sessions are this node's own, as
// with Node's default InMemoryStore.
struct session_store {
    std::function<void(std::string const& id)> save;
    std::function<void(std::string const& id, std::function<void(bool)> done)> exists;
};

// What @socket.io/admin-ui's instrument(io, options) takes, for a Kibitz server.
struct options {
    std::string namespace_name = "/admin";
    auth_mode auth = auth_mode::basic;
    std::string username;      // basic: compared exactly
    std::string password_hash; // basic: a bcrypt hash (is_bcrypt_hash)
    bool readonly = false;     // no commands (emit, join, leave, _disconnect)
    admin::mode mode = mode::development;
    // Names this server in the UI: unique per node (the UI keys servers by it). Empty:
    // "<hostname>#<pid>".
    std::string server_id;
    util::duration stats_interval{2000};
    // Login sessions kept (the UI reconnects with {sessionId}); the oldest go first.
    std::size_t max_sessions = 1000;
    // Sessions across nodes (session_store); empty: this node's only.
    session_store shared_sessions;
    // Password checks waiting for the verifier thread; one more is refused.
    std::size_t max_pending_logins = 8;
    // Wall-clock ms since the Unix epoch, for the events' timestamps (a test gives its own).
    std::function<std::int64_t()> wall_clock = util::unix_ms;
};

// Why `o` cannot be used (basic auth without a username or with an invalid hash, an empty
// namespace name, a zero interval), or nullopt.
std::optional<std::string> validate(options const& o);

// The Admin UI's server side (@socket.io/admin-ui 0.5.1 instrument()) on a Socket.IO server,
// through its public API only: the admin namespace with its auth middleware, `config` and
// (development) `all_sockets` to each admin socket, `server_stats` every stats_interval and
// (development) socket_connected / socket_updated / socket_disconnected / room_joined /
// room_left / event_received / event_sent to the namespace, and the commands. Broadcasts and
// commands go through the namespaces' adapters, so with a cluster adapter a UI on one node sees
// and acts on every node. Create it on the loop thread after the server, before listening;
// destroy it before the server. Throws std::invalid_argument when validate(o) fails.
class instrument {
public:
    instrument(socketio::server& io, options o);
    ~instrument();
    instrument(instrument const&) = delete;
    instrument& operator=(instrument const&) = delete;

    std::string const& server_id() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace kibitz::admin
