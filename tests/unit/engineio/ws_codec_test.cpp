#include <kibitz/engineio/ws_codec.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

using namespace kibitz::engineio;
using kind = ws_event::kind;

namespace {

constexpr std::uint8_t fin = 0x80;
constexpr std::uint8_t op_cont = 0x0;
constexpr std::uint8_t op_text = 0x1;
constexpr std::uint8_t op_binary = 0x2;
constexpr std::uint8_t op_close = 0x8;
constexpr std::uint8_t op_ping = 0x9;
constexpr std::uint8_t op_pong = 0xA;

// A client frame header announcing `length` (shortest form, or the 64-bit form when forced),
// masked with `mask` unless `masked` is false.
std::string header(std::uint8_t b0, std::uint64_t length, bool masked = true, bool force_64 = false,
                   std::string_view mask = "\x37\xfa\x21\x3d") {
    std::string h;
    h += static_cast<char>(b0);
    std::uint8_t const m = masked ? 0x80 : 0x00;
    if (length < 126 && !force_64) {
        h += static_cast<char>(m | length);
    } else if (length <= 0xFFFF && !force_64) {
        h += static_cast<char>(m | 126);
        h += static_cast<char>(length >> 8);
        h += static_cast<char>(length & 0xFF);
    } else {
        h += static_cast<char>(m | 127);
        for (int i = 7; i >= 0; --i)
            h += static_cast<char>((length >> (8 * i)) & 0xFF);
    }
    if (masked) h += mask;
    return h;
}

// A complete masked client frame (RFC 6455 section 5.3).
std::string frame(std::uint8_t b0, std::string_view payload, bool force_64 = false) {
    std::string_view const mask = "\x37\xfa\x21\x3d";
    std::string f = header(b0, payload.size(), true, force_64, mask);
    for (std::size_t i = 0; i < payload.size(); ++i)
        f += static_cast<char>(payload[i] ^ mask[i & 3]);
    return f;
}

// An owned copy of one event (its data points into buffers that change).
struct event {
    kind what;
    std::string data;
    std::uint16_t code;
    bool operator==(event const&) const = default;
};

std::ostream& operator<<(std::ostream& os, event const& e) {
    return os << "{kind " << static_cast<int>(e.what) << ", " << e.data.size() << " bytes, code "
              << e.code << "}";
}

event copy(ws_event const& e) {
    return {e.what, std::string(e.data), e.code};
}

// Feeds `bytes` to a reader the way the connection does: appends each chunk to the unconsumed
// bytes and calls next() until it needs more. Returns every event except plain need_more
// (fragments consumed), stopping at the first error or close.
std::vector<event> feed(ws_reader& r, std::string_view bytes, std::size_t chunk = SIZE_MAX) {
    std::vector<event> out;
    std::string buf;
    while (!bytes.empty() || !buf.empty()) {
        auto const n = std::min(chunk, bytes.size());
        buf.append(bytes.substr(0, n));
        bytes.remove_prefix(n);
        std::size_t used = 0;
        while (used < buf.size()) {
            std::size_t consumed = 123;
            auto ev = r.next(buf.data() + used, buf.size() - used, consumed);
            used += consumed;
            if (ev.what == kind::need_more) {
                if (consumed == 0) break;
                continue;
            }
            out.push_back(copy(ev));
            if (ev.what == kind::error || ev.what == kind::close) return out;
        }
        buf.erase(0, used);
        if (bytes.empty() && !buf.empty()) break; // an incomplete frame stays unconsumed
    }
    return out;
}

// The single event a fresh reader returns for one buffer.
event one(std::string bytes, std::size_t max = 1 << 20) {
    ws_reader r(max);
    std::size_t consumed = 0;
    return copy(r.next(bytes.data(), bytes.size(), consumed));
}

event error(std::uint16_t code) {
    return {kind::error, "", code};
}

std::string operator""_s(char const* s, std::size_t n) {
    return std::string(s, n);
}

} // namespace

