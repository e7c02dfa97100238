#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::redis {

// Where a Redis server is: `redis://host[:port][/db]` (the form of the `--redis` flag).
struct url {
    std::string host; // a name, an IPv4 address, or an IPv6 address without brackets
    std::uint16_t port = 6379;
    int db = 0; // SELECT after connecting (pub/sub ignores it, CLUSTER.md 2)

    friend bool operator==(url const&, url const&) = default;
};

// Parses the URL; empty when it is not of that form: another scheme, a user or password (AUTH
// is not supported), an empty host, a port outside 1..65535, a db outside 0..65535, a query.
std::optional<url> parse_url(std::string_view text);

} // namespace kibitz::redis
