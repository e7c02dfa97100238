#include <kibitz/cluster/messages.hpp>
#include <kibitz/msgpack/writer.hpp>

#include <gtest/gtest.h>

#include <kibitz/test/hex.hpp>

#include <string>

namespace kibitz::cluster {
namespace {

using kibitz::test::from_hex;
using kibitz::test::to_hex;

socketio::packet event(json data, std::string nsp = "/") {
    return {socketio::packet_type::event, std::move(nsp), std::nullopt, std::move(data)};
}

// Captured from Node (redis MONITOR): io.emit("hello","world",1,2.5,true,null) from node 1kqgqN, 74
// bytes.
constexpr char const* captured_emit = "93a6316b7167714e"
                                      "83a47479706502a46461746196a568656c6c6fa5776f726c6401"
                                      "cb4004000000000000c3c0a36e7370a12f"
                                      "83a5726f6f6d7390a665786365707490a5666c61677380";

TEST(channels, are_named_as_the_classic_adapter_names_them) {
    auto c = channels::make("socket.io", "/");
    EXPECT_EQ(c.broadcast, "socket.io#/#");
    EXPECT_EQ(c.pattern, "socket.io#/#*");
    EXPECT_EQ(c.request, "socket.io-request#/#");
    EXPECT_EQ(c.response, "socket.io-response#/#");
    EXPECT_EQ(c.response_to("1kqgqN"), "socket.io-response#/#1kqgqN#");
    EXPECT_EQ(channels::make("app", "/chat").broadcast, "app#/chat#");
}

TEST(channels, send_a_one_room_broadcast_on_the_room_channel_only) {
    auto c = channels::make("socket.io", "/");
    socketio::broadcast_options o;
    EXPECT_EQ(c.broadcast_to(o), "socket.io#/#");
    o.rooms = {"room1"};
    EXPECT_EQ(c.broadcast_to(o), "socket.io#/#room1#");
    o.rooms = {"room1", "room2"};
    EXPECT_EQ(c.broadcast_to(o), "socket.io#/#");
}

TEST(channels, read_the_room_of_a_channel_and_refuse_other_namespaces) {
    auto c = channels::make("socket.io", "/");
    EXPECT_EQ(c.room_of("socket.io#/#"), "");
    EXPECT_EQ(c.room_of("socket.io#/#room1#"), "room1");
    EXPECT_EQ(c.room_of("socket.io#/#a#b#"), "a#b");
    EXPECT_FALSE(c.room_of("socket.io#/chat#"));
    EXPECT_FALSE(c.room_of("socket.io#/#room1"));
}

TEST(channels, escape_glob_characters_of_the_namespace_in_the_pattern) {
    EXPECT_EQ(channels::make("socket.io", "/a*b?[c]").pattern, "socket.io#/a\\*b\\?\\[c\\]#*");
}

TEST(broadcast, encodes_the_captured_node_bytes) {
    auto bytes = encode_broadcast("1kqgqN", event({"hello", "world", 1, 2.5, true, nullptr}), {});
    EXPECT_EQ(bytes.size(), 74u);
    EXPECT_EQ(to_hex(bytes), captured_emit);
}

TEST(broadcast, encodes_rooms_except_volatile_and_timeout_flags) {
    socketio::broadcast_options o;
    o.rooms = {"room1"};
    auto bytes = encode_broadcast("1kqgqN", event({"r", {{"a", 1}}}), o);
    EXPECT_NE(to_hex(bytes).find("92a17281a16101"), std::string::npos);
    EXPECT_NE(to_hex(bytes).find("a5726f6f6d7391a5726f6f6d31"), std::string::npos);
    o.rooms = {"room1", "room2"};
    o.except = {"room3"};
    o.is_volatile = true;
    bytes = encode_broadcast("u", event({"r"}), o);
    EXPECT_NE(to_hex(bytes).find("92a5726f6f6d31a5726f6f6d32a665786365707491a5726f6f6d33"),
              std::string::npos);
    EXPECT_NE(to_hex(bytes).find("a5666c61677381a8766f6c6174696c65c3"), std::string::npos);
    o = {};
    o.ack_timeout = util::duration(1000);
    EXPECT_NE(to_hex(encode_broadcast("u", event({"r"}), o)).find("81a774696d656f7574cd03e8"),
              std::string::npos);
}

TEST(broadcast, decodes_the_captured_bytes) {
    broadcast_message m;
    ASSERT_FALSE(decode_broadcast(from_hex(captured_emit), m));
    EXPECT_EQ(m.uid, "1kqgqN");
    EXPECT_EQ(m.packet.nsp, "/");
    EXPECT_EQ(m.packet.data, json({"hello", "world", 1, 2.5, true, nullptr}));
    EXPECT_TRUE(m.opts.rooms.empty());
    EXPECT_FALSE(m.opts.is_volatile);
}

TEST(broadcast, decodes_binary_numeric_rooms_flags_and_a_missing_nsp) {
    using ordered = nlohmann::ordered_json;
    ordered packet = {{"type", 2}, {"data", {"bin", ordered::binary({1, 2, 3})}}};
    ordered opts = {{"rooms", {123, "b"}},
                    {"except", ordered::array()},
                    {"flags", {{"volatile", true}, {"timeout", 1000}}}};
    broadcast_message m;
    ASSERT_FALSE(decode_broadcast(msgpack::write(ordered::array({"n1", packet, opts})), m));
    EXPECT_EQ(m.packet.nsp, "/");
    EXPECT_TRUE(m.packet.data[1].is_binary());
    EXPECT_EQ(m.opts.rooms, (std::set<std::string>{"123", "b"}));
    EXPECT_TRUE(m.opts.is_volatile);
    EXPECT_EQ(m.opts.ack_timeout, util::duration(1000));
}

TEST(broadcast, refuses_a_map_and_other_shapes) {
    broadcast_message m;
    // A sharded/streams node on the same prefix publishes a map {type, data, uid, nsp}.
    auto map = msgpack::write(json{{"type", 3}, {"uid", "x"}, {"nsp", "/"}});
    EXPECT_EQ(decode_broadcast(map, m), message_error::invalid_shape);
    EXPECT_EQ(decode_broadcast(msgpack::write(json::array({"u", 3, json::object()})), m),
              message_error::invalid_shape);
    EXPECT_EQ(decode_broadcast(msgpack::write(json::array({"u", {{"type", 2}, {"data", 1}}})), m),
              message_error::invalid_shape);
    EXPECT_EQ(decode_broadcast(std::string(100000, '\x91'), m), msgpack::read_error::too_deep);
    EXPECT_EQ(decode_broadcast(from_hex("93a6316b71"), m), msgpack::read_error::truncated);
}

// Captured from Node (redis MONITOR): Node's type 7 request, 107 bytes.
TEST(broadcast_request, encodes_the_captured_node_bytes) {
    socketio::broadcast_options o;
    o.ack_timeout = util::duration(1000);
    auto p = event({"ackme", 42});
    p.id = 7; // not sent: every receiver picks its own
    auto bytes = encode_broadcast_request("1kqgqN", "ZZlBa7", p, o);
    EXPECT_EQ(bytes.size(), 107u);
    EXPECT_EQ(to_hex(bytes), "85a3756964a6316b7167714ea97265717565737449"
                             "64a65a5a6c426137"
                             "a47479706507a67061636b6574"
                             "83a47479706502a46461746192a561636b6d652aa36e7370a12f"
                             "a46f70747383a5726f6f6d7390a665786365707490a5666c61677381"
                             "a774696d656f7574cd03e8");
    json obj;
    request r;
    ASSERT_FALSE(decode_object(bytes, obj));
    ASSERT_FALSE(parse_request(obj, r));
    EXPECT_EQ(r.type, request_type::broadcast);
    EXPECT_EQ(r.request_id, "ZZlBa7");
    EXPECT_EQ(r.packet.data, json({"ackme", 42}));
    EXPECT_EQ(r.opts.ack_timeout, util::duration(1000));
}

request parse(std::string const& text) {
    json obj;
    request r;
    EXPECT_FALSE(decode_object(text, obj)) << text;
    EXPECT_FALSE(parse_request(obj, r)) << text;
    return r;
}

TEST(requests, parse_the_captured_json_requests) {
    auto fetch =
        parse(R"({"uid":"1kqgqN","requestId":"Yhmixr","type":5,"opts":{"rooms":[],"except":[]}})");
    EXPECT_EQ(fetch.type, request_type::remote_fetch);
    EXPECT_EQ(fetch.uid, "1kqgqN");
    EXPECT_EQ(fetch.request_id, "Yhmixr");
    auto join = parse(
        R"({"uid":"1kqgqN","type":2,"opts":{"rooms":["room1"],"except":[]},"rooms":["room9"]})");
    EXPECT_EQ(join.type, request_type::remote_join);
    EXPECT_EQ(join.opts.rooms, (std::set<std::string>{"room1"}));
    EXPECT_EQ(join.rooms, (std::vector<std::string>{"room9"}));
    auto bye =
        parse(R"({"uid":"1kqgqN","type":4,"opts":{"rooms":["Z9IP"],"except":[]},"close":true})");
    EXPECT_TRUE(bye.close);
    auto sse = parse(R"({"uid":"1kqgqN","requestId":"eApl2_","type":6,"data":["hello-srv",2]})");
    EXPECT_EQ(sse.data, json({"hello-srv", 2}));
    auto rooms = parse(R"({"uid":"1kqgqN","requestId":"iBVmrv","type":1})");
    EXPECT_EQ(rooms.type, request_type::all_rooms);
    auto legacy = parse(R"({"uid":"x","requestId":"r","type":2,"sid":"abc","room":"r1"})");
    EXPECT_TRUE(legacy.legacy);
    EXPECT_EQ(legacy.sid, "abc");
}

TEST(requests, refuse_bad_json_deep_json_and_wrong_fields) {
    json obj;
    request r;
    EXPECT_EQ(decode_object("{\"uid\":", obj), message_error::invalid_json);
    EXPECT_EQ(decode_object("{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}", obj),
              message_error::invalid_json);
    EXPECT_EQ(decode_object(msgpack::write(json::array({1})), obj), message_error::invalid_shape);
    ASSERT_FALSE(decode_object(R"({"type":6,"data":"x"})", obj));
    EXPECT_EQ(parse_request(obj, r), message_error::invalid_shape);
    ASSERT_FALSE(decode_object(R"({"type":"5"})", obj));
    EXPECT_EQ(parse_request(obj, r), message_error::invalid_shape);
    ASSERT_FALSE(decode_object(R"({"type":9,"requestId":"a"})", obj));
    EXPECT_EQ(parse_request(obj, r), message_error::invalid_shape);
    ASSERT_FALSE(decode_object(R"({"type":5,"uid":7})", obj));
    EXPECT_EQ(parse_request(obj, r), message_error::invalid_shape);
}

TEST(objects, are_json_in_field_order_and_msgpack_with_binary) {
    EXPECT_EQ(encode_object({{"requestId", "r"}, {"sockets", json::array()}}),
              R"({"requestId":"r","sockets":[]})");
    EXPECT_EQ(encode_object({{"type", 8}, {"requestId", "ZZlBa7"}, {"clientCount", 1}}),
              R"({"type":8,"requestId":"ZZlBa7","clientCount":1})");
    // Captured from Node: the type 9 answer.
    EXPECT_EQ(to_hex(encode_object(
                  {{"type", 9}, {"requestId", "ZZlBa7"}, {"packet", "ack-from-client"}}, true)),
              "83a47479706509a9726571756573744964a65a5a6c426137a67061636b6574"
              "af61636b2d66726f6d2d636c69656e74");
    auto bin = encode_object({{"data", json::binary({1, 2})}});
    EXPECT_EQ(to_hex(bin), "81a464617461c4020102");
}

TEST(sockets, serialise_the_handshake_as_node_does) {
    socketio::socket_info s;
    s.id = "Z9IPabcdefghijklmnop";
    s.rooms = {s.id, "room1"};
    s.data = {{"user", "u-Z9I"}};
    s.handshake.headers = socketio::shared_headers(
        std::make_shared<engineio::header_list const>(engineio::header_list{
            {"Host", "127.0.0.1"}, {"Accept", "a"}, {"accept", "b"}, {"Origin", "x"}}));
    s.handshake.address = "127.0.0.1";
    s.handshake.issued = 1796160431547;
    s.handshake.time = "Tue Dec 01 2026 21:27:11 GMT+0000 (Coordinated Universal Time)";
    s.handshake.xdomain = true;
    s.handshake.url = "/socket.io/?EIO=4&transport=websocket";
    s.handshake.query = {{"EIO", "4"}, {"transport", "websocket"}};
    auto v = encode_socket(s);
    EXPECT_EQ(v["handshake"]["headers"]["accept"], "a, b");
    EXPECT_EQ(v["handshake"]["headers"]["host"], "127.0.0.1");
    EXPECT_EQ(v["handshake"]["time"],
              "Tue Dec 01 2026 21:27:11 GMT+0000 (Coordinated Universal Time)");
    EXPECT_EQ(v["handshake"]["xdomain"], true);
    EXPECT_EQ(v["handshake"]["secure"], false);
    EXPECT_EQ(v["handshake"]["auth"], json::object());
    EXPECT_EQ(v["rooms"], json({"Z9IPabcdefghijklmnop", "room1"}));
    auto back = parse_socket(v);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, s.id);
    EXPECT_EQ(back->rooms, s.rooms);
    EXPECT_EQ(back->data, s.data);
    EXPECT_EQ(back->handshake.issued, s.handshake.issued);
    EXPECT_EQ(back->handshake.time, s.handshake.time);
    EXPECT_TRUE(back->handshake.xdomain);
    EXPECT_EQ(back->handshake.header("accept"), "a, b");
    EXPECT_FALSE(parse_socket(json{{"id", 3}}));
}

} // namespace
} // namespace kibitz::cluster

