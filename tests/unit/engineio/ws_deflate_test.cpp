#include "ws_deflate.hpp"

#include <kibitz/engineio/packet.hpp>
#include <kibitz/engineio/ws_codec.hpp>

#include <gtest/gtest.h>

#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace kibitz::engineio;
using namespace kibitz::engineio::detail;
using kind = ws_event::kind;

namespace {

constexpr std::uint8_t fin = 0x80;
constexpr std::uint8_t rsv1 = 0x40;
constexpr std::uint8_t op_cont = 0x0;
constexpr std::uint8_t op_text = 0x1;
constexpr std::uint8_t op_binary = 0x2;
constexpr std::uint8_t op_ping = 0x9;

// A masked client frame (RFC 6455 section 5.3).
std::string frame(std::uint8_t b0, std::string_view payload) {
    std::string_view const mask = "\x11\x22\x33\x44";
    std::string f;
    f += static_cast<char>(b0);
    auto length = payload.size();
    if (length < 126) {
        f += static_cast<char>(0x80 | length);
    } else if (length <= 0xFFFF) {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>(length >> 8);
        f += static_cast<char>(length & 0xFF);
    } else {
        f += static_cast<char>(0x80 | 127);
        for (int i = 7; i >= 0; --i)
            f += static_cast<char>((static_cast<std::uint64_t>(length) >> (8 * i)) & 0xFF);
    }
    f += mask;
    for (std::size_t i = 0; i < payload.size(); ++i)
        f += static_cast<char>(payload[i] ^ mask[i & 3]);
    return f;
}

struct event {
    kind what;
    std::string data;
    std::uint16_t code;
};

// Every event of `bytes` fed at once, up to the first error.
std::vector<event> feed(ws_reader& r, std::string bytes) {
    std::vector<event> out;
    std::size_t used = 0;
    while (used < bytes.size()) {
        std::size_t n = 0;
        auto ev = r.next(bytes.data() + used, bytes.size() - used, n);
        used += n;
        if (ev.what == kind::need_more) {
            if (n == 0) break;
            continue;
        }
        out.push_back({ev.what, std::string(ev.data), ev.code});
        if (ev.what == kind::error) break;
    }
    return out;
}

std::string compressed(std::string_view message) {
    auto c = deflate_message(message);
    EXPECT_TRUE(c);
    return c.value_or("");
}

std::string repeat(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

// Inflates a server frame's payload the way a client does (RFC 7692 section 7.2.2).
std::string client_inflate(std::string_view payload) {
    std::string in(payload);
    in += std::string("\x00\x00\xff\xff", 4);
    z_stream z{};
    inflateInit2(&z, -15);
    std::string out(1 << 20, '\0');
    z.next_in = reinterpret_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    inflate(&z, Z_SYNC_FLUSH);
    out.resize(z.total_out);
    inflateEnd(&z);
    return out;
}

// A permessage-deflate payload that inflates to `size` zero bytes, built 64 KiB at a time.
std::string bomb(std::size_t size) {
    z_stream z{};
    deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
    std::string zeros(64 * 1024, '\0');
    std::string out;
    char buf[16384];
    for (std::size_t done = 0; done < size; done += zeros.size()) {
        bool last = done + zeros.size() >= size;
        z.next_in = reinterpret_cast<Bytef*>(zeros.data());
        z.avail_in = static_cast<uInt>(zeros.size());
        do {
            z.next_out = reinterpret_cast<Bytef*>(buf);
            z.avail_out = sizeof buf;
            deflate(&z, last ? Z_SYNC_FLUSH : Z_NO_FLUSH);
            out.append(buf, sizeof buf - z.avail_out);
        } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    out.resize(out.size() - 4); // the sync tail
    return out;
}
} // namespace

// ---- negotiation (RFC 7692 section 5 and 7.1) ----

TEST(negotiate_per_message_deflate, answers_the_usual_offers_with_no_context_takeover_both_ways) {
    std::string const answer(per_message_deflate_answer);
    for (auto offer : {"permessage-deflate", "permessage-deflate; client_max_window_bits",
                       "permessage-deflate; client_max_window_bits=10",
                       "permessage-deflate; client_max_window_bits=\"12\"",
                       "permessage-deflate; server_no_context_takeover",
                       "permessage-deflate;client_no_context_takeover",
                       "permessage-deflate; server_max_window_bits=15",
                       "x-webkit-deflate-frame, permessage-deflate",
                       "permessage-deflate; server_max_window_bits=10, permessage-deflate"})
        EXPECT_EQ(negotiate_per_message_deflate(offer), answer) << offer;
}

TEST(negotiate_per_message_deflate, declines_offers_it_cannot_honour_or_read) {
    for (auto offer : {"", "x-webkit-deflate-frame", "permessage-deflate; foo",
                       "permessage-deflate; server_max_window_bits",
                       "permessage-deflate; server_max_window_bits=10",
                       "permessage-deflate; client_max_window_bits=16",
                       "permessage-deflate; client_max_window_bits=7",
                       "permessage-deflate; client_max_window_bits=abc",
                       "permessage-deflate; server_no_context_takeover=1",
                       "permessage-deflate; client_max_window_bits; client_max_window_bits",
                       "permessage-deflatex", ",,;;,"})
        EXPECT_FALSE(negotiate_per_message_deflate(offer)) << offer;
}

// ---- the codec ----

TEST(deflate_message, round_trips_and_drops_the_sync_tail) {
    auto message = repeat("4[\"chat\",\"hello\"]", 100);
    auto c = compressed(message);
    EXPECT_LT(c.size(), message.size() / 5);
    std::string out;
    ASSERT_EQ(inflate_message(c, message.size(), out), inflate_result::ok);
    EXPECT_EQ(out, message);
    // Each message is a stream of its own: the second compresses the same as the first.
    EXPECT_EQ(compressed(message), c);
}

TEST(inflate_message, stops_at_the_bound) {
    auto message = std::string(100'000, 'a');
    auto c = compressed(message);
    std::string out;
    EXPECT_EQ(inflate_message(c, 100'000, out), inflate_result::ok);
    EXPECT_EQ(out.size(), 100'000u);
    EXPECT_EQ(inflate_message(c, 99'999, out), inflate_result::too_big);
    EXPECT_LE(out.capacity(), 2 * 100'000u);
    EXPECT_EQ(inflate_message("\xff\xff\xff", 1000, out), inflate_result::invalid);
}

TEST(inflate_message, a_bomb_costs_at_most_the_bound) {
    // 100 MB of zeros in about 100 kB; inflating stops right after 1 MB.
    auto c = bomb(100u << 20);
    EXPECT_LT(c.size(), 120'000u);
    std::string out;
    EXPECT_EQ(inflate_message(c, 1'000'000, out), inflate_result::too_big);
    EXPECT_LE(out.size(), 1'000'001u);
}

// ---- the reader with permessage-deflate ----

TEST(ws_reader_deflate, inflates_a_compressed_text_and_binary_message) {
    ws_reader r(1 << 20, 1024, true);
    auto text = repeat("4héllo ", 300);
    std::string binary(5000, '\x07');
    auto events = feed(r, frame(fin | rsv1 | op_text, compressed(text)) +
                              frame(fin | rsv1 | op_binary, compressed(binary)) +
                              frame(fin | op_text, "4plain"));
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].what, kind::text);
    EXPECT_EQ(events[0].data, text);
    EXPECT_EQ(events[1].what, kind::binary);
    EXPECT_EQ(events[1].data, binary);
    EXPECT_EQ(events[2].data, "4plain");
}

TEST(ws_reader_deflate, reassembles_a_fragmented_compressed_message_with_a_ping_between) {
    ws_reader r(1 << 20, 1024, true);
    auto text = repeat("4fragmented and compressed ", 500);
    auto c = compressed(text);
    auto third = c.size() / 3;
    auto events = feed(r, frame(rsv1 | op_text, c.substr(0, third)) + frame(fin | op_ping, "p") +
                              frame(op_cont, c.substr(third, third)) +
                              frame(fin | op_cont, c.substr(2 * third)));
    ASSERT_EQ(events.size(), 2u) << static_cast<int>(events[0].what) << " " << events[0].code;
    EXPECT_EQ(events[0].what, kind::ping);
    EXPECT_EQ(events[1].what, kind::text);
    EXPECT_EQ(events[1].data, text);
}

TEST(ws_reader_deflate, rsv1_off_the_first_data_frame_or_unnegotiated_is_a_protocol_error) {
    auto c = compressed("4hello hello hello");
    {
        ws_reader r(1 << 20); // not negotiated
        auto events = feed(r, frame(fin | rsv1 | op_text, c));
        ASSERT_EQ(events.size(), 1u);
        EXPECT_EQ(events[0].code, 1002);
    }
    {
        ws_reader r(1 << 20, 1024, true); // on a continuation
        auto events = feed(r, frame(rsv1 | op_text, c) + frame(fin | rsv1 | op_cont, c));
        ASSERT_EQ(events.size(), 1u);
        EXPECT_EQ(events[0].code, 1002);
    }
    {
        ws_reader r(1 << 20, 1024, true); // on a control frame
        auto events = feed(r, frame(fin | rsv1 | op_ping, "x"));
        ASSERT_EQ(events.size(), 1u);
        EXPECT_EQ(events[0].code, 1002);
    }
    {
        ws_reader r(1 << 20, 1024, true); // RSV2 is no one's
        auto events = feed(r, frame(fin | 0x20 | op_text, "4x"));
        ASSERT_EQ(events.size(), 1u);
        EXPECT_EQ(events[0].code, 1002);
    }
}

TEST(ws_reader_deflate, a_message_inflating_past_the_limit_is_1009_and_the_buffer_is_freed) {
    ws_reader r(1'000'000, 1024, true);
    auto events = feed(r, frame(fin | rsv1 | op_binary, bomb(100u << 20)));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].what, kind::error);
    EXPECT_EQ(events[0].code, 1009);
    EXPECT_LE(r.buffered_capacity(), ws_reader::fragment_keep_bytes);
}

TEST(ws_reader_deflate, invalid_deflate_data_and_invalid_inflated_utf8_are_1007) {
    ws_reader r(1 << 20, 1024, true);
    auto events = feed(r, frame(fin | rsv1 | op_text, "\xff\xff\xff\xff"));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].code, 1007);
    ws_reader r2(1 << 20, 1024, true);
    events = feed(r2, frame(fin | rsv1 | op_text, compressed("4\xc3\x28")));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].code, 1007);
}

TEST(ws_reader_deflate, a_large_buffer_is_released_after_its_message) {
    ws_reader r(1 << 20, 1024, true);
    auto text = repeat("4x", 20000);
    auto events =
        feed(r, frame(fin | rsv1 | op_text, compressed(text)) + frame(fin | op_text, "4y"));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_LE(r.buffered_capacity(), ws_reader::fragment_keep_bytes);
}

// ---- the shared outgoing frame ----

TEST(outgoing_deflated, compresses_once_from_the_threshold_with_rsv1) {
    auto text = repeat("[\"chat message\",\"hi\"]", 100);
    auto p = make_message(text);
    auto f = p->ws_frame_deflated(1024);
    EXPECT_EQ(static_cast<std::uint8_t>(f[0]), 0x80 | 0x40 | op_text);
    EXPECT_LT(f.size(), p->ws_frame().size());
    // The same bytes every time: computed once and shared.
    EXPECT_EQ(p->ws_frame_deflated(1024).data(), f.data());
    std::size_t header = (static_cast<std::uint8_t>(f[1]) & 0x7F) == 126 ? 4 : 2;
    EXPECT_EQ(client_inflate(f.substr(header)), "4" + text);

    auto small = make_message("short");
    EXPECT_EQ(small->ws_frame_deflated(1024), small->ws_frame());
    // Incompressible bytes go as they are.
    std::string noise;
    std::uint32_t x = 12345;
    for (int i = 0; i < 4000; ++i) {
        x = x * 1103515245u + 12345u;
        noise += static_cast<char>(x >> 24);
    }
    auto b = make_binary(noise);
    EXPECT_EQ(b->ws_frame_deflated(0), b->ws_frame());
}
