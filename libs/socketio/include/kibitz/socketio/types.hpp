#pragma once

#include <kibitz/util/clock.hpp>
#include <kibitz/util/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kibitz::socketio {

class socket;
class nsp;

using socket_ptr = std::shared_ptr<socket>;

namespace detail {
// A key only T can make. A constructor that takes one stays public (make_shared needs it), yet
// only T can call it.
template<class T>
class passkey {
    friend T;
    passkey() = default;
};
} // namespace detail

// Answers a client's event: call it once with the ack arguments (a JSON array). Empty when the
// client asked for no acknowledgement.
using ack_callback = std::function<void(json args)>;

// A client event: `args` is the array of arguments after the event name. socket::on also takes
// fn(json& args) and fn(socket& s, json& args) (handler.hpp), and a typed form, on<T>.
using event_handler = std::function<void(socket& s, json& args, ack_callback ack)>;
// Every client event, before its own handlers.
using any_handler = std::function<void(socket& s, std::string const& event, json& args)>;
// Every event sent to one socket (its own emits, and the broadcasts that reach it), before it
// leaves; `args` as the client gets them (with the recovery offset, when there is one).
using outgoing_handler = std::function<void(socket& s, std::string_view event, json const& args)>;
// Names one listener for off() / off_any() / off_any_outgoing(): unique per socket, never 0.
using listener_id = std::uint64_t;

// The one ack argument a typed handler (socket::on<T>) answers with, instead of running, when
// the event's first argument does not convert to T: {"error": "invalid arguments"}.
inline constexpr std::string_view invalid_arguments_error = "invalid arguments";
// The socket left its namespace; `reason` is one of wire.hpp's disconnect reasons.
using disconnect_handler = std::function<void(socket& s, std::string_view reason)>;
using connection_handler = std::function<void(socket_ptr s)>;

// The answer to an emit with acknowledgement: the client's ack arguments, or an error
// (std::errc::timed_out when the timeout passed first).
using ack_handler = std::function<void(std::error_code ec, json args)>;
// The answers of every recipient of a broadcast with acknowledgement, in arrival order; the
// error is std::errc::timed_out when some did not answer in time (their answers are missing).
using broadcast_ack_handler = std::function<void(std::error_code ec, std::vector<json> responses)>;

// A middleware's refusal: `message` and `data` reach the client's connect_error.
struct connect_error {
    std::string message;
    json data;
};

// A per-packet middleware's refusal (socket::use): reaches the socket's on_error handler, as
// Node's socket "error" event gets the Error passed to next(err).
struct packet_error {
    std::string message;
    json data;
};
// An incoming event as a per-packet middleware sees it; a middleware may change it.
struct event_packet {
    std::string event;
    json args = json::array();
    bool wants_ack = false; // the client asked for an ack
};
// Per-packet middleware continuation: call once, with nothing to go on or an error to drop it.
using packet_next = std::function<void(std::optional<packet_error> error)>;
using packet_middleware = std::function<void(socket& s, event_packet& p, packet_next next)>;
using error_handler = std::function<void(socket& s, packet_error const& error)>;

// Middleware continuation: call once, with nothing to go on or with an error to refuse.
using next_fn = std::function<void(std::optional<connect_error> error)>;
using middleware = std::function<void(socket& s, next_fn next)>;

} // namespace kibitz::socketio
