#include <kibitz/socketio/decoder.hpp>
#include <kibitz/socketio/encoder.hpp>
#include <kibitz/socketio/wire.hpp>

#include <gtest/gtest.h>

#include <chrono>

using namespace kibitz;
using namespace kibitz::socketio;
using namespace std::chrono_literals;

namespace {

util::time_point const t0{std::chrono::hours(1)};

json bytes(std::string_view s) {
    return json::binary(std::vector<std::uint8_t>(s.begin(), s.end()));
}

packet make(packet_type type, std::string nsp, json data, std::optional<std::uint64_t> id = {}) {
    packet p;
    p.type = type;
    p.nsp = std::move(nsp);
    p.data = std::move(data);
    p.id = id;
    return p;
}

// Decodes one text packet that needs no attachments.
decode_result decode_one(std::string_view text, decoder_limits limits = {}) {
    decoder d(limits);
    return d.feed_text(text, t0);
}

decode_error error_of(std::string_view text, decoder_limits limits = {}) {
    auto const r = decode_one(text, limits);
    EXPECT_TRUE(r.failed()) << text;
    return r.error;
}

// Feeds an encoded packet (text, then each attachment) and returns the last result.
decode_result feed_all(decoder& d, encoded_packet const& e) {
    auto r = d.feed_text(e.text, t0);
    for (auto const& a : e.attachments)
        r = d.feed_binary(a, t0);
    return r;
}

void expect_round_trip(packet const& p) {
    decoder d;
    auto const r = feed_all(d, encode(p));
    ASSERT_TRUE(r.has_packet()) << encode(p).text;
    EXPECT_EQ(r.pkt, p) << encode(p).text;
    EXPECT_FALSE(d.pending());
}

// A BINARY_EVENT "a" announcing `n` attachments, each named by one placeholder.
std::string binary_text(std::size_t n) {
    std::string text = "5" + std::to_string(n) + "-[\"a\"";
    for (std::size_t i = 0; i < n; ++i)
        text += ",{\"_placeholder\":true,\"num\":" + std::to_string(i) + "}";
    return text + "]";
}

std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

} // namespace

TEST(decoder, decodes_the_readme_examples) {
    auto r = decode_one("0");
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt, make(packet_type::connect, "/", nullptr));
    r = decode_one(R"(0/admin,{"token":"123"})");
    EXPECT_EQ(r.pkt, make(packet_type::connect, "/admin", {{"token", "123"}}));
    EXPECT_EQ(decode_one(R"(4{"message":"Not authorized"})").pkt,
              make(packet_type::connect_error, "/", {{"message", "Not authorized"}}));
    EXPECT_EQ(decode_one(R"(2["foo"])").pkt, make(packet_type::event, "/", {"foo"}));
    EXPECT_EQ(decode_one(R"(2/admin,["bar"])").pkt, make(packet_type::event, "/admin", {"bar"}));
    EXPECT_EQ(decode_one(R"(212["foo"])").pkt, make(packet_type::event, "/", {"foo"}, 12));
    EXPECT_EQ(decode_one(R"(3/admin,13["bar"])").pkt,
              make(packet_type::ack, "/admin", {"bar"}, 13));
    EXPECT_EQ(decode_one("1").pkt, make(packet_type::disconnect, "/", nullptr));
    EXPECT_EQ(decode_one("1/admin,").pkt, make(packet_type::disconnect, "/admin", nullptr));
}

TEST(decoder, accepts_a_namespace_without_its_trailing_comma) {
    // socket.io-parser reads the namespace up to ',' or to the end.
    auto const r = decode_one("0/admin");
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt.nsp, "/admin");
}

