#include <kibitz/cluster/streams_messages.hpp>
#include <kibitz/msgpack/reader.hpp>
#include <kibitz/util/base64.hpp>

#include <gtest/gtest.h>

#include <kibitz/test/hex.hpp>

#include <string>
#include <vector>

namespace kibitz::cluster {
namespace {

using kibitz::test::from_hex;
using kibitz::test::to_hex;
using ordered = nlohmann::ordered_json;

ordered no_opts() {
    return encode_sharded_opts({});
}

redis::value entry(std::string id, std::vector<std::string> fields) {
    std::vector<redis::value> kv;
    for (auto& f : fields)
        kv.push_back(redis::value::bulk(std::move(f)));
    return redis::value::array({redis::value::bulk(std::move(id)), redis::value::array(kv)});
}

// Captured (docs/cluster.md): XADD socket.io MAXLEN ~ 10000 * uid 266df6e20dcd69ec nsp / type 3
// data {"packet":{"type":2,"data":["hello","world",1]},"opts":{"rooms":[],"except":[],"flags":{}}}
TEST(streams_messages, write_a_broadcast_entry_as_node_does) {
    ordered data = {{"packet", {{"type", 2}, {"data", {"hello", "world", 1}}}},
                    {"opts", no_opts()}};
    auto f = encode_stream_fields(sharded_type::broadcast, data, "266df6e20dcd69ec", "/");
    std::vector<std::string> want = {
        "uid",
        "266df6e20dcd69ec",
        "nsp",
        "/",
        "type",
        "3",
        "data",
        R"({"packet":{"type":2,"data":["hello","world",1]},"opts":{"rooms":[],"except":[],"flags":{}}})"};
    EXPECT_EQ(f, want);
}

// Binary: data = base64 of 82 a6"packet" 82{type 02, data 92 a3"bin" c4 03 01 02 03} a4"opts"...
TEST(streams_messages, write_binary_data_as_base64_msgpack) {
    ordered data = {
        {"packet",
         {{"type", 2}, {"data", {"bin", ordered::binary(std::vector<std::uint8_t>{1, 2, 3})}}}},
        {"opts", no_opts()}};
    auto f = encode_stream_fields(sharded_type::broadcast, data, "u", "/");
    ASSERT_EQ(f.size(), 8u);
    auto bytes = util::base64_decode(f[7]);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(to_hex(*bytes), "82a67061636b657482a47479706502a46461746192a362696ec403010203"
                              "a46f70747383a5726f6f6d7390a665786365707490a5666c61677380");
    EXPECT_EQ(f[7].substr(0, 12), "gqZwYWNrZXSC");
}

TEST(streams_messages, read_entries_in_json_and_in_base64_msgpack) {
    stream_entry e;
    ASSERT_FALSE(decode_stream_entry(
        entry("1700000000000-3", {"uid", "abc", "nsp", "/chat", "type", "4", "data",
                                  R"({"opts":{"rooms":["r"],"except":[]},"rooms":["x"]})"}),
        e));
    EXPECT_EQ(e.id, "1700000000000-3");
    EXPECT_EQ(e.uid, "abc");
    EXPECT_EQ(e.nsp, "/chat");
    EXPECT_EQ(e.type, 4);
    EXPECT_EQ(e.data["rooms"], json::array({"x"}));
    auto b64 =
        util::base64_encode(from_hex("82a67061636b657482a47479706502a46461746192a362696ec403010203"
                                     "a46f70747383a5726f6f6d7390a665786365707490a5666c61677380"));
    ASSERT_FALSE(
        decode_stream_entry(entry("1-0", {"uid", "n", "nsp", "/", "type", "3", "data", b64}), e));
    ASSERT_TRUE(e.data["packet"]["data"][1].is_binary());
    EXPECT_EQ(e.data["packet"]["data"][1].get_binary().size(), 3u);
}

TEST(streams_messages, refuse_entries_of_other_shapes) {
    stream_entry e;
    EXPECT_TRUE(decode_stream_entry(entry("1-0", {"uid", "n", "type", "3"}), e)); // no nsp
    EXPECT_TRUE(decode_stream_entry(entry("1-0", {"nsp", "/", "type", "x3"}), e));
    EXPECT_TRUE(decode_stream_entry(entry("1-0", {"nsp", "/", "type", "3", "data", "{"}), e));
    EXPECT_TRUE(decode_stream_entry(entry("1-0", {"nsp", "/", "type", "3", "data", "!!"}), e));
    EXPECT_TRUE(decode_stream_entry(redis::value::bulk("1-0"), e));
    // Nesting past the limits is dropped, not followed.
    std::string deep(100, '[');
    EXPECT_TRUE(decode_stream_entry(entry("1-0", {"nsp", "/", "type", "3", "data",
                                                  "{\"a\":" + deep + std::string(100, ']') + "}"}),
                                    e));
}

TEST(streams_messages, envelopes_are_msgpack_with_node_key_order) {
    auto bytes = encode_msgpack_envelope(sharded_type::broadcast_client_count,
                                         {{"requestId", "r1"}, {"clientCount", 2}}, "u1", "/");
    // {type: 11, data: {requestId: "r1", clientCount: 2}, uid: "u1", nsp: "/"}
    EXPECT_EQ(to_hex(bytes), "84a4747970650ba46461746182a9726571756573744964a27231ab636c69656e74"
                             "436f756e7402a3756964a27531a36e7370a12f");
    json back;
    ASSERT_FALSE(decode_object(bytes, back));
    EXPECT_EQ(back["data"]["clientCount"], 2);
}

// Captured: 84 a3"sid" b4<20> a3"pid" b4<20> a5"rooms" 93[sid,"room1","room9"] a4"data" 81{user:u1}
TEST(streams_messages, sessions_round_trip_in_node_form) {
    socketio::session_record s;
    s.sid = "AAAAAAAAAAAAAAAAAAAA";
    s.pid = "BBBBBBBBBBBBBBBBBBBB";
    s.rooms = {"room9", s.sid, "room1"};
    s.data = {{"user", "u1"}};
    auto text = encode_session(s);
    auto bytes = util::base64_decode(text);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(to_hex(*bytes), "84a3736964b4" + to_hex(s.sid) + "a3706964b4" + to_hex(s.pid) +
                                  "a5726f6f6d7393b4" + to_hex(s.sid) + "a5" + to_hex("room1") +
                                  "a5" + to_hex("room9") + "a46461746181a475736572a27531");
    auto back = decode_session(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->sid, s.sid);
    EXPECT_EQ(back->pid, s.pid);
    EXPECT_EQ(back->rooms, s.rooms);
    EXPECT_EQ(back->data, s.data);
    EXPECT_FALSE(decode_session("not base64!"));
    EXPECT_FALSE(decode_session(util::base64_encode(from_hex("93010203"))));
}

TEST(streams_messages, offsets_are_stream_ids_as_node_checks_them) {
    auto id = parse_stream_id("1700000000000-7");
    ASSERT_TRUE(id);
    EXPECT_EQ(to_string(next_id(*id)), "1700000000000-8");
    EXPECT_TRUE(*parse_stream_id("2-0") > *parse_stream_id("1-99"));
    for (auto bad : {"", "1", "1-", "-1", "a-1", "1-2-3", "+1-2", "1 -2", "99999999999999999999-0"})
        EXPECT_FALSE(parse_stream_id(bad)) << bad;
}

TEST(streams_messages, a_packet_is_included_as_node_decides) {
    socketio::broadcast_options all;
    socketio::broadcast_options to_r1;
    to_r1.rooms = {"r1"};
    socketio::broadcast_options except_x;
    except_x.except = {"x"};
    std::set<std::string> rooms = {"sid", "r1"};
    EXPECT_TRUE(should_include(rooms, all));
    EXPECT_TRUE(should_include(rooms, to_r1));
    EXPECT_FALSE(should_include({"sid"}, to_r1));
    EXPECT_TRUE(should_include(rooms, except_x));
    EXPECT_FALSE(should_include({"sid", "x"}, except_x));
}

} // namespace
} // namespace kibitz::cluster