TEST(ws_reader, reads_a_masked_text_frame) {
    ws_reader r(1024);
    auto bytes = frame(fin | op_text, "Hello");
    std::size_t consumed = 0;
    auto ev = r.next(bytes.data(), bytes.size(), consumed);
    EXPECT_EQ(ev.what, kind::text);
    EXPECT_EQ(ev.data, "Hello");
    EXPECT_EQ(consumed, bytes.size());
}

TEST(ws_reader, reads_the_rfc_6455_masked_hello_example) {
    // RFC 6455 section 5.7: a single-frame masked text message.
    EXPECT_EQ(one("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"_s),
              (event{kind::text, "Hello", 0}));
}

TEST(ws_reader, reads_a_masked_binary_frame_without_checking_utf8) {
    std::string const bytes("\xff\x00\xfe\x80", 4);
    EXPECT_EQ(one(frame(fin | op_binary, bytes)), (event{kind::binary, bytes, 0}));
}

TEST(ws_reader, reads_empty_text_and_binary_messages) {
    EXPECT_EQ(one(frame(fin | op_text, "")), (event{kind::text, "", 0}));
    EXPECT_EQ(one(frame(fin | op_binary, "")), (event{kind::binary, "", 0}));
}

TEST(ws_reader, consumes_one_frame_at_a_time_and_leaves_the_rest) {
    ws_reader r(1024);
    auto bytes = frame(fin | op_text, "one") + frame(fin | op_binary, "two");
    std::size_t consumed = 0;
    auto ev = r.next(bytes.data(), bytes.size(), consumed);
    EXPECT_EQ(ev.what, kind::text);
    EXPECT_EQ(ev.data, "one");
    ASSERT_EQ(consumed, 2u + 4u + 3u);
    auto ev2 = r.next(bytes.data() + consumed, bytes.size() - consumed, consumed);
    EXPECT_EQ(ev2.what, kind::binary);
    EXPECT_EQ(ev2.data, "two");
    EXPECT_EQ(consumed, 2u + 4u + 3u);
}

TEST(ws_reader, closes_with_1002_on_an_unmasked_frame) {
    EXPECT_EQ(one(header(fin | op_text, 5, false) + "Hello"), error(1002));
    EXPECT_EQ(one(header(fin | op_ping, 0, false)), error(1002));
}

TEST(ws_reader, closes_with_1002_when_reserved_bits_are_set) {
    for (std::uint8_t rsv : {0x40, 0x20, 0x10, 0x70})
        EXPECT_EQ(one(frame(fin | rsv | op_text, "x")), error(1002)) << int{rsv};
}

TEST(ws_reader, closes_with_1002_on_unknown_opcodes) {
    for (std::uint8_t op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
        EXPECT_EQ(one(frame(fin | op, "x")), error(1002)) << int{op};
}

TEST(ws_reader, reassembles_a_text_message_fragmented_across_continuation_frames) {
    ws_reader r(1024);
    auto ev = feed(r, frame(op_text, "Hel") + frame(op_cont, "") + frame(op_cont, "lo, ") +
                          frame(fin | op_cont, "world"));
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0], (event{kind::text, "Hello, world", 0}));
}

TEST(ws_reader, reassembles_a_binary_message_fragmented_across_continuation_frames) {
    ws_reader r(1024);
    auto ev = feed(r, frame(op_binary, "\x00\xff"_s) + frame(fin | op_cont, "\x80"));
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0], (event{kind::binary, "\x00\xff\x80"_s, 0}));
}

TEST(ws_reader, reports_need_more_with_bytes_consumed_for_a_non_final_fragment) {
    ws_reader r(1024);
    auto bytes = frame(op_text, "abc");
    std::size_t consumed = 0;
    auto ev = r.next(bytes.data(), bytes.size(), consumed);
    EXPECT_EQ(ev.what, kind::need_more);
    EXPECT_EQ(consumed, bytes.size());
}

