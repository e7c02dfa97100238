#pragma once

#include <array>
#include <string_view>

// Socket.IO v5 strings, spelled exactly as on the wire.
namespace kibitz::socketio::wire {

// The protocol revision this module speaks (socket.io-protocol README, "5th version").
inline constexpr int protocol = 5;

// Binary attachments are replaced in the JSON by {"_placeholder":true,"num":N}
// (socket.io-parser lib/binary.ts).
inline constexpr std::string_view placeholder_key = "_placeholder";
inline constexpr std::string_view placeholder_num_key = "num";

// Event names with a special meaning that a client may not emit: the six of socket.io-parser's
// RESERVED_EVENTS plus "error".
inline constexpr std::string_view event_connect = "connect";
inline constexpr std::string_view event_connect_error = "connect_error";
inline constexpr std::string_view event_disconnect = "disconnect";
inline constexpr std::string_view event_disconnecting = "disconnecting";
inline constexpr std::string_view event_new_listener = "newListener";
inline constexpr std::string_view event_remove_listener = "removeListener";
inline constexpr std::string_view event_error = "error";

inline constexpr std::array<std::string_view, 7> reserved_event_names = {
    event_connect,      event_connect_error,   event_disconnect, event_disconnecting,
    event_new_listener, event_remove_listener, event_error,
};

// Disconnect reasons a server-side socket reports, spelled as socket.io 4.8 spells them.
inline constexpr std::string_view reason_client_namespace_disconnect =
    "client namespace disconnect";
inline constexpr std::string_view reason_server_namespace_disconnect =
    "server namespace disconnect";
inline constexpr std::string_view reason_server_shutting_down = "server shutting down";
inline constexpr std::string_view reason_forced_server_close = "forced server close";
inline constexpr std::string_view reason_forced_close = "forced close";
inline constexpr std::string_view reason_transport_close = "transport close";
inline constexpr std::string_view reason_transport_error = "transport error";
inline constexpr std::string_view reason_ping_timeout = "ping timeout";
inline constexpr std::string_view reason_parse_error = "parse error";

// The reasons after which connection state recovery keeps the session (socket.io 4.6).
inline constexpr std::array<std::string_view, 6> recoverable_reasons = {
    reason_transport_error, reason_transport_close,      reason_forced_close,
    reason_ping_timeout,    reason_server_shutting_down, reason_forced_server_close,
};

// The CONNECT_ERROR message for a namespace that does not exist (or whose name is longer than
// server_options::max_namespace_length).
inline constexpr std::string_view error_invalid_namespace = "Invalid namespace";
// CONNECT_ERROR messages of the limits (server_options): the connection has joined
// max_namespaces_per_client namespaces, or max_child_namespaces dynamic children exist.
inline constexpr std::string_view error_too_many_namespaces = "Too many namespaces";
// The CONNECT auth payload is longer than server_options::max_auth_bytes.
inline constexpr std::string_view error_auth_too_large = "Auth payload too large";
// A middleware threw instead of calling next().
inline constexpr std::string_view error_server_error = "Server error";

} // namespace kibitz::socketio::wire
