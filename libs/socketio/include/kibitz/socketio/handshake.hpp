#pragma once

#include <kibitz/engineio/http.hpp>
#include <kibitz/util/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::socketio {

// The headers of the request that opened the Engine.IO session: one read-only list shared by
// every socket of the connection (a connection may join several namespaces), iterable as a
// header_list.
class shared_headers {
public:
    shared_headers() : list_(std::make_shared<engineio::header_list const>()) {}
    explicit shared_headers(std::shared_ptr<engineio::header_list const> list)
        : list_(list ? std::move(list) : std::make_shared<engineio::header_list const>()) {}

    engineio::header_list const& list() const { return *list_; }
    auto begin() const { return list_->begin(); }
    auto end() const { return list_->end(); }
    std::size_t size() const { return list_->size(); }
    bool empty() const { return list_->empty(); }

private:
    std::shared_ptr<engineio::header_list const> list_;
};

// What a socket knew when it connected, as Node's socket.handshake: the HTTP request that opened
// the Engine.IO session and the auth payload of the namespace CONNECT packet.
struct handshake {
    shared_headers headers;
    json query = json::object(); // the request's query parameters, percent-decoded
    json auth = json::object();  // the CONNECT payload ({} when none)
    std::string address;         // the peer's IP address
    std::string url;             // the request target
    std::int64_t issued = 0;     // ms since the Unix epoch
    std::string time;            // the same as a date string, as Node's `new Date() + ""` (UTC)
    bool xdomain = false;        // the request had an Origin header (a cross-site browser)
    bool secure = false;         // it came over TLS

    // The first header with this name (case-insensitive).
    std::optional<std::string_view> header(std::string_view name) const;
};

// `unix_ms` as JavaScript's Date toString in UTC ("Wed Dec 02 2026 10:30:00 GMT+0000
// (Coordinated Universal Time)"): handshake::time, as Node's `new Date() + ""` on a UTC host.
std::string js_date_string(std::int64_t unix_ms);

} // namespace kibitz::socketio
