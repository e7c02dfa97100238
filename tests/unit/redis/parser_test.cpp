#include <kibitz/redis/parser.hpp>

#include <gtest/gtest.h>

#include <ostream>

#include <string>
#include <vector>

namespace kibitz::redis {
// Failures show the reply as RESP.
inline void PrintTo(value const& v, std::ostream* os) {
    *os << encode(v);
}
} // namespace kibitz::redis

namespace {

using namespace kibitz::redis;

// What a subscriber and a command connection of the classic adapter read, as Redis 7 writes it:
// PSUBSCRIBE and SUBSCRIBE confirmations, a pmessage with the 74-byte msgpack broadcast of
// As Redis sends them: a message, PUBSUB NUMSUB, PUBLISH's count, an error, nil, nested arrays.
std::string captured_session() {
    static constexpr char raw[] =
        "\x93\xa6"
        "1kqgqN"
        "\x83\xa4type\x02\xa4"
        "data\x96\xa5hello\xa5world\x01\xcb\x40\x04"
        "\x00\x00\x00\x00\x00\x00\xc3\xc0\xa3nsp\xa1/\x83\xa5rooms\x90\xa6"
        "except\x90\xa5"
        "flags\x80";
    std::string const broadcast(raw, sizeof raw - 1);
    std::string s;
    s += "*3\r\n$10\r\npsubscribe\r\n$13\r\nsocket.io#/#*\r\n:1\r\n";
    s += "*3\r\n$9\r\nsubscribe\r\n$20\r\nsocket.io-request#/#\r\n:2\r\n";
    s += "*4\r\n$8\r\npmessage\r\n$13\r\nsocket.io#/#*\r\n$12\r\nsocket.io#/#\r\n$" +
         std::to_string(broadcast.size()) + "\r\n" + broadcast + "\r\n";
    s += "*3\r\n$7\r\nmessage\r\n$20\r\nsocket.io-request#/#\r\n$16\r\n{\"type\":1,\"a\":2}\r\n";
    s += "*2\r\n$20\r\nsocket.io-request#/#\r\n:3\r\n";
    s += ":2\r\n+OK\r\n-ERR unknown command 'FOO'\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n";
    s += "*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*1\r\n:-7\r\n";
    return s;
}

std::vector<value> parse_all(parser& p) {
    std::vector<value> out;
    for (;;) {
        parse_result r = p.next();
        if (!r.has_reply()) {
            EXPECT_FALSE(r.failed()) << make_error_code(r.error).message();
            return out;
        }
        out.push_back(std::move(r.reply));
    }
}

std::vector<value> parse_whole(std::string const& bytes) {
    parser p;
    EXPECT_FALSE(p.feed(bytes));
    return parse_all(p);
}

parse_error error_of(std::string const& bytes, parser_limits limits = {}) {
    parser p(limits);
    if (auto ec = p.feed(bytes)) return static_cast<parse_error>(ec.value());
    for (;;) {
        parse_result r = p.next();
        if (r.failed()) return r.error;
        if (!r.has_reply()) {
            ADD_FAILURE() << "no error for " << bytes;
            return parse_error::invalid_type;
        }
    }
}

TEST(parser, reads_every_reply_type_of_a_captured_session) {
    auto const replies = parse_whole(captured_session());
    ASSERT_EQ(replies.size(), 13u);
    EXPECT_EQ(as_push(replies[0])->kind, push_kind::psubscribe);
    EXPECT_EQ(as_push(replies[2])->kind, push_kind::pmessage);
    EXPECT_EQ(as_push(replies[2])->payload.size(), 74u);
    EXPECT_EQ(replies[5], value::number(2));
    EXPECT_EQ(replies[6], value::simple("OK"));
    EXPECT_EQ(replies[7], value::err("ERR unknown command 'FOO'"));
    EXPECT_EQ(replies[8].type, type::null);
    EXPECT_EQ(replies[9].type, type::null_array);
    EXPECT_EQ(replies[10], value::array({}));
    EXPECT_EQ(replies[11], value::bulk(""));
    EXPECT_EQ(replies[12].elements[0].elements[1].elements[1], value::bulk("b"));
    EXPECT_EQ(replies[12].elements[1], value::array({value::number(-7)}));
}

// The same replies whatever the split, and re-encoding gives the bytes back.
TEST(parser, gives_the_same_replies_at_every_split_point) {
    std::string const bytes = captured_session();
    auto const whole = parse_whole(bytes);
    std::string encoded;
    for (auto const& v : whole)
        encode(v, encoded);
    EXPECT_EQ(encoded, bytes);
    for (std::size_t split = 0; split <= bytes.size(); ++split) {
        parser p;
        ASSERT_FALSE(p.feed(std::string_view(bytes).substr(0, split)));
        auto replies = parse_all(p);
        ASSERT_FALSE(p.feed(std::string_view(bytes).substr(split)));
        for (auto& v : parse_all(p))
            replies.push_back(std::move(v));
        ASSERT_EQ(replies, whole) << "split at " << split;
        EXPECT_TRUE(p.idle());
    }
}

TEST(parser, gives_the_same_replies_one_byte_at_a_time) {
    std::string const bytes = captured_session();
    parser p;
    std::vector<value> replies;
    for (char c : bytes) {
        ASSERT_FALSE(p.feed(std::string_view(&c, 1)));
        for (auto& v : parse_all(p))
            replies.push_back(std::move(v));
    }
    EXPECT_EQ(replies, parse_whole(bytes));
}

TEST(parser, bulk_strings_are_binary_safe) {
    std::string const payload("a\r\nb\0c\r", 7);
    auto const replies = parse_whole("$7\r\n" + payload + "\r\n");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].text, payload);
}

