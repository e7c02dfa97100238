#pragma once

#include <kibitz/util/clock.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kibitz::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

// An HTTP request as the handlers see it, free of Beast types.
struct request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as sent: path and query
    std::string path;    // percent-decoding is left to the handler
    std::string query;   // after '?', without it
    header_list headers; // in arrival order, names as sent
    std::string body;
    std::string remote_address;
    util::time_point received_at{};
    bool secure = false;         // it came over TLS (https, wss)
    bool body_too_large = false; // the body went over the route's limit and was not read

    // The first header with this name (case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;
    // The first query parameter with this name, percent-decoded, or nullopt.
    std::optional<std::string> query_param(std::string_view name) const;
};

struct response {
    int status = 200;
    header_list headers;
    std::string body;
    bool close = false; // close the connection after this response

    void set(std::string_view name, std::string_view value);
};

// Sends the response to a request. Call it exactly once; it may be called later, from the
// owning io_context thread (long-polling keeps it until there is something to send).
using responder = std::function<void(response)>;

// A plain function handler: the server's fallback for the paths no mounted handler claims
// (web pages, health, metrics).
using handler_fn = std::function<void(request const&, responder)>;

// Percent-decodes a URL component ('+' stays '+'). Returns nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text);

// True when the two header names are equal ignoring ASCII case.
bool header_name_equals(std::string_view a, std::string_view b);

} // namespace kibitz::http