TEST(decoder, round_trips_every_packet_type_with_and_without_namespace_and_id) {
    for (std::string nsp : {"/", "/admin"}) {
        for (std::optional<std::uint64_t> id :
             {std::optional<std::uint64_t>{}, std::optional<std::uint64_t>{0},
              std::optional<std::uint64_t>{max_ack_id}}) {
            expect_round_trip(make(packet_type::connect, nsp, nullptr, id));
            expect_round_trip(make(packet_type::connect, nsp, {{"token", "123"}}, id));
            expect_round_trip(make(packet_type::disconnect, nsp, nullptr, id));
            expect_round_trip(make(packet_type::event, nsp, {"a", 1, json::object()}, id));
            expect_round_trip(make(packet_type::ack, nsp, json::array(), id));
            expect_round_trip(make(packet_type::ack, nsp, {"a", 1, json::object()}, id));
            expect_round_trip(make(packet_type::connect_error, nsp, "Unauthorized", id));
            expect_round_trip(make(packet_type::connect_error, nsp, {{"message", "no"}}, id));
            expect_round_trip(make(packet_type::event, nsp, {"a", bytes("abc")}, id));
            expect_round_trip(make(packet_type::ack, nsp, {"a", bytes("xxx"), json::object()}, id));
        }
    }
}

TEST(decoder, round_trips_nested_binary_in_objects_and_arrays) {
    expect_round_trip(make(packet_type::event, "/cool", {"a", {{"b", {"c", bytes("abc")}}}}, 23));
    expect_round_trip(make(packet_type::event, "/deep",
                           {"a",
                            {{"a", "hi"},
                             {"b", {{"why", bytes("123")}}},
                             {"c", {{"a", "bye"}, {"b", {{"a", bytes("123456")}}}}}}},
                           999));
    expect_round_trip(make(packet_type::event, "/",
                           {"a", {{"a", "b"}, {"c", 4}, {"e", {{"g", nullptr}}}, {"h", bytes("")}}},
                           600));
    expect_round_trip(
        make(packet_type::event, "/", {"a", json::array({bytes("1"), json::array({bytes("2")})})}));
}

TEST(decoder, round_trips_unicode) {
    expect_round_trip(make(packet_type::event, "/\xc3\xa9t\xc3\xa9",
                           {"h\xc3\xa9llo", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                            "\xe2\x80\xa8\xe2\x80\xa9", "\n\t\"\\", std::string("\0\x1f", 2)}));
    auto const r = decode_one(R"(2["\u00e9\ud83d\ude00"])");
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt.data[0], "\xc3\xa9\xf0\x9f\x98\x80");
}