TEST(parser, refuses_malformed_replies) {
    EXPECT_EQ(error_of("?x\r\n"), parse_error::invalid_type);
    EXPECT_EQ(error_of("\r\n"), parse_error::invalid_type);
    EXPECT_EQ(error_of("+OK\rX"), parse_error::invalid_line);
    EXPECT_EQ(error_of("$3\r\nabcd\r\n"), parse_error::invalid_line);
    for (auto bad : {":", ":01", ":-0", ":+1", ":1a", ":9223372036854775808", ": 1"}) {
        EXPECT_EQ(error_of(std::string(bad) + "\r\n"), parse_error::invalid_integer) << bad;
    }
    EXPECT_EQ(error_of(":-9223372036854775808\r\n:x\r\n"), parse_error::invalid_integer);
    for (auto bad : {"$-2", "$", "$01", "*-2", "*x"}) {
        EXPECT_EQ(error_of(std::string(bad) + "\r\n"), parse_error::invalid_length) << bad;
    }
}

TEST(parser, holds_its_limits) {
    parser_limits limits;
    limits.max_bulk_bytes = 4;
    limits.max_array_length = 3;
    limits.max_depth = 2;
    limits.max_line_bytes = 5;
    limits.max_reply_values = 4;
    EXPECT_EQ(error_of("$5\r\n", limits), parse_error::bulk_too_large);
    EXPECT_EQ(error_of("$4294967296000\r\n"), parse_error::bulk_too_large);
    EXPECT_EQ(error_of("*4\r\n", limits), parse_error::array_too_long);
    EXPECT_EQ(error_of("*1\r\n*1\r\n*1\r\n", limits), parse_error::too_deep);
    EXPECT_EQ(error_of("*1\r\n*1\r\n*0\r\n", limits), parse_error::too_deep);
    EXPECT_EQ(error_of("+123456\r\n", limits), parse_error::line_too_long);
    EXPECT_EQ(error_of("*3\r\n*2\r\n:1\r\n:2\r\n:3\r\n", limits), parse_error::too_many_values);
    // A line without its CRLF stops at the limit, not at the end of memory.
    EXPECT_EQ(error_of("+1234567", limits), parse_error::line_too_long);
    std::string deep;
    for (int i = 0; i < 100'000; ++i)
        deep += "*1\r\n";
    EXPECT_EQ(error_of(deep), parse_error::too_deep);
}

TEST(parser, values_per_reply_are_counted_afresh_for_each_reply) {
    parser_limits limits;
    limits.max_reply_values = 3;
    parser p(limits);
    ASSERT_FALSE(p.feed("*2\r\n:1\r\n:2\r\n*2\r\n:1\r\n:2\r\n"));
    EXPECT_EQ(parse_all(p).size(), 2u);
}

TEST(parser, refuses_more_unconsumed_bytes_than_max_buffered) {
    parser_limits limits;
    limits.max_buffered_bytes = 8;
    parser p(limits);
    EXPECT_FALSE(p.feed("$6\r\nab"));
    EXPECT_EQ(p.feed("cdef\r\n"), parse_error::buffer_full);
    EXPECT_TRUE(p.failed());
    EXPECT_TRUE(p.next().failed());
    p.reset();
    EXPECT_FALSE(p.feed("+OK\r\n"));
    EXPECT_TRUE(p.next().has_reply());
}

TEST(parser, consumed_bytes_are_released) {
    parser p;
    for (int i = 0; i < 10'000; ++i) {
        ASSERT_FALSE(p.feed("$5\r\nhello\r\n"));
        ASSERT_TRUE(p.next().has_reply());
    }
    EXPECT_EQ(p.buffered(), 0u);
    EXPECT_TRUE(p.idle());
}

TEST(parser, stays_failed_until_reset) {
    parser p;
    ASSERT_FALSE(p.feed("!\r\n+OK\r\n"));
    EXPECT_EQ(p.next().error, parse_error::invalid_type);
    EXPECT_EQ(p.next().error, parse_error::invalid_type);
    EXPECT_EQ(p.feed("+OK\r\n"), parse_error::invalid_type);
    p.reset();
    EXPECT_FALSE(p.feed("+OK\r\n"));
    EXPECT_EQ(p.next().reply, value::simple("OK"));
}

TEST(parse_category, names_its_errors) {
    std::error_code const ec = parse_error::bulk_too_large;
    EXPECT_STREQ(ec.category().name(), "redis.parse");
    EXPECT_EQ(ec.message(), "bulk string too large");
}

} // namespace
