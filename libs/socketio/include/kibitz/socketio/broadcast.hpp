#pragma once

#include <kibitz/socketio/adapter.hpp>
#include <kibitz/socketio/handler.hpp>
#include <kibitz/socketio/types.hpp>

#include <concepts>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kibitz::socketio {

class remote_socket;

// Node's BroadcastOperator: a selection of sockets and flags, built up by value. Each call
// returns a new operator, so `auto room = io.to("a"); room.except("b").emit(...)` leaves
// `room` as it was. Cheap to copy; holds a reference to its namespace, which must outlive it.
class broadcast_operator {
public:
    explicit broadcast_operator(nsp& n, broadcast_options opts = {},
                                std::optional<util::duration> timeout = std::nullopt)
        : nsp_(&n), opts_(std::move(opts)), timeout_(timeout) {}

    // Adds a room to the targets (several rooms: the union).
    broadcast_operator to(std::string room) const;
    broadcast_operator in(std::string room) const { return to(std::move(room)); }
    // Leaves out every socket in `room`.
    broadcast_operator except(std::string room) const;
    // Only this server's sockets (no cluster adapter round trip).
    broadcast_operator local() const;
    // Dropped for any client that cannot take it right now.
    broadcast_operator volatile_() const;
    // Acknowledgements are collected for this long (see emit_with_ack).
    broadcast_operator timeout(util::duration d) const;

    // Sends the event to every selected socket, encoded once. Each of `args` is one argument,
    // converted with to_json (an array is one argument), as in Node's emit.
    template<class Event, class... Args>
    requires std::convertible_to<Event, std::string_view>
    void emit(Event&& event, Args&&... args) const {
        emit_args(std::string_view(event), detail::pack_arguments(std::forward<Args>(args)...));
    }
    // The same with the arguments as the elements of one JSON array (any other value is one).
    void emit_args(std::string_view event, json args) const;
    // emit_with_ack(event, a, b, ..., done): sends the event (each of a, b, ... one argument,
    // as in emit) and collects one ack from each recipient, its first argument; the last
    // argument is the handler fn(std::error_code ec, std::vector<json> responses). It runs once
    // every recipient answered, or at the timeout (set with timeout(), default 5 s) with
    // std::errc::timed_out and what arrived.
    template<class Event, class... Args>
    requires std::convertible_to<Event, std::string_view>
    void emit_with_ack(Event&& event, Args&&... args) const {
        detail::with_last_apart(
            [this, name = std::string_view(event)]<class Last>(json packed, Last&& last) {
                static_assert(std::is_invocable_v<std::remove_cvref_t<Last>&, std::error_code,
                                                  std::vector<json>>,
                              "the last argument is fn(std::error_code, std::vector<json>)");
                emit_args_with_ack(name, std::move(packed),
                                   broadcast_ack_handler(std::forward<Last>(last)));
            },
            std::forward<Args>(args)...);
    }
    // The same with the arguments as the elements of one JSON array (any other value is one).
    void emit_args_with_ack(std::string_view event, json args, broadcast_ack_handler done) const;

    // The selected sockets, on every server. The first form also learns whether every server
    // answered (fetch_sockets_handler); the second gets what came either way.
    void fetch_sockets(fetch_sockets_handler done) const;
    void fetch_sockets(std::function<void(std::vector<socket_info>)> done) const;
    // The same as remote_socket values, with emit, join, leave and disconnect (Node's
    // fetchSockets() results; remote_socket.hpp, defined in remote_socket.cpp).
    void fetch_remote_sockets(std::function<void(std::vector<remote_socket>)> done) const;
    // The selected sockets of this server.
    std::vector<socket_ptr> local_sockets() const;
    // Makes the selected sockets join / leave rooms, or disconnect them.
    void sockets_join(std::string room) const;
    void sockets_leave(std::string room) const;
    void disconnect_sockets(bool close = false) const;

    broadcast_options const& options() const { return opts_; }

private:
    nsp* nsp_;
    broadcast_options opts_;
    std::optional<util::duration> timeout_;
};

} // namespace kibitz::socketio
