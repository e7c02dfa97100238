#pragma once

#include <kibitz/engineio/packet.hpp>
#include <kibitz/socketio/adapter.hpp>
#include <kibitz/socketio/broadcast.hpp>
#include <kibitz/socketio/types.hpp>

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kibitz::socketio {

class server;

namespace detail {
class client;
struct nsp_tracker;
} // namespace detail

// A namespace (Node's Namespace): its middlewares, its connection handler, its sockets and its
// adapter. Obtained from server::of(); lives as long as the server, except a dynamic child,
// which is removed once it has no socket left (server_options::cleanup_empty_child_namespaces).
// Server thread only.
//
// User code runs at the library boundary: a middleware that throws refuses the CONNECT with
// "Server error"; a connection handler that throws disconnects that socket ("server namespace
// disconnect"). Either way the exception is logged and no other socket is touched.
class nsp {
public:
    nsp(detail::passkey<socketio::server>, socketio::server& srv, std::string name);
    ~nsp();
    nsp(nsp const&) = delete;
    nsp& operator=(nsp const&) = delete;

    std::string const& name() const { return name_; }
    socketio::server& server() const { return *server_; }
    socketio::adapter& adapter() const { return *adapter_; }

    // Runs for every CONNECT before the socket joins, in the order added.
    void use(middleware m);
    void on_connection(connection_handler handler);

    // Broadcasting to the namespace, as Node's io.emit / io.to(...)...
    broadcast_operator to(std::string room) { return all().to(std::move(room)); }
    broadcast_operator in(std::string room) { return to(std::move(room)); }
    broadcast_operator except(std::string room) { return all().except(std::move(room)); }
    broadcast_operator local() { return all().local(); }
    broadcast_operator volatile_() { return all().volatile_(); }
    broadcast_operator timeout(util::duration d) { return all().timeout(d); }
    broadcast_operator all() { return broadcast_operator(*this); }
    // Each of `args` is one argument (an array is one); emit_args spreads one JSON array.
    template<class Event, class... Args>
    requires std::convertible_to<Event, std::string_view>
    void emit(Event&& event, Args&&... args) {
        all().emit_args(std::string_view(event),
                        detail::pack_arguments(std::forward<Args>(args)...));
    }
    void emit_args(std::string_view event, json args) { all().emit_args(event, std::move(args)); }

    // Cluster (Node's serverSideEmit, io.on(event) for peers, allRooms, serverCount): events
    // for the namespace's handlers on the *other* servers, never this one. With `done`, every
    // other server's first ack argument, or an error (Redis down, a server silent past the
    // adapter's request timeout) with what came. A single server has no one to tell: `done`
    // runs at once with no answers.
    using server_side_handler = std::function<void(json& args, ack_callback ack)>;
    // server_side_emit(event, a, b, ...): each value one argument, as in emit;
    // server_side_emit_with_ack(event, a, b, ..., done) with `done` last,
    // fn(std::error_code, std::vector<json>). The *_args forms take the arguments as the
    // elements of one JSON array.
    template<class Event, class... Args>
    requires std::convertible_to<Event, std::string_view>
    void server_side_emit(Event&& event, Args&&... args) {
        server_side_emit_args(std::string_view(event),
                              detail::pack_arguments(std::forward<Args>(args)...));
    }
    template<class Event, class... Args>
    requires std::convertible_to<Event, std::string_view>
    void server_side_emit_with_ack(Event&& event, Args&&... args) {
        detail::with_last_apart(
            [this, name = std::string_view(event)]<class Last>(json packed, Last&& last) {
                static_assert(std::is_invocable_v<std::remove_cvref_t<Last>&, std::error_code,
                                                  std::vector<json>>,
                              "the last argument is fn(std::error_code, std::vector<json>)");
                server_side_emit_args(name, std::move(packed),
                                      broadcast_ack_handler(std::forward<Last>(last)));
            },
            std::forward<Args>(args)...);
    }
    void server_side_emit_args(std::string_view event, json args = json::array());
    void server_side_emit_args(std::string_view event, json args, broadcast_ack_handler done);
    // Handles another server's server_side_emit of `event` (replaces an earlier one). `ack` is
    // empty unless that server waits for an answer. An exception it throws is logged.
    void on_server_side(std::string event, server_side_handler handler);
    void all_rooms(all_rooms_handler done) { adapter_->all_rooms(std::move(done)); }
    void server_count(server_count_handler done) { adapter_->server_count(std::move(done)); }

    // This server's sockets of the namespace.
    socket_ptr socket_by_id(std::string const& id) const;
    std::size_t sockets_count() const { return sockets_.size(); }
    // Socket objects of this namespace still alive (connected, joining, or held elsewhere).
    std::size_t live_sockets() const;
    std::vector<socket_ptr> sockets() const;

private:
    friend class socketio::server;
    friend class socketio::socket;
    friend class socketio::broadcast_operator;
    friend class detail::client;

    // A CONNECT for this namespace: restores a session or makes a socket, runs the middlewares.
    void add(std::shared_ptr<detail::client> client, json auth);
    // A CONNECT with {pid, offset}: asks the adapter, then goes on with what it found (or as
    // new), with the packets the client sent meanwhile.
    void restore(std::shared_ptr<detail::client> client, json auth, std::string const& pid,
                 std::string const& offset);
    void add_restored(std::shared_ptr<detail::client> const& client, json auth,
                      std::optional<restored_session> restored);
    std::shared_ptr<detail::nsp_tracker> const& tracker() const { return tracker_; }
    // The socket left: drop it from sockets_ (the socket empties the other indexes).
    void remove(socket& s);
    // Queues the encoded packet to the socket with this id, if it is here.
    void deliver(std::string const& sid, frames const& parts, bool is_volatile);
    bool deliver_with_ack(std::string const& sid, std::uint64_t ack_id, frames const& parts,
                          bool is_volatile, util::duration timeout, ack_handler on_ack);
    // Ack ids come from one counter per namespace, so a broadcast can share one id.
    std::uint64_t next_ack_id() { return next_ack_id_++; }
    // Adopts the middlewares and connection handler of a dynamic parent namespace.
    void inherit(nsp const& parent);
    adapter_context make_context();
    // Another server's server_side_emit, [event, args...], for on_server_side's handlers.
    void on_server_side_event(json data, ack_callback ack);

    void run_middlewares(socket_ptr s, std::size_t index);
    void refuse(socket& s, std::string_view message, json data = nullptr);
    void connect(socket_ptr s);

    socketio::server* server_;
    std::string name_;
    std::shared_ptr<detail::nsp_tracker> tracker_; // before sockets_: outlives them
    std::unique_ptr<socketio::adapter> adapter_;
    std::vector<middleware> middlewares_;
    std::vector<connection_handler> connection_handlers_;
    std::unordered_map<std::string, server_side_handler> server_side_handlers_;
    // The connected sockets by id. One of three indexes filled and emptied together: a socket
    // is here exactly when its client has it by namespace name (detail::client::sockets_) and
    // the adapter has it in its own room; connect() fills the three, socket::on_close() empties
    // them, and socket::connected() is true in between. Keyed by a view of the socket's own
    // id (no copy of it per socket).
    std::unordered_map<std::string_view, socket_ptr> sockets_;
    std::uint64_t next_ack_id_ = 0;
    // Held weakly by what may complete after the namespace is gone (a restore's timeout).
    std::shared_ptr<nsp*> self_ = std::make_shared<nsp*>(this);
};

} // namespace kibitz::socketio