TEST(ws_reader, answers_control_frames_interleaved_within_a_fragmented_message) {
    ws_reader r(1024);
    auto ev = feed(r, frame(op_text, "He") + frame(fin | op_ping, "p1") + frame(op_cont, "ll") +
                          frame(fin | op_pong, "p2") + frame(fin | op_cont, "o"));
    std::vector<event> want{{kind::ping, "p1", 0}, {kind::pong, "p2", 0}, {kind::text, "Hello", 0}};
    EXPECT_EQ(ev, want);
}

TEST(ws_reader, accepts_a_close_within_a_fragmented_message) {
    ws_reader r(1024);
    auto ev = feed(r, frame(op_text, "He") + frame(fin | op_close, "\x03\xe8"_s));
    std::vector<event> want{{kind::close, "", 1000}};
    EXPECT_EQ(ev, want);
}

TEST(ws_reader, reads_another_message_after_a_fragmented_one) {
    ws_reader r(1024);
    auto ev =
        feed(r, frame(op_binary, "a") + frame(fin | op_cont, "b") + frame(fin | op_text, "c") +
                    frame(op_text, "d") + frame(fin | op_cont, "e"));
    std::vector<event> want{{kind::binary, "ab", 0}, {kind::text, "c", 0}, {kind::text, "de", 0}};
    EXPECT_EQ(ev, want);
}

TEST(ws_reader, closes_with_1002_on_a_continuation_without_a_start) {
    EXPECT_EQ(one(frame(fin | op_cont, "x")), error(1002));
    EXPECT_EQ(one(frame(op_cont, "x")), error(1002));
    ws_reader r(1024);
    auto ev = feed(r, frame(fin | op_text, "done") + frame(fin | op_cont, "late"));
    std::vector<event> want{{kind::text, "done", 0}, error(1002)};
    EXPECT_EQ(ev, want);
}

TEST(ws_reader, closes_with_1002_on_a_new_message_before_the_last_one_ends) {
    ws_reader r(1024);
    EXPECT_EQ(feed(r, frame(op_text, "a") + frame(fin | op_text, "b")),
              std::vector<event>{error(1002)});
    ws_reader r2(1024);
    EXPECT_EQ(feed(r2, frame(op_text, "a") + frame(fin | op_binary, "b")),
              std::vector<event>{error(1002)});
}

TEST(ws_reader, reads_pings_and_pongs_with_their_payloads) {
    EXPECT_EQ(one(frame(fin | op_ping, "are you there")), (event{kind::ping, "are you there", 0}));
    EXPECT_EQ(one(frame(fin | op_ping, "")), (event{kind::ping, "", 0}));
    EXPECT_EQ(one(frame(fin | op_pong, "yes")), (event{kind::pong, "yes", 0}));
}

TEST(ws_reader, accepts_a_control_frame_of_exactly_125_bytes) {
    std::string const payload(125, 'p');
    EXPECT_EQ(one(frame(fin | op_ping, payload)), (event{kind::ping, payload, 0}));
}

TEST(ws_reader, closes_with_1002_on_a_control_frame_over_125_bytes) {
    EXPECT_EQ(one(frame(fin | op_ping, std::string(126, 'p'))), error(1002));
    EXPECT_EQ(one(frame(fin | op_pong, std::string(126, 'p'))), error(1002));
    EXPECT_EQ(one(frame(fin | op_close, "\x03\xe8"_s + std::string(124, 'r'))), error(1002));
}

TEST(ws_reader, closes_with_1002_on_a_fragmented_control_frame) {
    EXPECT_EQ(one(frame(op_ping, "p")), error(1002));
    EXPECT_EQ(one(frame(op_pong, "p")), error(1002));
    EXPECT_EQ(one(frame(op_close, "\x03\xe8"_s)), error(1002));
}

