#include <kibitz/test/hex.hpp>

#include <kibitz/msgpack/reader.hpp>
#include <kibitz/msgpack/writer.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace kibitz;
using namespace kibitz::msgpack;
using namespace kibitz::test;

std::error_code read_hex(std::string_view hex, json& out, reader_limits const& limits = {}) {
    return read(from_hex(hex), out, limits);
}

json value_of(std::string_view hex) {
    json out;
    EXPECT_FALSE(read_hex(hex, out)) << hex;
    return out;
}

// Captured from Node (redis MONITOR): the ack broadcast request Node published (107 bytes), and its
// answer.
TEST(reader, reads_the_captured_broadcast_with_ack_request) {
    std::string const hex = "85a3756964a6316b7167714ea9726571756573744964a65a5a6c426137"
                            "a47479706507a67061636b657483a47479706502a4646174619"
                            "2a561636b6d652aa36e7370a12fa46f70747383a5726f6f6d7390"
                            "a665786365707490a5666c61677381a774696d656f7574cd03e8";
    EXPECT_EQ(from_hex(hex).size(), 107u);
    json const v = value_of(hex);
    EXPECT_EQ(v["uid"], "1kqgqN");
    EXPECT_EQ(v["requestId"], "ZZlBa7");
    EXPECT_EQ(v["type"], 7);
    EXPECT_EQ(v["packet"]["data"], json::array({"ackme", 42}));
    EXPECT_EQ(v["opts"]["flags"]["timeout"], 1000);
    EXPECT_EQ(value_of("83a474797065"
                       "09"
                       "a9726571756573744964a65a5a6c426137"
                       "a67061636b6574af61636b2d66726f6d2d636c69656e74")["packet"],
              "ack-from-client");
}

TEST(reader, binary_becomes_json_binary) {
    json const v = value_of("92a362696ec403010203");
    ASSERT_TRUE(v[1].is_binary());
    EXPECT_EQ(v[1].get_binary(), json::binary_t({1, 2, 3}));
}

TEST(reader, other_ext_types_become_binary_with_the_type_as_subtype) {
    json const v = value_of("d5070102");
    ASSERT_TRUE(v.is_binary());
    EXPECT_EQ(v.get_binary().subtype(), 7u);
    EXPECT_EQ(value_of("c70200abcd").get_binary().subtype(), 0u);
}

TEST(reader, timestamps_become_date_to_json_strings) {
    EXPECT_EQ(value_of("d6ff6b0f3baf"), "2026-12-01T21:27:11.000Z");
    EXPECT_EQ(value_of("d7ff826a3b006b0f3baf"), "2026-12-01T21:27:11.547Z");
    EXPECT_EQ(value_of("c70cff3b8b87c0ffffffffffffffff"), "1969-12-31T23:59:59.999Z");
    // Past Date's range: JavaScript's toJSON gives null.
    EXPECT_EQ(value_of("c70cff00000000000007dba8218001"), nullptr);
    json out;
    EXPECT_EQ(read_hex("d5ff0102", out), read_error::invalid_timestamp);
}

TEST(reader, integers_keep_their_exact_value) {
    EXPECT_EQ(value_of("cfffffffffffffffff").get<std::uint64_t>(), UINT64_MAX);
    EXPECT_TRUE(value_of("cf7fffffffffffffff").is_number_integer());
    EXPECT_EQ(value_of("d38000000000000000").get<std::int64_t>(), INT64_MIN);
    EXPECT_EQ(value_of("d0df"), -33);
    EXPECT_EQ(value_of("e0"), -32);
    EXPECT_EQ(value_of("ca40200000"), 2.5);
}

TEST(reader, a_repeated_key_keeps_its_last_value) {
    EXPECT_EQ(value_of("82a16101a16102"), json({{"a", 2}}));
}

TEST(reader, refuses_malformed_input_with_an_error_value) {
    json out = 5;
    EXPECT_EQ(read("", out), read_error::truncated);
    EXPECT_TRUE(out.is_null());
    EXPECT_EQ(read_hex("c1", out), read_error::invalid_byte);
    EXPECT_EQ(read_hex("a3616263ff", out), read_error::trailing_bytes);
    EXPECT_EQ(read_hex("a4616263", out), read_error::truncated);
    EXPECT_EQ(read_hex("cd01", out), read_error::truncated);
    EXPECT_EQ(read_hex("a2c328", out), read_error::invalid_utf8);
    EXPECT_EQ(read_hex("8101a161", out), read_error::invalid_key);
    EXPECT_EQ(read_hex("82a16101", out), read_error::truncated);
    EXPECT_TRUE(out.is_null());
}

// A 4 GiB claim in five bytes: refused before any allocation.
TEST(reader, lengths_past_the_end_are_refused_before_allocating) {
    json out;
    for (auto hex : {"dbffffffff", "c6ffffffff", "ddffffffff", "dfffffffff", "c9ffffffff01",
                     "dc0003c0c0", "de0002c0c0c0"}) {
        EXPECT_EQ(read_hex(hex, out), read_error::truncated) << hex;
    }
}

TEST(reader, refuses_nesting_past_max_depth_without_recursing_further) {
    json out;
    std::string deep(200'000, '\x91');
    deep.push_back('\xc0');
    EXPECT_EQ(read(deep, out), read_error::too_deep);
    std::string ok(32, '\x91');
    ok.push_back('\xc0');
    EXPECT_FALSE(read(ok, out));
    std::string one_more(33, '\x91');
    one_more.push_back('\xc0');
    EXPECT_EQ(read(one_more, out), read_error::too_deep);
    reader_limits limits;
    limits.max_depth = 40;
    EXPECT_FALSE(read(one_more, out, limits));
    std::string maps;
    for (int i = 0; i < 33; ++i)
        maps += "\x81\xa1k";
    maps.push_back('\xc0');
    EXPECT_EQ(read(maps, out), read_error::too_deep);
}

TEST(reader, refuses_more_values_or_bytes_than_its_limits) {
    reader_limits limits;
    limits.max_values = 4;
    json out;
    EXPECT_FALSE(read_hex("93010203", out, limits));
    EXPECT_EQ(read_hex("9401020304", out, limits), read_error::too_many_values);
    limits.max_bytes = 3;
    EXPECT_EQ(read_hex("93010203", out, limits), read_error::too_large);
    EXPECT_EQ(read_hex("a3c3a961", out, limits), read_error::too_large);
}

TEST(reader, a_large_array_of_empty_arrays_stops_at_max_values) {
    std::string bytes("\xdd\x00\x0f\x00\x00", 5);
    bytes.append(0xf0000, '\x90');
    json out;
    EXPECT_FALSE(read(bytes, out));
    reader_limits limits;
    limits.max_values = 1000;
    EXPECT_EQ(read(bytes, out, limits), read_error::too_many_values);
}

TEST(reader, round_trips_what_the_writer_writes) {
    json const v = {{"a", {1, -1, 2.5, "é", nullptr, true, false}},
                    {"b", json::binary({0, 255})},
                    {"c", json::object()}};
    json out;
    ASSERT_FALSE(read(write(v), out));
    EXPECT_EQ(out, v);
}

TEST(read_category, names_its_errors) {
    std::error_code const ec = read_error::too_deep;
    EXPECT_STREQ(ec.category().name(), "msgpack.read");
    EXPECT_EQ(ec.message(), "nesting too deep");
}

} // namespace
