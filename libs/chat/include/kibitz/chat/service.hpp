#pragma once

#include <kibitz/chat/messages.hpp>
#include <kibitz/chat/presence.hpp>
#include <kibitz/chat/rate_limiter.hpp>
#include <kibitz/socketio/types.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace kibitz::socketio {
class server;
class nsp;
class socket;
} // namespace kibitz::socketio
namespace kibitz::store {
class worker;
}

namespace kibitz::chat {

// Flood control and clocks of the chat (PROTOCOL.md "Flood control").
struct options {
    // Accepted messages per name in any window; 0 turns the limit off.
    std::size_t messages_per_window = 10;
    // `join` calls per connection in any window; 0 turns the limit off.
    std::size_t joins_per_window = 20;
    util::duration window{10000};
    // Monotonic time for the limits, and wall time (ms since the epoch) for Message.ts.
    std::function<util::time_point()> now = [] { return util::steady_clock::now(); };
    std::function<std::int64_t()> unix_ms = [] { return util::unix_ms(); };
};

// The /chat namespace of PROTOCOL.md on a Socket.IO server: names, rooms, presence, public and
// private messages, typing, history, client message ids and flood control. Messages go to the
// store (store::worker, SQLite on its own thread) and are acked and delivered only when the
// store's answer comes back: an ok ack means durable. All state lives on the server's thread;
// store results are posted back to it.
//
// Another program gets the chat with one call:
//
//     auto chat = kibitz::chat::service::install(io, store_worker, {});
//
// and keeps `chat` alive while the server runs (handlers hold it weakly: once it is gone they
// do nothing). The server and the worker must outlive it.
class service : public std::enable_shared_from_this<service> {
public:
    static std::shared_ptr<service> install(socketio::server& io, store::worker& store,
                                            options opts = {});

    service(socketio::nsp& ns, store::worker& store, options opts);
    service(service const&) = delete;
    service& operator=(service const&) = delete;

    chat::presence const& presence() const { return presence_; }

private:
    using reply_fn = std::function<void(json)>;

    void on_connection(socketio::socket_ptr s);
    void on_event(socketio::socket& s, std::string_view event, json& args,
                  socketio::ack_callback ack);
    void on_disconnect(socketio::socket& s);

    void handle(socketio::socket& s, join_request r, reply_fn reply);
    void handle(socketio::socket& s, leave_request r, reply_fn reply);
    void handle(socketio::socket& s, send_request r, reply_fn reply);
    void handle(socketio::socket& s, typing_request r, reply_fn reply);
    void handle(socketio::socket& s, history_request r, reply_fn reply);

    // Steps of `join` and `message` once the store answered.
    void finish_join(std::string const& sid, std::string const& key, std::string const& room,
                     std::vector<store::message_record> history, reply_fn const& reply);
    void deliver(store::message_record const& m);

    // A user left `room` (leave, disconnect, take-over): tells the room.
    void announce_left(std::string const& room, std::string const& name,
                       std::string const& except_sid);
    void send_users(std::string const& room);
    // The socket holding the name `key` when it is in `room`'s Socket.IO room; else empty.
    std::string socket_in_room(std::string const& key, std::string const& room) const;

    socketio::nsp& nsp_;
    store::worker& store_;
    options opts_;
    chat::presence presence_;
    rate_limiter messages_;
    rate_limiter joins_;
};

} // namespace kibitz::chat
