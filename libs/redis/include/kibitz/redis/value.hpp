#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::redis {

// The reply types of RESP2 (redis.io/docs/reference/protocol-spec). `null` is the null bulk
// string `$-1`, `null_array` the null array `*-1`; both are "nil" to a caller.
enum class type : std::uint8_t {
    simple_string,
    error,
    integer,
    bulk_string,
    null,
    null_array,
    array
};

// One RESP2 reply, owning its bytes. Arrays nest (EXEC of XRANGE, XREAD).
struct value {
    redis::type type = redis::type::null;
    std::string text;            // simple_string, error (without the '-'), bulk_string
    std::int64_t integer = 0;    // integer
    std::vector<value> elements; // array

    bool is_error() const noexcept { return type == redis::type::error; }
    bool is_nil() const noexcept {
        return type == redis::type::null || type == redis::type::null_array;
    }
    // A simple or bulk string.
    bool is_string() const noexcept {
        return type == redis::type::simple_string || type == redis::type::bulk_string;
    }

    static value simple(std::string s) { return {redis::type::simple_string, std::move(s), 0, {}}; }
    static value err(std::string s) { return {redis::type::error, std::move(s), 0, {}}; }
    static value bulk(std::string s) { return {redis::type::bulk_string, std::move(s), 0, {}}; }
    static value number(std::int64_t n) { return {redis::type::integer, {}, n, {}}; }
    static value array(std::vector<value> e) { return {redis::type::array, {}, 0, std::move(e)}; }

    friend bool operator==(value const&, value const&) = default;
};

// Appends the RESP2 bytes of `v` (what a server would send; the parser's exact inverse).
void encode(value const& v, std::string& out);
std::string encode(value const& v);

// What a subscribed connection receives besides replies: published messages (message,
// pmessage, smessage), the confirmations of (un)subscribe calls, and the pong of PING (which
// in subscribed mode is the array ["pong", <argument>]).
enum class push_kind : std::uint8_t {
    message,
    pmessage,
    smessage,
    subscribe,
    unsubscribe,
    psubscribe,
    punsubscribe,
    ssubscribe,
    sunsubscribe,
    pong,
};

struct push {
    push_kind kind = push_kind::message;
    std::string pattern;    // pmessage: the pattern that matched
    std::string channel;    // messages and confirmations (empty for a nil channel); pong: argument
    std::string payload;    // messages
    std::int64_t count = 0; // confirmations: subscriptions left on this connection

    friend bool operator==(push const&, push const&) = default;
};

// Reads `v` as a push; empty when it is an array of another shape (or not an array). RESP2
// cannot tell a push from a reply: a subscribed connection treats every array as a push.
std::optional<push> as_push(value const& v);

} // namespace kibitz::redis
