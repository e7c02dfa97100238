#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::redis {

// Where a Redis server is: `redis://[[user]:password@]host[:port][/db]` (the form of the
// `--redis` flag; user and password percent-decoded, as in Node's redis client).
struct url {
    std::string host; // a name, an IPv4 address, or an IPv6 address without brackets
    std::uint16_t port = 6379;
    int db = 0;           // SELECT after connecting (pub/sub ignores it, docs/cluster.md)
    std::string username; // AUTH username password (Redis 6 ACL) when both are set
    std::string password; // AUTH password when only it is set

    friend bool operator==(url const&, url const&) = default;
};

// Parses the URL; empty when it is not of that form: another scheme, an empty host, a port
// outside 1..65535, a db outside 0..65535, a query, a user without a password, a bad %XX.
std::optional<url> parse_url(std::string_view text);

} // namespace kibitz::redis
