// The msgpack parser against bytes npm socket.io-msgpack-parser 3.0.2 (notepack.io) wrote.
#include <kibitz/socketio/msgpack_parser.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace kibitz::socketio;
using kibitz::json;

namespace {

std::string unhex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

std::string hex(std::string const& bytes) {
    static char const digits[] = "0123456789abcdef";
    std::string out;
    for (char ch : bytes) {
        auto const c = static_cast<unsigned char>(ch);
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

json bin(std::initializer_list<std::uint8_t> bytes) {
    return json::binary(std::vector<std::uint8_t>(bytes));
}

} // namespace

TEST(msgpack_parser, encodes_as_the_npm_parser_does) {
    packet event{packet_type::event, "/", std::nullopt,
                 json::array({"message-back", 1, "two", bin({0, 255})})};
    EXPECT_EQ(hex(encode_msgpack(event)),
              "83a47479706502a46461746194ac6d6573736167652d6261636b01a374776fc40200ffa36e7370a12f");
    // Binary data stays an EVENT (no BINARY_* types on this wire).
    event.type = packet_type::binary_event;
    EXPECT_EQ(encode_msgpack(event).substr(0, 7), unhex("83a47479706502"));
    packet ack{packet_type::ack, "/custom", 7, json::array({json{{"a", true}}})};
    EXPECT_EQ(hex(encode_msgpack(ack)),
              "84a47479706503a4646174619181a161c3a36e7370a72f637573746f6da2696407");
    packet connect{packet_type::connect, "/", std::nullopt, json{{"sid", "abc"}}};
    EXPECT_EQ(hex(encode_msgpack(connect)),
              "83a47479706500a46461746181a3736964a3616263a36e7370a12f");
    packet refused{packet_type::connect_error, "/nope", std::nullopt,
                   json{{"message", "Invalid namespace"}}};
    EXPECT_EQ(hex(encode_msgpack(refused)),
              "83a47479706504a46461746181a76d657373616765b1496e76616c6964206e616d657370616365a36e"
              "7370a52f6e6f7065");
}

TEST(msgpack_parser, decodes_what_socket_io_client_sends) {
    // CONNECT without auth: data is `undefined` (d4 00 00), or left out.
    for (auto const* bytes :
         {"83a47479706500a36e7370a12fa464617461d40000", "82a47479706500a36e7370a12f"}) {
        auto r = decode_msgpack(unhex(bytes), {});
        ASSERT_TRUE(r.has_packet()) << bytes;
        EXPECT_EQ(r.pkt.type, packet_type::connect);
        EXPECT_EQ(r.pkt.nsp, "/");
        EXPECT_FALSE(r.pkt.has_data());
    }
    auto e = decode_msgpack(
        unhex("84a47479706502a36e7370a12fa46461746192a76d65737361676501a2696403"), {});
    ASSERT_TRUE(e.has_packet());
    EXPECT_EQ(e.pkt.type, packet_type::event);
    EXPECT_EQ(e.pkt.id, 3U);
    EXPECT_EQ(e.pkt.data, json::array({"message", 1}));
    // Round trip with binary inside.
    packet p{packet_type::event, "/x", 9, json::array({"e", json{{"b", bin({1, 2, 3})}}})};
    auto back = decode_msgpack(encode_msgpack(p), {});
    ASSERT_TRUE(back.has_packet());
    EXPECT_EQ(back.pkt, p);
}

TEST(msgpack_parser, refuses_malformed_packets_with_the_decoder_codes) {
    auto code = [](std::string_view hex_bytes, decoder_limits limits = {}) {
        auto r = decode_msgpack(unhex(hex_bytes), limits);
        EXPECT_TRUE(r.failed()) << hex_bytes;
        return r.error;
    };
    EXPECT_EQ(code("c1"), decode_error::invalid_payload);                        // not MessagePack
    EXPECT_EQ(code("81a474797065"), decode_error::invalid_payload);              // cut short
    EXPECT_EQ(code("93010203"), decode_error::invalid_type);                     // not a map
    EXPECT_EQ(code("82a47479706505a36e7370a12f"), decode_error::invalid_type);   // type 5
    EXPECT_EQ(code("82a474797065a132a36e7370a12f"), decode_error::invalid_type); // "2"
    EXPECT_EQ(code("81a47479706500"), decode_error::invalid_namespace);
    EXPECT_EQ(code("82a47479706500a36e737001"), decode_error::invalid_namespace);
    // An EVENT needs an array with a string name, not a reserved one; a negative id.
    EXPECT_EQ(code("83a47479706502a36e7370a12fa4646174619105"), decode_error::invalid_event_name);
    EXPECT_EQ(code("83a47479706502a36e7370a12fa46461746191a7636f6e6e656374"),
              decode_error::reserved_event_name);
    EXPECT_EQ(code("84a47479706502a36e7370a12fa46461746191a165a26964ff"),
              decode_error::invalid_ack_id);
    EXPECT_EQ(code("83a47479706501a36e7370a12fa46461746190"), decode_error::invalid_payload);
    // Nesting and values are bounded as in the JSON decoder.
    std::string deep = "83a47479706502a36e7370a12fa464617461";
    for (int i = 0; i < 40; ++i)
        deep += "91";
    deep += "c0";
    EXPECT_EQ(code(deep), decode_error::nesting_too_deep);
    decoder_limits few;
    few.max_values = 5;
    EXPECT_EQ(code("83a47479706502a36e7370a12fa46461746196a1650102030405", few),
              decode_error::too_many_values);
}
