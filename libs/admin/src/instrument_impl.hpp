#pragma once

#include <kibitz/admin/event_buffer.hpp>
#include <kibitz/admin/instrument.hpp>
#include <kibitz/admin/verifier.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/observer.hpp>
#include <kibitz/socketio/server.hpp>

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace kibitz::admin {

// Puts {"_admin": {clientId, transport}} (serialize.hpp) into the socket's data, when its data
// is an object (or null): fetch_sockets carries it to the other nodes' UIs.
void ensure_admin_data(socketio::socket& s);

// The state of one instrument, owned by the loop thread. Work it defers (posted emits, the
// stats timer, verifier answers) holds a weak_ptr and does nothing once it is gone.
struct instrument::impl : std::enable_shared_from_this<impl> {
    impl(socketio::server& io, options o);

    void start();
    void stop();

    // Auth (instrument.cpp).
    void authenticate(socketio::socket& s, socketio::next_fn next);
    // The password check of a login; `sid`: the socket's id, for its `session` emit.
    void check_password(std::string const& sid, json const& auth, socketio::next_fn next);
    std::string new_session();
    // A session id known here from now on (made here, or found in the shared store).
    void remember(std::string const& id);

    // The admin socket's connection: config, all_sockets, commands (instrument_commands.cpp).
    void on_admin_connection(socketio::socket_ptr s);
    void register_commands(socketio::socket& s);
    void send_all_sockets(socketio::socket_ptr s);

    // Stats (instrument.cpp).
    void arm_stats_timer();
    void emit_stats();
    void check_transports();

    // Observer (instrument.cpp): what happens on the server, recorded and emitted later.
    socketio::server_observer make_observer();
    void on_socket_connected(socketio::socket& s);
    // Runs `fn` on a later loop turn if this instrument still exists then.
    void later(std::function<void(impl&)> fn);
    // Emits to every admin socket of the cluster, on a later turn.
    void broadcast_later(std::string event, json args);

    socketio::server& io_;
    options opts_;
    std::string server_id_;
    std::string hostname_;
    socketio::nsp& admin_;
    bool development_;
    event_buffer events_;
    socketio::traffic_counters last_traffic_;
    socketio::observer_id observer_ = 0;
    util::time_point started_;
    net::asio::steady_timer timer_;
    std::unique_ptr<verifier> verifier_;
    std::unordered_set<std::string> sessions_;
    std::deque<std::string> session_order_;
    // Sessions made by a login whose socket has not connected yet (socket id -> session id):
    // the socket gets `session` first thing once connected. At most 64 entries.
    std::unordered_map<std::string, std::string> pending_sessions_;
    // Development: this server's sockets and the transport last shown, to tell the UI of
    // upgrades (socket_updated) at the next stats.
    struct tracked {
        std::weak_ptr<socketio::socket> socket;
        std::string transport;
    };
    std::unordered_map<socketio::socket const*, tracked> tracked_;
};

} // namespace kibitz::admin