// socket.io-parser test/parser.js "throw an error upon parsing error".
TEST(decoder, rejects_the_socket_io_parser_invalid_payloads) {
    EXPECT_EQ(error_of(R"(442["some","data")"), decode_error::invalid_payload);
    EXPECT_EQ(error_of(R"(0/admin,"invalid")"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("0[]"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("1/admin,{}"), decode_error::invalid_payload);
    EXPECT_EQ(error_of(R"(2/admin,"invalid)"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("2/admin,{}"), decode_error::invalid_payload);
    EXPECT_EQ(error_of(R"(2[{"toString":"foo"}])"), decode_error::invalid_event_name);
    EXPECT_EQ(error_of(R"(2[true,"foo"])"), decode_error::invalid_event_name);
    EXPECT_EQ(error_of(R"(2[null,"bar"])"), decode_error::invalid_event_name);
    EXPECT_EQ(error_of(R"(2["connect"])"), decode_error::reserved_event_name);
    EXPECT_EQ(error_of(R"(2["disconnect","123"])"), decode_error::reserved_event_name);
    EXPECT_EQ(error_of("999"), decode_error::invalid_type);
    EXPECT_EQ(error_of("5"), decode_error::invalid_attachments);
}

TEST(decoder, rejects_unknown_types_and_empty_input) {
    EXPECT_EQ(error_of(""), decode_error::invalid_type);
    EXPECT_EQ(error_of("7[\"a\"]"), decode_error::invalid_type);
    EXPECT_EQ(error_of("x"), decode_error::invalid_type);
}

TEST(decoder, rejects_non_string_event_names) {
    EXPECT_EQ(error_of("2[1]"), decode_error::invalid_event_name);
    EXPECT_EQ(error_of("2[]"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("2{}"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("2"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("2null"), decode_error::invalid_payload);
    EXPECT_EQ(error_of(R"(51-[1,{"_placeholder":true,"num":0}])"),
              decode_error::invalid_event_name);
}

TEST(decoder, rejects_every_reserved_event_name) {
    for (auto name : wire::reserved_event_names) {
        EXPECT_TRUE(is_reserved_event_name(name));
        EXPECT_EQ(error_of("2[\"" + std::string(name) + "\"]"), decode_error::reserved_event_name);
    }
    EXPECT_FALSE(is_reserved_event_name("message"));
    EXPECT_FALSE(is_reserved_event_name("Connect"));
    EXPECT_FALSE(is_reserved_event_name(""));
}

TEST(decoder, accepts_reserved_names_when_the_limit_allows_them) {
    decoder_limits limits;
    limits.reject_reserved_events = false;
    EXPECT_TRUE(decode_one(R"(2["error"])", limits).has_packet());
}

TEST(decoder, checks_payload_shapes_per_type) {
    EXPECT_TRUE(decode_one("3[]").has_packet());
    EXPECT_EQ(error_of("3"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("3{}"), decode_error::invalid_payload);
    EXPECT_TRUE(decode_one("4").has_packet());
    EXPECT_EQ(error_of("4[]"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("4 1"), decode_error::invalid_payload);
    EXPECT_EQ(error_of("0\"x\""), decode_error::invalid_payload);
    EXPECT_EQ(error_of("1[]"), decode_error::invalid_payload);
}

TEST(decoder, reads_the_ack_id_between_namespace_and_payload) {
    auto const r = decode_one(R"(2/chat,12["a"])");
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt.nsp, "/chat");
    EXPECT_EQ(r.pkt.id, 12U);
    EXPECT_EQ(decode_one(R"(2007["a"])").pkt.id, 7U);
    EXPECT_EQ(decode_one(R"(29007199254740991["a"])").pkt.id, max_ack_id);
}

TEST(decoder, rejects_ack_ids_beyond_max_safe_integer) {
    EXPECT_EQ(error_of(R"(29007199254740992["a"])"), decode_error::invalid_ack_id);
    EXPECT_EQ(error_of(R"(2184467440737095516160["a"])"), decode_error::invalid_ack_id);
    EXPECT_EQ(error_of("2" + std::string(1000, '9') + R"(["a"])"), decode_error::invalid_ack_id);
}

TEST(decoder, rejects_junk_around_the_ack_id) {
    EXPECT_EQ(error_of(R"(2 12["a"])"), decode_error::invalid_payload);
    EXPECT_EQ(error_of(R"(212 ["a"]x)"), decode_error::invalid_payload);
    EXPECT_EQ(error_of(R"(2-1["a"])"), decode_error::invalid_payload);
    EXPECT_EQ(error_of(R"(21.5["a"])"), decode_error::invalid_payload);
}

TEST(decoder, rejects_invalid_namespaces) {
    EXPECT_EQ(error_of("2/ch\xff,[\"a\"]"), decode_error::invalid_namespace);
    // Without a leading '/', the namespace is "/" and the rest is no JSON.
    EXPECT_EQ(error_of(R"(2chat,["a"])"), decode_error::invalid_payload);
    EXPECT_EQ(error_of(R"(2,["a"])"), decode_error::invalid_payload);
}

TEST(decoder, accepts_json_nested_32_deep) {
    auto const r = decode_one(R"(2["a",)" + nested_arrays(31) + "]");
    EXPECT_TRUE(r.has_packet());
    EXPECT_TRUE(decode_one("3" + nested_arrays(32)).has_packet());
}

TEST(decoder, rejects_json_nested_33_deep) {
    EXPECT_EQ(error_of(R"(2["a",)" + nested_arrays(32) + "]"), decode_error::nesting_too_deep);
    EXPECT_EQ(error_of("3" + nested_arrays(33)), decode_error::nesting_too_deep);
    EXPECT_EQ(error_of(R"(2["a",{"b":{"c":)" + nested_arrays(31) + "}}]"),
              decode_error::nesting_too_deep);
}

TEST(decoder, rejects_100000_deep_json_without_crashing) {
    EXPECT_EQ(error_of("2" + std::string(100000, '[')), decode_error::nesting_too_deep);
    EXPECT_EQ(error_of("2" + nested_arrays(100000)), decode_error::nesting_too_deep);
    EXPECT_EQ(error_of("0" + std::string(100000, '{')), decode_error::nesting_too_deep);
}

TEST(decoder, does_not_count_brackets_inside_strings) {
    std::string const deep_string = "\\\"" + std::string(1000, '[');
    EXPECT_TRUE(decode_one(R"(2["a",")" + deep_string + "\"]").has_packet());
}

TEST(decoder, reassembles_attachments_split_across_feeds) {
    decoder d;
    auto r = d.feed_text(
        R"(52-/admin,7["baz",{"_placeholder":true,"num":1},{"x":{"_placeholder":true,"num":0}}])",
        t0);
    EXPECT_EQ(r.status, decode_status::need_more);
    EXPECT_TRUE(d.pending());
    EXPECT_EQ(d.deadline(), t0 + d.limits().binary_timeout);
    r = d.feed_binary("first", t0 + 1s);
    EXPECT_EQ(r.status, decode_status::need_more);
    r = d.feed_binary(std::string("\0\xff", 2), t0 + 2s);
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt, make(packet_type::event, "/admin",
                          {"baz", bytes(std::string("\0\xff", 2)), {{"x", bytes("first")}}}, 7));
    EXPECT_FALSE(d.pending());
    EXPECT_EQ(d.deadline(), std::nullopt);
}

TEST(decoder, yields_a_binary_packet_with_zero_attachments_at_once) {
    decoder d;
    auto const r = d.feed_text(R"(50-["hello"])", t0);
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt, make(packet_type::event, "/", {"hello"}));
    EXPECT_FALSE(d.pending());
    EXPECT_TRUE(d.feed_text(R"(2["next"])", t0).has_packet());
}

TEST(decoder, leaves_placeholders_of_plain_packets_alone) {
    auto const r = decode_one(R"(2["a",{"_placeholder":true,"num":0}])");
    ASSERT_TRUE(r.has_packet());
    EXPECT_TRUE(r.pkt.data[1].is_object());
}

TEST(decoder, rejects_more_than_ten_attachments) {
    std::string const ten = binary_text(10);
    decoder d;
    EXPECT_EQ(d.feed_text(ten, t0).status, decode_status::need_more);
    EXPECT_EQ(error_of(R"(511-["a"])"), decode_error::too_many_attachments);
    EXPECT_EQ(error_of("5" + std::string(100, '9') + R"(-["a"])"),
              decode_error::too_many_attachments);
}

TEST(decoder, rejects_malformed_attachment_counts) {
    EXPECT_EQ(error_of(R"(5-["a"])"), decode_error::invalid_attachments);
    EXPECT_EQ(error_of(R"(51["a"])"), decode_error::invalid_attachments);
    EXPECT_EQ(error_of(R"(5 1-["a"])"), decode_error::invalid_attachments);
    EXPECT_EQ(error_of("61"), decode_error::invalid_attachments);
}

// socket.io-parser test/buffer.js.
TEST(decoder, rejects_placeholders_that_name_no_attachment) {
    EXPECT_EQ(error_of(R"(51-["hello",{"_placeholder":true,"num":"splice"}])"),
              decode_error::invalid_placeholder);
    EXPECT_EQ(error_of(R"(51-["hello",{"_placeholder":true,"num":1}])"),
              decode_error::invalid_placeholder);
    EXPECT_EQ(error_of(R"(51-["hello",{"_placeholder":true,"num":-1}])"),
              decode_error::invalid_placeholder);
    EXPECT_EQ(error_of(R"(51-["hello",{"_placeholder":true}])"), decode_error::invalid_placeholder);
    EXPECT_EQ(error_of(R"(50-["hello",{"_placeholder":true,"num":0}])"),
              decode_error::invalid_placeholder);
}

// A few thousand placeholders naming one large attachment would copy it a few thousand times.
TEST(decoder, rejects_an_attachment_named_twice) {
    EXPECT_EQ(error_of(R"(51-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}])"),
              decode_error::reused_attachment);
    std::string many = R"(52-["a")";
    for (int i = 0; i < 5000; ++i)
        many += R"(,{"_placeholder":true,"num":1})";
    EXPECT_EQ(error_of(many + "]"), decode_error::reused_attachment);
    // Nested, and in another branch of the tree.
    EXPECT_EQ(
        error_of(R"(52-["a",{"x":[{"_placeholder":true,"num":1}]},{"_placeholder":true,"num":0},)"
                 R"({"y":{"_placeholder":true,"num":1}}])"),
        decode_error::reused_attachment);
}

TEST(decoder, rejects_an_attachment_no_placeholder_names) {
    EXPECT_EQ(error_of(R"(52-["a",{"_placeholder":true,"num":1}])"),
              decode_error::unused_attachment);
    EXPECT_EQ(error_of(R"(53-["a"])"), decode_error::unused_attachment);
    EXPECT_EQ(error_of(R"(61-0[])"), decode_error::unused_attachment);
}

// The bound of the binary path: the yielded packet holds each attachment byte once.
TEST(decoder, yields_each_attachment_byte_once) {
    decoder_limits limits;
    limits.max_attachment_bytes = 2'000'000;
    decoder d(limits);
    ASSERT_EQ(d.feed_text(binary_text(2), t0).status, decode_status::need_more);
    std::string const big(1'000'000, 'z');
    EXPECT_EQ(d.feed_binary(big, t0).status, decode_status::need_more);
    auto const r = d.feed_binary("tail", t0);
    ASSERT_TRUE(r.has_packet());
    std::size_t binary_bytes = 0;
    for (auto const& v : r.pkt.data)
        if (v.is_binary()) binary_bytes += v.get_binary().size();
    EXPECT_EQ(binary_bytes, big.size() + 4);
    EXPECT_EQ(r.pkt.data[1].get_binary().size(), big.size());
}

// nlohmann's tree of `[{},{},...]` is ~21 bytes per byte of text: the value count is bounded.
TEST(decoder, rejects_more_json_values_than_the_limit) {
    decoder_limits limits;
    limits.max_values = 10;
    // ["a",0,...]: the array and 9 elements are 10 values.
    std::string fits = R"(2["a")";
    for (int i = 0; i < 8; ++i)
        fits += ",0";
    EXPECT_TRUE(decode_one(fits + "]", limits).has_packet());
    EXPECT_EQ(error_of(fits + ",0]", limits), decode_error::too_many_values);
    EXPECT_EQ(error_of(R"(2["a",[],[],[],[],[]])", limits), decode_error::too_many_values);
    // Commas inside strings are not values.
    EXPECT_TRUE(decode_one(R"(2["a",",,,,,,,,,,,,,,,,,,,,,,,,"])", limits).has_packet());
    // The default: 100,000 values.
    std::string big = R"(2["a")";
    for (int i = 0; i < 100'000; ++i)
        big += ",{}";
    EXPECT_EQ(error_of(big + "]"), decode_error::too_many_values);
}

TEST(decode_error, names_the_attachment_errors) {
    EXPECT_EQ(make_error_code(decode_error::reused_attachment).message(),
              "attachment named by more than one placeholder");
    EXPECT_EQ(make_error_code(decode_error::unused_attachment).message(),
              "attachment named by no placeholder");
}

TEST(decoder, rejects_binary_when_none_is_expected) {
    decoder d;
    auto const r = d.feed_binary("world", t0);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.error, decode_error::unexpected_binary);
}

TEST(decoder, rejects_text_while_attachments_are_pending) {
    decoder d;
    d.feed_text(R"(51-["hello",{"_placeholder":true,"num":0}])", t0);
    auto const r = d.feed_text(R"(2["hello"])", t0);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.error, decode_error::unexpected_text);
    EXPECT_FALSE(d.pending());
}

TEST(decoder, rejects_attachments_above_the_byte_limit) {
    decoder_limits limits;
    limits.max_attachment_bytes = 10;
    decoder d(limits);
    d.feed_text(binary_text(2), t0);
    EXPECT_EQ(d.feed_binary("123456", t0).status, decode_status::need_more);
    auto const r = d.feed_binary("12345", t0);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.error, decode_error::attachments_too_large);
    EXPECT_FALSE(d.pending());
    d.feed_text(binary_text(2), t0);
    d.feed_binary("123456", t0);
    EXPECT_TRUE(d.feed_binary("1234", t0).has_packet());
}

TEST(decoder, times_out_an_unfinished_binary_packet) {
    decoder d;
    d.feed_text(binary_text(2), t0);
    ASSERT_TRUE(d.deadline().has_value());
    EXPECT_EQ(*d.deadline(), t0 + 10s);
    EXPECT_FALSE(d.expired(t0 + 10s - 1ms));
    EXPECT_TRUE(d.expired(t0 + 10s));
    d.feed_binary("x", t0 + 1s);
    auto r = d.feed_binary("y", t0 + 11s);
    ASSERT_TRUE(r.failed());
    EXPECT_EQ(r.error, decode_error::binary_timeout);
    EXPECT_FALSE(d.pending());
    EXPECT_FALSE(d.expired(t0 + 1h));

    d.feed_text(binary_text(1), t0);
    r = d.feed_text(R"(2["a"])", t0 + 10s);
    EXPECT_EQ(r.error, decode_error::binary_timeout);
}

TEST(decoder, uses_the_configured_timeout) {
    decoder_limits limits;
    limits.binary_timeout = 250ms;
    decoder d(limits);
    d.feed_text(binary_text(1), t0);
    EXPECT_EQ(d.deadline(), t0 + 250ms);
}

TEST(decoder, decodes_a_good_packet_right_after_a_bad_one) {
    std::vector<std::string> const bad = {"",
                                          "9",
                                          R"(2["connect"])",
                                          "2" + std::string(50, '['),
                                          R"(29007199254740992["a"])",
                                          R"(511-["a"])",
                                          "2/\xff,[\"a\"]"};
    for (auto const& text : bad) {
        decoder d;
        EXPECT_TRUE(d.feed_text(text, t0).failed()) << text;
        EXPECT_TRUE(d.feed_text(R"(2["ok"])", t0).has_packet()) << text;
    }
    decoder d;
    d.feed_text(binary_text(2), t0);
    d.feed_binary("x", t0);
    EXPECT_TRUE(d.feed_text(R"(2["a"])", t0).failed());
    EXPECT_TRUE(d.feed_text(R"(2["ok"])", t0).has_packet());
    EXPECT_TRUE(d.feed_binary("stray", t0).failed());
    EXPECT_TRUE(d.feed_text(R"(2["ok"])", t0).has_packet());
}

// socket.io-parser test/parser.js "should resume decoding after calling destroy()".
TEST(decoder, resumes_after_reset) {
    decoder d;
    d.feed_text(binary_text(1), t0);
    d.reset();
    EXPECT_FALSE(d.pending());
    auto const r = d.feed_text(R"(2["hello"])", t0);
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt.data, json{"hello"});
}

TEST(decoder, replaces_lone_surrogate_escapes_with_the_replacement_character) {
    // JSON.stringify writes a JavaScript lone surrogate as an escape UTF-8 cannot hold.
    auto r = decode_one(R"(2["a\ud800b","\udc00","x\\ud800"])");
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt.data, (json{"a\xEF\xBF\xBD"
                                "b",
                                "\xEF\xBF\xBD", "x\\ud800"}));
}

TEST(decoder, keeps_surrogate_pairs) {
    auto r = decode_one(R"(2["\ud83d\ude00"])");
    ASSERT_TRUE(r.has_packet());
    EXPECT_EQ(r.pkt.data, json{"\xF0\x9F\x98\x80"});
}

TEST(decode_error, has_a_category_and_node_messages) {
    std::error_code const ec = decode_error::invalid_payload;
    EXPECT_EQ(ec.category(), decode_category());
    EXPECT_STREQ(ec.category().name(), "socketio.decode");
    EXPECT_EQ(ec.message(), "invalid payload");
    EXPECT_EQ(make_error_code(decode_error::unexpected_text).message(),
              "got plaintext data when reconstructing a packet");
    EXPECT_EQ(make_error_code(decode_error::unexpected_binary).message(),
              "got binary data when not reconstructing a packet");
}
