#pragma once

#include <kibitz/engineio/options.hpp>
#include <kibitz/engineio/server.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/socketio/adapter.hpp>
#include <kibitz/socketio/counters.hpp>
#include <kibitz/socketio/decoder.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/observer.hpp>
#include <kibitz/socketio/remote_socket.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/socketio/types.hpp>

#include <concepts>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace kibitz::socketio {

// Server options, named after Node's ServerOptions.
struct server_options {
    // Engine.IO options; the path defaults to "/socket.io/".
    engineio::options engine = default_engine();
    // A session that joins no namespace within this time is closed ("forced server close"), and
    // so is one that has left every namespace it joined and joins none again in this time.
    util::duration connect_timeout{45000};
    // A CONNECT naming a longer namespace (in bytes) is refused with "Invalid namespace" before
    // any lookup, regex or predicate sees it.
    std::size_t max_namespace_length = 256;
    // Namespaces one connection may have joined or be joining at once; a CONNECT past it is
    // refused with "Too many namespaces".
    std::size_t max_namespaces_per_client = 16;
    // A CONNECT whose auth payload, as JSON text, is longer is refused with
    // "Auth payload too large" (the auth is kept for the socket's life, in handshake().auth).
    std::size_t max_auth_bytes = 8192;
    // Child namespaces of the dynamic parents (of(regex), of(predicate)) that may exist at once;
    // a CONNECT that would create one more is refused with "Too many namespaces".
    std::size_t max_child_namespaces = 10000;
    // Acks one socket may owe the server (emit_with_ack, broadcasts with ack); past it,
    // emit_with_ack fails at once with std::errc::no_buffer_space and a broadcast skips it.
    std::size_t max_pending_acks = 1000;
    // Events one socket may have inside its per-packet middlewares at once (socket::use): a
    // middleware that calls `next` later, or keeps it, holds one. One more event disconnects
    // the socket (logged), so a client cannot pile events up behind a slow middleware.
    std::size_t max_events_in_middleware = 1000;
    // A child namespace is removed once no socket of it is left (Node's
    // cleanupEmptyChildNamespaces, off by default there): names are client input.
    bool cleanup_empty_child_namespaces = true;
    // Off when empty (recovery_options: adapter.hpp).
    std::optional<recovery_options> connection_state_recovery;
    // Limits on what a client sends (attachment bytes follow engine.max_payload); the msgpack
    // parser keeps the same nesting, value and payload rules.
    decoder_limits limits;
    parser_kind parser = parser_kind::json;
    // Serve socket.io.js and its siblings at <path>socket.io.js, from this folder (the
    // socket.io-client package's dist/): the bundles of `parser` only (json: socket.io.js,
    // .min.js, .esm.min.js and their maps; msgpack: socket.io.msgpack.min.js and its map); the
    // others are not served (Engine.IO's 400, as any other path below it). Empty: none.
    std::string client_dist_dir;
    // The adapter of each namespace (the in-memory one when empty), given its adapter_context.
    adapter_factory make_adapter;

    static engineio::options default_engine() {
        engineio::options o;
        o.path = "/socket.io/";
        return o;
    }
};

// Decides whether a dynamic namespace may exist for this name and CONNECT auth. `name` is at most
// server_options::max_namespace_length bytes of valid UTF-8. An exception it throws counts as
// "no" (logged).
using namespace_predicate = std::function<bool(std::string const& name, json const& auth)>;

// A Socket.IO v5 server (spec: socketio/socket.io-protocol) over an Engine.IO server. Create
// it, add namespaces and handlers, mount it on an http::server, run the io_context on one thread.
class server {
public:
    server(boost::asio::io_context& ioc, server_options opts = {});
    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    // The namespace of this name, created on first use ("/" always exists).
    nsp& of(std::string const& name);
    // A dynamic namespace: names matching the regex (or accepted by the predicate) are created
    // when a client first connects to them, with the middlewares and handler of the returned
    // parent. Broadcasting on the parent reaches none: use of(name) for a child (which makes it
    // a namespace of its own, never removed). A child left without sockets is removed when
    // cleanup_empty_child_namespaces is set: hold no reference to one across loop turns.
    nsp& of(std::regex const& pattern);
    nsp& of(namespace_predicate predicate);