TEST(ws_reader, refuses_an_oversized_control_frame_from_its_header) {
    // RFC 6455 section 5.5: a control frame's length is at most 125, known from its header.
    ws_reader r(1024);
    auto bytes = header(fin | op_ping, 1u << 30);
    std::size_t consumed = 0;
    auto ev = r.next(bytes.data(), bytes.size(), consumed);
    EXPECT_EQ(copy(ev), error(1002));
}

TEST(ws_reader, survives_a_control_frame_announcing_a_64_bit_length_near_the_maximum) {
    ws_reader r(1024);
    // Header only: 2 + 8 length bytes; the mask has not arrived.
    auto bytes = header(fin | op_ping, 0xFFFFFFFFFFFFFFFCull, false);
    bytes[1] = static_cast<char>(0xFF);
    std::size_t consumed = 0;
    auto ev = r.next(bytes.data(), bytes.size(), consumed);
    EXPECT_NE(ev.what, kind::ping);
    EXPECT_EQ(consumed, 0u);
}

TEST(ws_reader, survives_a_continuation_whose_length_wraps_the_message_size_sum) {
    ws_reader r(1024);
    std::string bytes = frame(op_text, "abcd");
    std::size_t consumed = 0;
    ASSERT_EQ(r.next(bytes.data(), bytes.size(), consumed).what, kind::need_more);
    // The largest length RFC 6455 allows (the top bit must be clear): the sum would wrap
    // in 64 bits only with a larger message so far, but the limit check must not add.
    auto cont = header(fin | op_cont, (1ull << 63) - 1, true, true);
    auto ev = r.next(cont.data(), cont.size(), consumed);
    EXPECT_EQ(copy(ev), error(1009));
}

TEST(ws_reader, closes_with_1002_when_a_64_bit_length_has_its_top_bit_set) {
    ws_reader r(1024);
    auto bytes = header(fin | op_binary, 0xFFFFFFFFFFFFFFFCull, true, true);
    std::size_t consumed = 0;
    EXPECT_EQ(copy(r.next(bytes.data(), bytes.size(), consumed)), error(1002));
}

TEST(ws_reader, reports_an_empty_close_as_1005) {
    EXPECT_EQ(one(frame(fin | op_close, "")), (event{kind::close, "", 1005}));
}

TEST(ws_reader, reads_the_close_code_and_reason) {
    EXPECT_EQ(one(frame(fin | op_close, "\x03\xe9going away"_s)),
              (event{kind::close, "going away", 1001}));
    EXPECT_EQ(one(frame(fin | op_close, "\x0f\xa0"_s)), (event{kind::close, "", 4000}));
    EXPECT_EQ(one(frame(fin | op_close, "\x03\xe8\xc3\xa9t\xc3\xa9"_s)),
              (event{kind::close, "\xc3\xa9t\xc3\xa9", 1000}));
}

TEST(ws_reader, closes_with_1002_on_a_one_byte_close) {
    EXPECT_EQ(one(frame(fin | op_close, "\x03")), error(1002));
}

TEST(ws_reader, closes_with_1007_on_a_close_reason_that_is_not_utf8) {
    EXPECT_EQ(one(frame(fin | op_close, "\x03\xe8\xff"_s)), error(1007));
    EXPECT_EQ(one(frame(fin | op_close, "\x03\xe8\xc3"_s)), error(1007));
}

TEST(ws_reader, closes_with_1002_on_close_codes_no_endpoint_may_send) {
    for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
        std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
        EXPECT_EQ(one(frame(fin | op_close, payload)), error(1002)) << code;
    }
}

TEST(ws_reader, closes_with_1007_on_a_text_frame_that_is_not_utf8) {
    EXPECT_EQ(one(frame(fin | op_text, "\xff")), error(1007));
    EXPECT_EQ(one(frame(fin | op_text, "ok\xc3")), error(1007));
    EXPECT_EQ(one(frame(fin | op_text, "\xed\xa0\x80")), error(1007)); // a surrogate
    EXPECT_EQ(one(frame(fin | op_text, "\xc0\xaf")), error(1007));     // overlong '/'
}

