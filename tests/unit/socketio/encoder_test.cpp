#include <kibitz/socketio/encoder.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace kibitz;
using namespace kibitz::socketio;

namespace {

json bytes(std::initializer_list<std::uint8_t> b) {
    return json::binary(std::vector<std::uint8_t>(b));
}

packet make(packet_type type, std::string nsp, json data, std::optional<std::uint64_t> id = {}) {
    packet p;
    p.type = type;
    p.nsp = std::move(nsp);
    p.data = std::move(data);
    p.id = id;
    return p;
}

std::string text_of(packet const& p) {
    return encode(p).text;
}

} // namespace

// socket.io-protocol README, "Packet encoding" examples.
TEST(encoder, writes_the_readme_connect_and_disconnect_examples) {
    EXPECT_EQ(text_of(make(packet_type::connect, "/", nullptr)), "0");
    EXPECT_EQ(text_of(make(packet_type::connect, "/admin", {{"sid", "oSO0OpakMV_3jnilAAAA"}})),
              R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})");
    EXPECT_EQ(text_of(make(packet_type::connect_error, "/", {{"message", "Not authorized"}})),
              R"(4{"message":"Not authorized"})");
    EXPECT_EQ(text_of(make(packet_type::disconnect, "/", nullptr)), "1");
    EXPECT_EQ(text_of(make(packet_type::disconnect, "/admin", nullptr)), "1/admin,");
}

TEST(encoder, writes_the_readme_event_and_ack_examples) {
    EXPECT_EQ(text_of(make(packet_type::event, "/", {"foo"})), R"(2["foo"])");
    EXPECT_EQ(text_of(make(packet_type::event, "/admin", {"bar"})), R"(2/admin,["bar"])");
    EXPECT_EQ(text_of(make(packet_type::event, "/", {"foo"}, 12)), R"(212["foo"])");
    EXPECT_EQ(text_of(make(packet_type::ack, "/admin", {"bar"}, 13)), R"(3/admin,13["bar"])");
    EXPECT_EQ(text_of(make(packet_type::ack, "/", json::array(), 12)), "312[]");
}