    // Shorthands for the main namespace "/".
    nsp& sockets() { return of("/"); }
    void use(middleware m) { sockets().use(std::move(m)); }
    void on_connection(connection_handler h) { sockets().on_connection(std::move(h)); }
    template<class Event, class... Args>
    requires std::convertible_to<Event, std::string_view>
    void emit(Event&& event, Args&&... args) {
        sockets().emit(std::forward<Event>(event), std::forward<Args>(args)...);
    }
    void emit_args(std::string_view event, json args) {
        sockets().emit_args(event, std::move(args));
    }
    broadcast_operator to(std::string room) { return sockets().to(std::move(room)); }
    broadcast_operator in(std::string room) { return sockets().in(std::move(room)); }
    broadcast_operator except(std::string room) { return sockets().except(std::move(room)); }
    broadcast_operator local() { return sockets().local(); }
    broadcast_operator volatile_() { return sockets().volatile_(); }
    broadcast_operator timeout(util::duration d) { return sockets().timeout(d); }
    void fetch_sockets(std::function<void(std::vector<socket_info>)> done) {
        sockets().all().fetch_sockets(std::move(done));
    }
    void fetch_remote_sockets(std::function<void(std::vector<remote_socket>)> done) {
        sockets().all().fetch_remote_sockets(std::move(done));
    }
    void sockets_join(std::string room) { sockets().all().sockets_join(std::move(room)); }
    void sockets_leave(std::string room) { sockets().all().sockets_leave(std::move(room)); }
    void disconnect_sockets(bool close = false) { sockets().all().disconnect_sockets(close); }
    // Cluster shorthands for "/" (nsp::server_side_emit, nsp::on_server_side).
    template<class Event, class... Args>
    requires std::convertible_to<Event, std::string_view>
    void server_side_emit(Event&& event, Args&&... args) {
        sockets().server_side_emit(std::forward<Event>(event), std::forward<Args>(args)...);
    }
    template<class Event, class... Args>
    requires std::convertible_to<Event, std::string_view>
    void server_side_emit_with_ack(Event&& event, Args&&... args) {
        sockets().server_side_emit_with_ack(std::forward<Event>(event),
                                            std::forward<Args>(args)...);
    }
    void server_side_emit_args(std::string_view event, json args = json::array()) {
        sockets().server_side_emit_args(event, std::move(args));
    }
    void server_side_emit_args(std::string_view event, json args, broadcast_ack_handler done) {
        sockets().server_side_emit_args(event, std::move(args), std::move(done));
    }
    void on_server_side(std::string event, nsp::server_side_handler handler) {
        sockets().on_server_side(std::move(event), std::move(handler));
    }

    // Mounts the Engine.IO server at its path on `http` (the client bundle is served there).
    void attach(http::server& http);
    // Disconnects every socket ("server shutting down"), closes every adapter (once:
    // adapter::close) and refuses new sessions.
    void close();

    // Connection state recovery across a restart of this process, on one node. The contract:
    // - export_recovery(), called after close() (so every socket that was connected has left
    //   with "server shutting down", a reason recovery keeps), returns a snapshot of what the
    //   memory adapter of each namespace keeps for recovery: the sessions (id, private id,
    //   rooms, data, the time of the disconnect), the stored packets (offset, rooms, except,
    //   local, the event with its offset last, the time of the emit), and the next offset.
    //   Times are Unix ms, given that it is `unix_now` now: the steady clock does not survive
    //   the process. Namespaces whose adapter is not a memory_adapter (or derived) are left
    //   out. The snapshot holds every kept session's private id: whoever stores it keeps it as
    //   secret as a session token (the kibitz binary writes it 0600).
    // - import_recovery(snapshot, unix_now), on a server with connection state recovery, after
    //   its namespaces exist and before it accepts clients (before any broadcast: a namespace
    //   that handed out an offset already refuses), keeps what the window of this server has
    //   not passed at `unix_now` (a time after `unix_now`, a wall clock stepped back, counts as
    //   now: a restart never lengthens a window), so a client that reconnects with its private
    //   id and last offset is restored as if the server had never gone: same id, its rooms and
    //   data, and the packets meant for it after that offset, once. Offsets go on from the
    //   snapshot's next offset: an old offset is found again and a new one never repeats one.
    //   A namespace in the snapshot that does not exist here is skipped (counted). The whole
    //   snapshot is checked first: bad input (not a snapshot of this format and version, a
    //   field missing or of the wrong type, offsets not increasing) imports nothing and says
    //   why in recovery_import::error; it never throws.
    json export_recovery(std::int64_t unix_now = util::unix_ms()) const;
    recovery_import import_recovery(json const& snapshot, std::int64_t unix_now = util::unix_ms());