TEST(ws_reader, accepts_a_code_point_split_across_fragments) {
    ws_reader r(1024);
    // U+1F600 (F0 9F 98 80) in three fragments.
    auto ev = feed(r, frame(op_text, "a\xf0") + frame(op_cont, "\x9f\x98") +
                          frame(fin | op_cont, "\x80z"));
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0], (event{kind::text, "a\xf0\x9f\x98\x80z", 0}));
}

TEST(ws_reader, closes_with_1007_as_soon_as_a_fragment_cannot_become_utf8) {
    ws_reader r(1024);
    auto first = frame(op_text, "ok\xff");
    std::size_t consumed = 0;
    EXPECT_EQ(copy(r.next(first.data(), first.size(), consumed)), error(1007));

    ws_reader r2(1024);
    auto ok = frame(op_text, "a\xf0");
    ASSERT_EQ(r2.next(ok.data(), ok.size(), consumed).what, kind::need_more);
    auto bad = frame(op_cont, "A"); // not a continuation byte, and the message is not finished
    EXPECT_EQ(copy(r2.next(bad.data(), bad.size(), consumed)), error(1007));
}

TEST(ws_reader, closes_with_1007_when_a_fragmented_text_ends_mid_code_point) {
    ws_reader r(1024);
    EXPECT_EQ(feed(r, frame(op_text, "a") + frame(fin | op_cont, "\xe2\x82")),
              std::vector<event>{error(1007)});
}

TEST(ws_reader, does_not_check_utf8_of_binary_fragments) {
    ws_reader r(1024);
    EXPECT_EQ(feed(r, frame(op_binary, "\xff") + frame(fin | op_cont, "\xc3")),
              std::vector<event>{(event{kind::binary, "\xff\xc3", 0})});
}

TEST(ws_reader, accepts_a_message_exactly_at_the_limit) {
    std::string const payload(100, 'x');
    EXPECT_EQ(one(frame(fin | op_text, payload), 100), (event{kind::text, payload, 0}));
    ws_reader r(100);
    EXPECT_EQ(
        feed(r, frame(op_binary, payload.substr(0, 60)) + frame(fin | op_cont, payload.substr(60))),
        std::vector<event>{(event{kind::binary, payload, 0})});
}

TEST(ws_reader, closes_with_1009_when_a_message_exceeds_the_limit) {
    EXPECT_EQ(one(frame(fin | op_text, std::string(101, 'x')), 100), error(1009));
    EXPECT_EQ(one(frame(fin | op_binary, std::string(101, 'x')), 100), error(1009));
}

TEST(ws_reader, closes_with_1009_from_the_header_before_the_payload_arrives) {
    ws_reader r(100);
    for (std::uint64_t length : {101ull, 70000ull, 1ull << 40, (1ull << 63) - 1}) {
        auto bytes = header(fin | op_binary, length)
                         .substr(0, length < 126     ? 2
                                    : length < 65536 ? 4
                                                     : 10);
        std::size_t consumed = 0;
        EXPECT_EQ(copy(r.next(bytes.data(), bytes.size(), consumed)), error(1009)) << length;
    }
}

TEST(ws_reader, closes_with_1009_when_fragments_together_exceed_the_limit) {
    ws_reader r(100);
    auto ev = feed(r, frame(op_text, std::string(40, 'a')) + frame(op_cont, std::string(40, 'b')) +
                          frame(fin | op_cont, std::string(21, 'c')));
    EXPECT_EQ(ev, std::vector<event>{error(1009)});
}

TEST(ws_reader, does_not_count_control_frames_against_the_message_limit) {
    ws_reader r(10);
    auto ev = feed(r, frame(op_text, "12345") + frame(fin | op_ping, std::string(100, 'p')) +
                          frame(fin | op_cont, "67890"));
    std::vector<event> want{{kind::ping, std::string(100, 'p'), 0}, {kind::text, "1234567890", 0}};
    EXPECT_EQ(ev, want);
}

