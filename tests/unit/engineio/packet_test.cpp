#include <kibitz/engineio/packet.hpp>
#include <kibitz/engineio/ws_codec.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace kibitz::engineio;

namespace {

packet text(packet_type type, std::string data) {
    return packet{type, false, std::move(data)};
}

packet bin(std::string data) {
    return packet{packet_type::message, true, std::move(data)};
}

std::uint8_t byte(std::string_view s, std::size_t i) {
    return static_cast<std::uint8_t>(s.at(i));
}

// The payload length announced by an unmasked server frame header.
std::uint64_t announced_length(std::string_view frame) {
    std::uint64_t len = byte(frame, 1) & 0x7F;
    if (len == 126) return (std::uint64_t{byte(frame, 2)} << 8) | byte(frame, 3);
    if (len == 127) {
        len = 0;
        for (std::size_t i = 2; i < 10; ++i)
            len = (len << 8) | byte(frame, i);
    }
    return len;
}

} // namespace

TEST(decode_text_packet, reads_each_packet_type_and_its_data) {
    EXPECT_EQ(decode_text_packet("0{\"sid\":\"x\"}"), text(packet_type::open, "{\"sid\":\"x\"}"));
    EXPECT_EQ(decode_text_packet("1"), text(packet_type::close, ""));
    EXPECT_EQ(decode_text_packet("2probe"), text(packet_type::ping, "probe"));
    EXPECT_EQ(decode_text_packet("3"), text(packet_type::pong, ""));
    EXPECT_EQ(decode_text_packet("4hello"), text(packet_type::message, "hello"));
    EXPECT_EQ(decode_text_packet("5"), text(packet_type::upgrade, ""));
    EXPECT_EQ(decode_text_packet("6"), text(packet_type::noop, ""));
}

TEST(decode_text_packet, keeps_message_data_byte_for_byte) {
    std::string data("a\0b\x1e\xc3\xa9", 6);
    auto p = decode_text_packet("4" + data);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->data, data);
    EXPECT_FALSE(p->binary);
}

TEST(decode_text_packet, rejects_empty_text_and_unknown_types) {
    EXPECT_FALSE(decode_text_packet(""));
    EXPECT_FALSE(decode_text_packet("7"));
    EXPECT_FALSE(decode_text_packet("/"));
    EXPECT_FALSE(decode_text_packet("x4hello"));
    EXPECT_FALSE(decode_text_packet(std::string_view("\0", 1)));
}

TEST(decode_text_packet, rejects_base64_unless_allowed) {
    EXPECT_FALSE(decode_text_packet("bAQID"));
    EXPECT_EQ(decode_text_packet("bAQID", true), bin("\x01\x02\x03"));
}

TEST(decode_text_packet, decodes_base64_binary_with_and_without_padding) {
    EXPECT_EQ(decode_text_packet("baGk=", true), bin("hi"));
    EXPECT_EQ(decode_text_packet("baGk", true), bin("hi"));
    EXPECT_EQ(decode_text_packet("b", true), bin(""));
}

TEST(decode_text_packet, rejects_invalid_base64) {
    EXPECT_FALSE(decode_text_packet("b!!!!", true));
    EXPECT_FALSE(decode_text_packet("baGk=x", true));
}

TEST(decode_payload, reads_packets_separated_by_record_separators) {
    auto ps = decode_payload("4hello\x1e"
                             "2\x1e"
                             "bAQID\x1e"
                             "4");
    ASSERT_TRUE(ps);
    std::vector<packet> want{text(packet_type::message, "hello"), text(packet_type::ping, ""),
                             bin("\x01\x02\x03"), text(packet_type::message, "")};
    EXPECT_EQ(*ps, want);
}

TEST(decode_payload, reads_a_single_packet) {
    auto ps = decode_payload("4only");
    ASSERT_TRUE(ps);
    ASSERT_EQ(ps->size(), 1u);
    EXPECT_EQ(ps->front(), text(packet_type::message, "only"));
}

TEST(decode_payload, rejects_an_empty_body) {
    EXPECT_FALSE(decode_payload(""));
}

TEST(decode_payload, rejects_empty_packets_between_separators) {
    EXPECT_FALSE(decode_payload("\x1e"));
    EXPECT_FALSE(decode_payload("4a\x1e"));
    EXPECT_FALSE(decode_payload("\x1e"
                                "4a"));
    EXPECT_FALSE(decode_payload("4a\x1e\x1e"
                                "4b"));
}