TEST(encoder, writes_the_readme_binary_examples) {
    auto const one = encode(make(packet_type::event, "/", {"baz", bytes({1, 2, 3, 4})}));
    EXPECT_EQ(one.text, R"(51-["baz",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(one.attachments, std::vector<std::string>{std::string("\x01\x02\x03\x04")});

    auto const two =
        encode(make(packet_type::event, "/admin", {"baz", bytes({1, 2}), bytes({3, 4})}));
    EXPECT_EQ(two.text,
              R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    EXPECT_EQ(two.attachments, (std::vector<std::string>{"\x01\x02", "\x03\x04"}));

    auto const ack = encode(make(packet_type::ack, "/", {"bar", bytes({1, 2, 3, 4})}, 15));
    EXPECT_EQ(ack.text, R"(61-15["bar",{"_placeholder":true,"num":0}])");
    // The README's sample session: 461-/admin,1[...] is Engine.IO '4' + this.
    auto const session = encode(make(packet_type::ack, "/admin", json::array({bytes({7})}), 1));
    EXPECT_EQ(session.text, R"(61-/admin,1[{"_placeholder":true,"num":0}])");
}

// socket.io-parser test/parser.js and test/buffer.js vectors.
TEST(encoder, writes_the_socket_io_parser_vectors) {
    EXPECT_EQ(text_of(make(packet_type::connect, "/woot", {{"token", "123"}})),
              R"(0/woot,{"token":"123"})");
    EXPECT_EQ(text_of(make(packet_type::disconnect, "/woot", nullptr)), "1/woot,");
    EXPECT_EQ(text_of(make(packet_type::event, "/", {"a", 1, json::object()})), R"(2["a",1,{}])");
    EXPECT_EQ(text_of(make(packet_type::event, "/", {1, "a", json::object()})), R"(2[1,"a",{}])");
    EXPECT_EQ(text_of(make(packet_type::event, "/test", {"a", 1, json::object()}, 1)),
              R"(2/test,1["a",1,{}])");
    EXPECT_EQ(text_of(make(packet_type::ack, "/", {"a", 1, json::object()}, 123)),
              R"(3123["a",1,{}])");
    EXPECT_EQ(text_of(make(packet_type::connect_error, "/", "Unauthorized")), R"(4"Unauthorized")");
    auto const nested = encode(
        make(packet_type::event, "/cool", {"a", {{"b", {"c", bytes({'a', 'b', 'c'})}}}}, 23));
    EXPECT_EQ(nested.text, R"(51-/cool,23["a",{"b":["c",{"_placeholder":true,"num":0}]}])");
    EXPECT_EQ(nested.attachments, std::vector<std::string>{"abc"});
}

TEST(encoder, numbers_attachments_depth_first_in_text_order) {
    json const data = {"a",
                       {{"a", "hi"},
                        {"b", {{"why", bytes({1, 1, 1})}}},
                        {"c", {{"a", "bye"}, {"b", {{"a", bytes({2, 2, 2, 2, 2, 2})}}}}}}};
    auto const e = encode(make(packet_type::event, "/deep", data, 999));
    EXPECT_EQ(e.text, R"(52-/deep,999["a",{"a":"hi","b":{"why":{"_placeholder":true,"num":0}},)"
                      R"("c":{"a":"bye","b":{"a":{"_placeholder":true,"num":1}}}}])");
    ASSERT_EQ(e.attachments.size(), 2U);
    EXPECT_EQ(e.attachments[0].size(), 3U);
    EXPECT_EQ(e.attachments[1].size(), 6U);
}

TEST(encoder, writes_a_binary_typed_packet_without_binary_as_plain) {
    EXPECT_EQ(text_of(make(packet_type::binary_event, "/", {"a"})), R"(2["a"])");
    EXPECT_EQ(text_of(make(packet_type::binary_ack, "/", json::array(), 4)), "34[]");
}

TEST(encoder, writes_binary_outside_events_as_node_buffer_json) {
    EXPECT_EQ(text_of(make(packet_type::connect, "/", {{"k", bytes({1, 255})}})),
              R"(0{"k":{"type":"Buffer","data":[1,255]}})");
    EXPECT_TRUE(encode(make(packet_type::connect, "/", {{"k", bytes({1})}})).attachments.empty());
}

TEST(encoder, omits_an_empty_namespace_and_a_null_payload) {
    EXPECT_EQ(text_of(make(packet_type::connect, "", nullptr)), "0");
    EXPECT_EQ(text_of(make(packet_type::disconnect, "/x", nullptr, 5)), "1/x,5");
}

TEST(encoder, event_text_helper_matches_encode) {
    json const payload = {"move", {{"uci", "e2e4"}}, 1.5};
    EXPECT_EQ(encode_event_text("/chess", payload, 7),
              text_of(make(packet_type::event, "/chess", payload, 7)));
    EXPECT_EQ(encode_event_text("/", payload, std::nullopt), R"(2["move",{"uci":"e2e4"},1.5])");
}

TEST(encoder, has_binary_finds_nested_buffers) {
    EXPECT_FALSE(has_binary(json{"a", {{"b", 1}}}));
    EXPECT_TRUE(has_binary(json{"a", {{"b", {1, bytes({})}}}}));
    EXPECT_TRUE(has_binary(bytes({1})));
}

// JSON.stringify writes numbers with Number#toString.
TEST(stringify, writes_numbers_as_javascript_does) {
    EXPECT_EQ(stringify(1.0), "1");
    EXPECT_EQ(stringify(-0.0), "0");
    EXPECT_EQ(stringify(0.1), "0.1");
    EXPECT_EQ(stringify(123.456), "123.456");
    EXPECT_EQ(stringify(1e20), "100000000000000000000");
    EXPECT_EQ(stringify(1e21), "1e+21");
    EXPECT_EQ(stringify(1.5e21), "1.5e+21");
    EXPECT_EQ(stringify(0.000001), "0.000001");
    EXPECT_EQ(stringify(1.5e-7), "1.5e-7");
    EXPECT_EQ(stringify(-1e-7), "-1e-7");
    EXPECT_EQ(stringify(5e-324), "5e-324");
    EXPECT_EQ(stringify(1.7976931348623157e308), "1.7976931348623157e+308");
    EXPECT_EQ(stringify(std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(stringify(std::nan("")), "null");
    EXPECT_EQ(stringify(-42), "-42");
    EXPECT_EQ(stringify(18446744073709551615ULL), "18446744073709551615");
}

TEST(stringify, reads_each_exponent_on_its_own) {
    // Found by the fuzzer: a shorter exponent after a longer one must not pick up its digits.
    EXPECT_EQ(stringify(json{1.25e+300, 2.5e+26, 3e-300, 4e-9}), "[1.25e+300,2.5e+26,3e-300,4e-9]");
}

TEST(stringify, escapes_strings_as_javascript_does) {
    EXPECT_EQ(stringify("a\"b\\c/d"), R"("a\"b\\c/d")");
    EXPECT_EQ(stringify("\b\f\n\r\t"), R"("\b\f\n\r\t")");
    EXPECT_EQ(stringify(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\x7f\"");
    EXPECT_EQ(stringify(std::string("\0", 1)), R"("\u0000")");
    // Non-ASCII stays UTF-8, U+2028 and U+2029 included.
    EXPECT_EQ(stringify("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8"),
              "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8\"");
}

TEST(stringify, replaces_invalid_utf8_instead_of_throwing) {
    EXPECT_EQ(stringify("a\xff"
                        "b"),
              "\"a\xef\xbf\xbd"
              "b\"");
    EXPECT_EQ(stringify(json{{"k\xc3", "\xed\xa0\x80\n"}}),
              "{\"k\xef\xbf\xbd\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\\n\"}");
}

TEST(stringify, writes_containers_compactly_in_key_order) {
    EXPECT_EQ(stringify(json::parse(R"({"b":[1, true, null], "a":{}})")),
              R"({"a":{},"b":[1,true,null]})");
    EXPECT_EQ(stringify(json::array()), "[]");
}

TEST(packet_type, has_socket_io_parser_names) {
    EXPECT_EQ(to_string(packet_type::connect_error), "CONNECT_ERROR");
    EXPECT_EQ(to_string(packet_type::binary_ack), "BINARY_ACK");
}
