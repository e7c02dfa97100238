#pragma once

#include <string_view>

// Engine.IO wire strings, spelled exactly as Node's engine.io 6 spells them.
namespace kibitz::engineio::wire {

// Close reasons passed to a socket's close handler.
constexpr std::string_view reason_transport_close = "transport close";
constexpr std::string_view reason_transport_error = "transport error";
constexpr std::string_view reason_ping_timeout = "ping timeout";
constexpr std::string_view reason_parse_error = "parse error";
constexpr std::string_view reason_forced_close = "forced close";
constexpr std::string_view reason_server_shutting_down = "server shutting down";

// Error bodies of a refused request: {"code":N,"message":"..."} (engine.io Server.errorMessages).
enum class request_error {
    unknown_transport = 0,
    unknown_sid = 1,
    bad_handshake_method = 2,
    bad_request = 3,
    forbidden = 4,
    unsupported_protocol_version = 5,
};

constexpr std::string_view error_message(request_error e) {
    switch (e) {
    case request_error::unknown_transport:
        return "Transport unknown";
    case request_error::unknown_sid:
        return "Session ID unknown";
    case request_error::bad_handshake_method:
        return "Bad handshake method";
    case request_error::bad_request:
        return "Bad request";
    case request_error::forbidden:
        return "Forbidden";
    case request_error::unsupported_protocol_version:
        return "Unsupported protocol version";
    }
    return "Bad request";
}

constexpr std::string_view transport_polling = "polling";
constexpr std::string_view transport_websocket = "websocket";

} // namespace kibitz::engineio::wire