TEST(decode_payload, rejects_the_whole_body_when_one_packet_is_malformed) {
    EXPECT_FALSE(decode_payload("4a\x1e"
                                "9b\x1e"
                                "4c"));
    EXPECT_FALSE(decode_payload("4a\x1e"
                                "b***"));
}

TEST(append_polling, writes_type_character_and_data_for_text) {
    std::string out = "x";
    append_polling(text(packet_type::message, "hi"), out);
    append_polling(text(packet_type::pong, "probe"), out);
    EXPECT_EQ(out, "x4hi3probe");
}

TEST(append_polling, writes_b_and_base64_for_binary) {
    std::string out;
    append_polling(bin("\x01\x02\x03"), out);
    EXPECT_EQ(out, "bAQID");
}

TEST(append_polling, round_trips_through_decode_payload) {
    std::vector<packet> ps{text(packet_type::open, "{}"), bin(std::string("\0\xff\x1e", 3)),
                           text(packet_type::message, "caf\xc3\xa9"), bin("")};
    std::string body;
    for (auto const& p : ps) {
        if (!body.empty()) body += '\x1e';
        append_polling(p, body);
    }
    auto back = decode_payload(body);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, ps);
}

TEST(outgoing, text_frame_holds_header_type_character_and_data) {
    auto m = make_message("hello");
    EXPECT_EQ(m->type(), packet_type::message);
    EXPECT_FALSE(m->binary());
    EXPECT_EQ(m->ws_frame(), std::string("\x81\x06") + "4hello");
    EXPECT_EQ(m->payload(), "4hello");
    EXPECT_EQ(m->polling(), "4hello");
    EXPECT_EQ(m->size(), m->ws_frame().size());
}

TEST(outgoing, binary_frame_holds_raw_bytes_without_a_type_character) {
    auto m = make_binary(std::string("\x00\x01\x02", 3));
    EXPECT_TRUE(m->binary());
    EXPECT_EQ(m->ws_frame(), std::string("\x82\x03\x00\x01\x02", 5));
    EXPECT_EQ(m->payload(), std::string("\x00\x01\x02", 3));
    EXPECT_EQ(m->polling(), "bAAEC");
}

TEST(outgoing, control_packets_carry_their_type) {
    auto ping = make_packet(packet_type::ping);
    EXPECT_EQ(ping->type(), packet_type::ping);
    EXPECT_EQ(ping->ws_frame(), std::string("\x81\x01"
                                            "2"));
    EXPECT_EQ(ping->polling(), "2");
    EXPECT_EQ(make_packet(packet_type::pong, "probe")->payload(), "3probe");
}

TEST(outgoing, binary_polling_form_is_computed_once) {
    auto m = make_binary("hi");
    auto first = m->polling();
    auto second = m->polling();
    EXPECT_EQ(first, "baGk=");
    EXPECT_EQ(first.data(), second.data());
    EXPECT_EQ(first.size(), second.size());
}

TEST(outgoing, empty_binary_polling_form_is_a_lone_b) {
    auto m = make_binary("");
    EXPECT_EQ(m->polling(), "b");
    EXPECT_EQ(m->polling().data(), m->polling().data());
    EXPECT_EQ(m->ws_frame(), std::string("\x82\x00", 2));
}

TEST(outgoing, frame_header_uses_the_shortest_length_form_at_each_boundary) {
    struct size_case {
        std::size_t payload;
        std::size_t header;
    };
    for (auto [payload, header] : {size_case{0, 2}, size_case{125, 2}, size_case{126, 4},
                                   size_case{65535, 4}, size_case{65536, 10}}) {
        std::string bytes(payload, 'z');
        auto b = make_binary(bytes);
        EXPECT_EQ(b->ws_frame().size(), header + payload) << payload;
        EXPECT_EQ(b->size(), header + payload) << payload;
        EXPECT_EQ(announced_length(b->ws_frame()), payload) << payload;
        EXPECT_EQ(byte(b->ws_frame(), 0), 0x82) << payload;
        EXPECT_EQ(b->payload(), bytes) << payload;
        if (payload == 0) continue;
        // Text frames count the type character as payload.
        auto t = make_message(std::string(payload - 1, 'z'));
        EXPECT_EQ(t->ws_frame().size(), header + payload) << payload;
        EXPECT_EQ(announced_length(t->ws_frame()), payload) << payload;
        EXPECT_EQ(byte(t->ws_frame(), 0), 0x81) << payload;
        EXPECT_EQ(t->payload().size(), payload) << payload;
        EXPECT_EQ(t->payload()[0], '4');
    }
}