namespace kibitz::cluster {
namespace {

using ordered = nlohmann::ordered_json;

ordered sharded_broadcast(json data) {
    return {{"packet", {{"type", 2}, {"data", to_ordered(data)}}},
            {"opts", encode_sharded_opts({})}};
}

// Captured from Node (redis MONITOR): what Node's sharded adapter published for io.emit(...).
TEST(sharded, encodes_the_captured_json_envelope) {
    EXPECT_EQ(encode_envelope(sharded_type::broadcast,
                              sharded_broadcast({"hello", "world", 1, 2.5, true, nullptr}),
                              "9b4d1968c5d90987", "/"),
              R"({"type":3,"data":{"packet":{"type":2,"data":["hello","world",1,2.5,true,null]},)"
              R"("opts":{"rooms":[],"except":[],"flags":{}}},"uid":"9b4d1968c5d90987","nsp":"/"})");
}

// Captured from Node (redis MONITOR): binary makes it msgpack, 97 bytes.
TEST(sharded, encodes_binary_as_the_captured_msgpack) {
    auto bytes = encode_envelope(sharded_type::broadcast,
                                 sharded_broadcast({"bin", json::binary({1, 2, 3})}),
                                 "9b4d1968c5d90987", "/");
    EXPECT_EQ(bytes.size(), 97u);
    EXPECT_EQ(to_hex(bytes).substr(0, 26), "84a47479706503a46461746182");
    json obj;
    ASSERT_FALSE(decode_object(bytes, obj));
    socketio::packet p;
    socketio::broadcast_options o;
    ASSERT_TRUE(read_sharded_broadcast(obj["data"], p, o));
    EXPECT_TRUE(p.data[1].is_binary());
    EXPECT_EQ(obj["uid"], "9b4d1968c5d90987");
}

TEST(sharded, keeps_json_for_types_that_carry_no_binary) {
    ordered data = {{"requestId", "r"}, {"clientCount", 2}};
    EXPECT_EQ(encode_envelope(sharded_type::broadcast_client_count, data, "u", "/chat"),
              R"({"type":11,"data":{"requestId":"r","clientCount":2},"uid":"u","nsp":"/chat"})");
}

} // namespace
} // namespace kibitz::cluster