    server_options const& opts() const { return opts_; }
    engineio::server& engine() { return *engine_; }
    boost::asio::io_context& io_context() { return ioc_; }

    // The namespaces that exist now (static, and dynamic children), not the dynamic parents.
    std::size_t namespace_count() const { return namespaces_.size(); }
    bool has_namespace(std::string const& name) const { return namespaces_.count(name) != 0; }
    // Their names, sorted.
    std::vector<std::string> namespace_names() const;
    // The namespace of this name if it exists now, else null; unlike of(), creates nothing and
    // leaves a dynamic child removable.
    nsp* find(std::string const& name) const;

    // Instruments (observer.hpp): `o` hears of every namespace, socket and room from now on,
    // until unobserve(id); whoever observes unobserves before it goes away.
    observer_id observe(server_observer o);
    void unobserve(observer_id id);
    // Packets and bytes in and out since start (observer.hpp).
    traffic_counters const& traffic() const { return traffic_; }
    // Broadcast fan-out and ack timeouts since start (counters.hpp).
    socketio::counters const& counters() const { return *counters_; }

private:
    friend class detail::client;
    friend class socketio::nsp;
    friend class socketio::socket;

    // Calls `fn(observer)` for each observer (an index loop: one may be added meanwhile).
    template<class F>
    void notify(F&& fn) {
        for (std::size_t i = 0; i < observers_.size(); ++i)
            fn(observers_[i].second);
    }

    // The namespace a CONNECT asks for, created if dynamic; null if none, with the
    // CONNECT_ERROR message in `refusal`.
    nsp* find_or_create(std::string const& name, json const& auth, std::string_view& refusal);
    // A socket object of child namespace `name` is gone: remove the child if it is left empty.
    void child_released(std::string const& name);
    // The steady time now: the one clock the clients and adapters are given.
    util::time_point now() const { return clock_(); }

    void on_engine_connection(engineio::socket_ptr conn);
    void prune_recovery();
    bool parent_accepts(namespace_predicate const& accepts, std::string const& name,
                        json const& auth) const;

    boost::asio::io_context& ioc_;
    server_options opts_;
    std::function<util::time_point()> clock_ = [] { return util::steady_clock::now(); };
    std::unique_ptr<engineio::server> engine_;
    // Declared before namespaces_, so both outlive the sockets destroyed with the namespaces.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true); // false once destroying
    // The names in namespaces_ created by a dynamic parent: a subset of its keys, at most
    // max_child_namespaces; of(name) takes a name out (it is kept for good).
    std::set<std::string> children_;
    std::map<std::string, std::unique_ptr<nsp>> namespaces_;
    struct dynamic_parent {
        namespace_predicate accepts;
        std::unique_ptr<nsp> parent;
    };
    std::vector<dynamic_parent> parents_;
    std::shared_ptr<detail::timer> prune_timer_;
    bool adapters_closed_ = false; // close() told every adapter (adapter::close), once
    std::vector<std::pair<observer_id, server_observer>> observers_;
    observer_id next_observer_ = 1;
    traffic_counters traffic_;
    // Shared with the ack timers, which may fire after their socket is gone.
    std::shared_ptr<socketio::counters> counters_ = std::make_shared<socketio::counters>();
};

} // namespace kibitz::socketio
