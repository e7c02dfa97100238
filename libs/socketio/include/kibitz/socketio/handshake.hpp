#pragma once

#include <kibitz/engineio/http.hpp>
#include <kibitz/util/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::socketio {

// What a socket knew when it connected, as Node's socket.handshake: the HTTP request that opened
// the Engine.IO session and the auth payload of the namespace CONNECT packet.
struct handshake {
    engineio::header_list headers;
    json query = json::object(); // the request's query parameters, percent-decoded
    json auth = json::object();  // the CONNECT payload ({} when none)
    std::string address;         // the peer's IP address
    std::string url;             // the request target
    std::int64_t issued = 0;     // ms since the Unix epoch
    bool secure = false;

    // The first header with this name (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const;
};

} // namespace kibitz::socketio