TEST(ws_reader, reads_16_bit_lengths) {
    for (std::size_t n : {126u, 1000u, 65535u}) {
        std::string const payload(n, 'q');
        auto bytes = frame(fin | op_binary, payload);
        ASSERT_EQ(static_cast<std::uint8_t>(bytes[1]), 0x80 | 126);
        EXPECT_EQ(one(bytes), (event{kind::binary, payload, 0})) << n;
    }
}

TEST(ws_reader, reads_64_bit_lengths) {
    std::string const big(65536, 'q');
    auto bytes = frame(fin | op_binary, big);
    ASSERT_EQ(static_cast<std::uint8_t>(bytes[1]), 0x80 | 127);
    EXPECT_EQ(one(bytes), (event{kind::binary, big, 0}));
    // A small length in the 64-bit form is accepted too.
    EXPECT_EQ(one(frame(fin | op_text, "hi", true)), (event{kind::text, "hi", 0}));
}

TEST(ws_reader, returns_need_more_without_consuming_until_the_frame_is_complete) {
    for (std::size_t n : {0u, 5u, 125u, 126u, 300u, 65536u}) {
        std::string const payload(n, 'k');
        std::string bytes = frame(fin | op_binary, payload);
        ws_reader r(1 << 20);
        for (std::size_t len = 0; len < bytes.size(); ++len) {
            // Every prefix of the header and of the last bytes; the middle of big frames in steps.
            if (len > 16 && len + 16 < bytes.size() && len % 4093 != 0) continue;
            // Each call gets a fresh copy of the prefix, as after a new read.
            std::string prefix = bytes.substr(0, len);
            std::size_t consumed = 99;
            auto ev = r.next(prefix.data(), prefix.size(), consumed);
            ASSERT_EQ(ev.what, kind::need_more) << n << " at " << len;
            ASSERT_EQ(consumed, 0u) << n << " at " << len;
        }
        std::size_t consumed = 0;
        auto ev = r.next(bytes.data(), bytes.size(), consumed);
        EXPECT_EQ(copy(ev), (event{kind::binary, payload, 0})) << n;
        EXPECT_EQ(consumed, bytes.size());
    }
}

TEST(ws_reader, reads_a_fragmented_message_fed_byte_by_byte) {
    ws_reader r(1024);
    auto bytes = frame(op_text, "caf\xc3") + frame(fin | op_ping, "p") + frame(op_cont, "\xa9 ") +
                 frame(fin | op_cont, std::string(200, 'z')) + frame(fin | op_close, "\x03\xe8"_s);
    std::vector<event> want{{kind::ping, "p", 0},
                            {kind::text, "caf\xc3\xa9 " + std::string(200, 'z'), 0},
                            {kind::close, "", 1000}};
    for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u}) {
        ws_reader fresh(1024);
        EXPECT_EQ(feed(fresh, bytes, chunk), want) << chunk;
    }
    EXPECT_EQ(feed(r, bytes), want);
}

TEST(ws_frame_header, uses_the_shortest_length_form) {
    EXPECT_EQ(ws_frame_header(ws_opcode::text, 0), "\x81\x00"_s);
    EXPECT_EQ(ws_frame_header(ws_opcode::binary, 125), "\x82\x7d"_s);
    EXPECT_EQ(ws_frame_header(ws_opcode::text, 126), "\x81\x7e\x00\x7e"_s);
    EXPECT_EQ(ws_frame_header(ws_opcode::text, 65535), "\x81\x7e\xff\xff"_s);
    EXPECT_EQ(ws_frame_header(ws_opcode::text, 65536),
              "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"_s);
    EXPECT_EQ(ws_frame_header(ws_opcode::binary, 0x0102030405ull),
              "\x82\x7f\x00\x00\x00\x01\x02\x03\x04\x05"_s);
}

