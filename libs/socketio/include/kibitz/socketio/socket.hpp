#pragma once

#include <kibitz/socketio/broadcast.hpp>
#include <kibitz/socketio/handler.hpp>
#include <kibitz/socketio/handshake.hpp>
#include <kibitz/socketio/socket_emitter.hpp>
#include <kibitz/socketio/types.hpp>

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kibitz::socketio {

class server;

namespace detail {
class client;
class timer;
struct nsp_tracker;
} // namespace detail

// One client's connection to one namespace (Node's Socket). Created by the server when a
// CONNECT passes the namespace's middlewares; hold it by socket_ptr. Every member runs on the
// server's thread. After disconnect, emits are dropped and connected() is false.
//
// Listeners of an event run in the order added; any listener may disconnect the socket, and
// then the later ones are not called.
//
// Handlers run at the library boundary: an exception escaping an event handler, an on_any
// handler, an on_any_outgoing handler or an ack handler is logged with the event name and
// disconnects this socket only
// ("server namespace disconnect", as socket.disconnect() in Node); one escaping a disconnect
// handler is logged. Nothing a handler throws reaches the loop or another socket.
class socket : public std::enable_shared_from_this<socket> {
public:
    socket(detail::passkey<nsp>, nsp& n, std::shared_ptr<detail::client> client, json auth,
           std::string id, std::string pid);
    ~socket();
    socket(socket const&) = delete;
    socket& operator=(socket const&) = delete;

    // The public id; each socket is in a room named by it.
    std::string const& id() const { return id_; }
    socketio::nsp& ns() const { return *nsp_; }
    // Built by the first call, from the request its connection keeps (most sockets never ask:
    // the query as JSON, the url and the date string cost ~450 B per connection).
    socketio::handshake const& handshake() const;
    bool connected() const { return connected_; }
    // True when connection state recovery restored this socket's id, rooms and data.
    bool recovered() const { return recovered_; }
    // The Engine.IO transport in use: "polling" or "websocket".
    std::string_view transport() const;
    // The Engine.IO session id of its connection (Node's socket.client.id / conn.id).
    std::string const& client_id() const;
    // The Engine.IO heartbeat's smoothed round trip in ms (engineio::heartbeat::rtt), if measured.
    std::optional<std::int64_t> rtt_ms() const;

    // Free for the application (Node's socket.data); kept across a recovery.
    json data = json::object();

    // Event listeners, several per event, called in the order added (Node's on / once / off).
    // `fn` is fn(json& args), fn(socket&, json& args) or fn(socket&, json& args, ack_callback);
    // the ack callback answers once, whichever listener calls it first. The id names it for off.
    template<detail::untyped_handler F>
    listener_id on(std::string event, F fn) {
        return add_listener(std::move(event), detail::adapt_handler(std::move(fn)), false);
    }
    // Typed: fn(socket&, T, ack_callback), fn(socket&, T), fn(T, ack_callback) or fn(T) gets
    // the first argument converted with from_json. One that does not convert (or is missing)
    // skips fn and answers the ack, if the client asked for one, with
    // {"error": "invalid arguments"}; nothing is thrown.
    template<class T, class F>
    requires detail::typed_handler<F, T> listener_id on(std::string event, F fn) {
        return add_listener(std::move(event), detail::adapt_typed_handler<T>(std::move(fn)), false);
    }
    // As on, removed before its first call.
    template<detail::untyped_handler F>
    listener_id once(std::string event, F fn) {
        return add_listener(std::move(event), detail::adapt_handler(std::move(fn)), true);
    }
    template<class T, class F>
    requires detail::typed_handler<F, T> listener_id once(std::string event, F fn) {
        return add_listener(std::move(event), detail::adapt_typed_handler<T>(std::move(fn)), true);
    }
    // Removes every listener of `event`, or the one named `id`.
    void off(std::string const& event);
    void off(std::string const& event, listener_id id);
    std::size_t listener_count(std::string const& event) const;

    // Listeners of every incoming event, before its own listeners: on_any appends, prepend_any
    // puts first; off_any() removes all, off_any(id) one.
    listener_id on_any(any_handler handler);
    listener_id prepend_any(any_handler handler);
    void off_any();
    void off_any(listener_id id);
    // Listeners of every event sent to this socket, before it is sent: its own emits and the
    // broadcasts that reach it (from this server or, through a cluster adapter, another), as
    // Node's onAnyOutgoing. Acks are not events and are not reported.
    listener_id on_any_outgoing(outgoing_handler handler);
    void off_any_outgoing();
    void off_any_outgoing(listener_id id);

    // Per-packet middlewares (Node's socket.use): every incoming event passes them after the
    // on_any listeners and before its own listeners, in the order added. fn(event_packet&,
    // packet_next) or fn(socket&, event_packet&, packet_next); next(std::nullopt) goes on (now
    // or later), next(packet_error{...}) drops the event (its ack is never answered) and calls
    // the on_error handler (Node's "error" event), or logs when there is none. A middleware
    // that throws is contained as a handler is (this socket is disconnected). An event is held
    // until its last middleware called next or dropped it; past
    // server_options::max_events_in_middleware held at once, the socket is disconnected.
    template<class F>
    requires std::invocable<F&, socket&, event_packet&, packet_next> ||
        std::invocable<F&, event_packet&, packet_next>
    void use(F fn) {
        if constexpr (std::invocable<F&, socket&, event_packet&, packet_next>) {
            add_packet_middleware(packet_middleware(std::move(fn)));
        } else {
            add_packet_middleware(
                [fn = std::move(fn)](socket&, event_packet& p, packet_next next) mutable {
                    fn(p, std::move(next));
                });
        }
    }
    void on_error(error_handler handler);

    void on_disconnecting(disconnect_handler handler);
    void on_disconnect(disconnect_handler handler);

    // Sends an event (binary values become attachments), as Node's socket.emit: each of
    // `args` is one argument, converted with to_json (an array is one argument).
    template<class... Args>
    void emit(std::string_view event, Args&&... args) {
        emit_args(event, detail::pack_arguments(std::forward<Args>(args)...));
    }
    // The same with the arguments as the elements of one JSON array (any other value is one).
    void emit_args(std::string_view event, json args);
    // Sends and waits for the client's ack, as Node's socket.emit(ev, a, b, cb): each of a,
    // b, ... is one argument and the last is the ack handler fn(std::error_code ec, json args)
    // (or asio::use_awaitable, with awaitable.hpp). It waits as long as the socket lives
    // (timeout(d).emit_with_ack sets a limit: std::errc::timed_out); `ec` is no_buffer_space at
    // once when server_options::max_pending_acks of this socket's acks are still unanswered,
    // not_connected when the socket is not connected.
    template<class... Args>
    auto emit_with_ack(std::string_view event, Args&&... args) {
        return socket_emitter(shared_from_this(), std::nullopt, false)
            .emit_with_ack(event, std::forward<Args>(args)...);
    }
    // The same with the arguments as the elements of one JSON array, and a timeout (zero: as
    // long as the socket lives).
    void emit_args_with_ack(std::string_view event, json args, util::duration timeout,
                            ack_handler done);
    // Sends only if the transport can take it now (Node's socket.volatile.emit), with the
    // arguments as the elements of one JSON array; volatile_().emit(event, a, b) reads better.
    void emit_args_volatile(std::string_view event, json args = json::array());

    // Node's socket.timeout(ms) and socket.volatile: an emitter with those flags, whose
    // emit_with_ack(event, args..., done) takes the ack handler (or asio::use_awaitable, with
    // awaitable.hpp) last. The emitter holds the socket.
    socket_emitter timeout(util::duration d);
    socket_emitter volatile_();

    void join(std::string room);
    void join(std::set<std::string> const& rooms);
    void leave(std::string const& room);
    std::set<std::string> rooms() const;

    // Every socket but this one (optionally narrowed with to()/except()).
    broadcast_operator broadcast() const;
    broadcast_operator to(std::string room) const { return broadcast().to(std::move(room)); }
    broadcast_operator except(std::string room) const {
        return broadcast().except(std::move(room));
    }

    // Leaves the namespace ("server namespace disconnect"); with close, the whole connection.
    void disconnect(bool close = false);

private:
    friend class memory_adapter; // delivers to the sockets its index points at
    friend class socketio::nsp;
    friend class socketio::server;
    friend class detail::client;
    friend class socketio::socket_emitter;

    struct pending_ack {
        std::shared_ptr<ack_handler> handler; // emptied by whichever comes first
        std::weak_ptr<detail::timer> timer;
    };

    // A packet of this socket's namespace, from its client.
    void on_packet(packet& p);
    // Leaves the namespace with `reason`: keeps the session if recoverable, empties the three
    // indexes (see nsp::sockets_), then calls the disconnect handler. Once; then a no-op.
    void on_close(std::string_view reason);
    // The namespace admitted it: joins its own room and answers the CONNECT.
    void on_connect();
    void on_connect_repeated();
    void set_recovered(restored_session r);
    std::optional<restored_session> take_restored();
    detail::client& client() const { return *client_; }
    // False (and nothing kept) when server_options::max_pending_acks are pending already.
    bool register_ack(std::uint64_t id, ack_handler handler, util::duration timeout);

    void on_event(packet& p);
    void on_ack(packet& p);
    void send_packet(packet p, bool is_volatile);
    void end_joining();
    // Runs a user handler; when it throws, logs and disconnects this socket. False if it threw.
    template<class F>
    bool guarded(std::string_view what, std::string_view name, F&& fn);

    socketio::nsp* nsp_;
    std::shared_ptr<detail::client> client_;
    // What handshake() is built from: the CONNECT payload (null for none or {}: an empty
    // object costs a block) and when the socket was made; then the handshake itself.
    mutable json auth_;
    std::int64_t issued_ = 0;
    mutable std::unique_ptr<socketio::handshake> handshake_;
    std::string id_;
    std::string pid_;
    // True exactly while the socket is in the three indexes (nsp::sockets_): from on_connect()
    // to on_close(). Never true again after: a socket object joins once.
    bool connected_ = false;
    bool recovered_ = false;
    std::unique_ptr<restored_session> restored_;   // only between a recovery and its CONNECT
    std::shared_ptr<detail::nsp_tracker> tracker_; // counts this socket in its namespace
    bool joining_ = true; // counted in the client's joins until connected or destroyed
    template<class Fn>
    struct listener {
        listener_id id;
        Fn fn;
        bool once = false;
    };
    listener_id add_listener(std::string event, event_handler fn, bool once);
    void add_packet_middleware(packet_middleware m);
    // An event on its way through the per-packet middlewares (kept alive while one is async).
    struct incoming_event;
    void run_packet_middlewares(std::shared_ptr<incoming_event> in, std::size_t index);
    void on_packet_error(packet_error const& error, std::string const& event);
    // Calls the listeners of the event (copies: a listener may add or remove others).
    void call_listeners(std::string const& event, json& args, ack_callback const& ack);
    // Runs the outgoing listeners; false when one threw (the socket is disconnected then).
    bool notify_outgoing(packet const& p);
    void send_event(std::string_view event, json args, bool is_volatile);
    void send_with_ack(std::string_view event, json args, util::duration timeout, ack_handler done,
                       bool is_volatile);

    // The event listeners in the order they were added, each with its event: a list, not a
    // map by event (a map cost a bucket array and a node per event, on every socket).
    std::vector<std::pair<std::string, listener<event_handler>>> handlers_;
    listener_id next_listener_ = 1;
    // Events between dispatch and the end of the middlewares (each incoming_event counts itself
    // while it lives): at most server_options::max_events_in_middleware.
    std::size_t events_in_middleware_ = 0;
    disconnect_handler on_disconnect_;
    // What few sockets use (catch-all and outgoing listeners, per-packet middlewares, the error
    // and disconnecting handlers, the acks the client owes: socket_extras.hpp) in one block
    // allocated by the first use: ~190 B a socket that uses none of them does not carry.
    struct extras;
    std::unique_ptr<extras> extras_;
    extras& more();
};

} // namespace kibitz::socketio