TEST(ws_frame_header, sets_fin_and_the_opcode_without_a_mask) {
    EXPECT_EQ(ws_frame_header(ws_opcode::ping, 3), "\x89\x03"_s);
    EXPECT_EQ(ws_frame_header(ws_opcode::pong, 3), "\x8a\x03"_s);
    EXPECT_EQ(ws_frame_header(ws_opcode::close, 2), "\x88\x02"_s);
}

TEST(ws_frame, appends_the_payload_to_the_header) {
    EXPECT_EQ(ws_frame(ws_opcode::pong, "abc"), "\x8a\x03"
                                                "abc"_s);
}

TEST(ws_close_frame, holds_the_code_in_network_order_and_the_reason) {
    EXPECT_EQ(ws_close_frame(1000), "\x88\x02\x03\xe8"_s);
    EXPECT_EQ(ws_close_frame(1009, "too big"), "\x88\x09\x03\xf1"
                                               "too big"_s);
}

TEST(ws_close_frame, keeps_at_most_123_bytes_of_the_reason) {
    auto f = ws_close_frame(1001, std::string(200, 'r'));
    ASSERT_EQ(f.size(), 2u + 125u);
    EXPECT_EQ(static_cast<std::uint8_t>(f[1]), 125);
    EXPECT_EQ(f.substr(4), std::string(123, 'r'));
}

TEST(ws_close_frame, reads_back_through_ws_reader_as_the_same_close) {
    // Server frames are unmasked, so mask the payload with zeros to feed it to the reader.
    auto f = ws_close_frame(4001, "bye");
    std::string masked =
        f.substr(0, 1) + static_cast<char>(0x80 | f[1]) + std::string(4, '\0') + f.substr(2);
    EXPECT_EQ(one(masked), (event{kind::close, "bye", 4001}));
}

TEST(ws_close_frame, does_not_cut_a_utf8_reason_inside_a_code_point) {
    auto f = ws_close_frame(1000, std::string(122, 'r') + "\xc3\xa9");
    EXPECT_TRUE(kibitz::util::is_valid_utf8(std::string_view(f).substr(4)));
}

TEST(ws_accept_key, matches_the_rfc_6455_example) {
    EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_reader, closes_with_1009_past_the_frames_per_message_cap_even_when_frames_are_empty) {
    // 200,000 empty continuations would cost no bytes: the frame count stops them.
    ws_reader r(1 << 20, 8);
    std::string bytes = frame(op_text, "a");
    for (int i = 0; i < 6; ++i)
        bytes += frame(op_cont, "");
    auto ok = feed(r, bytes + frame(fin | op_cont, ""));
    // Eight frames in all is the cap itself: the message is delivered.
    ASSERT_EQ(ok.size(), 1u);
    EXPECT_EQ(ok[0], (event{kind::text, "a", 0}));
    ws_reader over(1 << 20, 8);
    auto ev = feed(over, bytes + frame(op_cont, "") + frame(fin | op_cont, ""));
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0], error(1009));
}

TEST(ws_reader, has_a_default_frames_per_message_cap) {
    ws_reader r(1 << 20);
    std::string bytes = frame(op_binary, "");
    for (std::size_t i = 0; i < ws_reader::default_max_frames_per_message + 10; ++i)
        bytes += frame(op_cont, "");
    auto ev = feed(r, bytes);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0], error(1009));
}

TEST(ws_reader, releases_a_large_fragment_buffer_once_the_message_is_delivered) {
    ws_reader r(1 << 20);
    std::string const part(64 * 1024, 'x');
    auto ev = feed(r, frame(op_binary, part) + frame(op_cont, part) + frame(fin | op_cont, part));
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].data.size(), 3 * part.size());
    EXPECT_GE(r.buffered_capacity(), 3 * part.size()); // still the delivered message's bytes
    // The next frame read finds the old message done: its buffer goes.
    auto next = feed(r, frame(fin | op_text, "small"));
    ASSERT_EQ(next.size(), 1u);
    EXPECT_LE(r.buffered_capacity(), ws_reader::fragment_keep_bytes);
}
