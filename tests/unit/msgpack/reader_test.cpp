#include <kibitz/test/hex.hpp>

#include <kibitz/msgpack/reader.hpp>
#include <kibitz/msgpack/writer.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// Every format byte from 0xc0 to 0xdf, each in its smallest valid form.
TEST(reader, reads_every_format_with_a_length_or_a_fixed_width) {
    auto binary = [](std::vector<std::uint8_t> bytes, std::optional<std::uint8_t> subtype) {
        return subtype ? json::binary(std::move(bytes), *subtype) : json::binary(std::move(bytes));
    };
    std::vector<std::uint8_t> const x{'x'};
    std::pair<char const*, json> const cases[] = {
        {"c0", nullptr},
        {"c2", false},
        {"c3", true},
        {"c40178", binary(x, std::nullopt)},
        {"c5000178", binary(x, std::nullopt)},
        {"c60000000178", binary(x, std::nullopt)},
        {"c7010578", binary(x, 5)},
        {"c800010578", binary(x, 5)},
        {"c9000000010578", binary(x, 5)},
        {"ca3fc00000", 1.5},
        {"cb3ff8000000000000", 1.5},
        {"ccff", 255},
        {"cd0100", 256},
        {"ce00010000", 65536},
        {"cf0000000100000000", std::int64_t{1} << 32},
        {"d0ff", -1},
        {"d1ff00", -256},
        {"d2ffff0000", -65536},
        {"d3ffffffff00000000", -(std::int64_t{1} << 32)},
        {"d40578", binary(x, 5)},
        {"d5057878", binary({'x', 'x'}, 5)},
        {"d60578787878", binary(std::vector<std::uint8_t>(4, 'x'), 5)},
        {"d7057878787878787878", binary(std::vector<std::uint8_t>(8, 'x'), 5)},
        {"d80578787878787878787878787878787878", binary(std::vector<std::uint8_t>(16, 'x'), 5)},
        {"d90161", "a"},
        {"da000161", "a"},
        {"db0000000161", "a"},
        {"dc0001c0", json::array({nullptr})},
        {"dd00000001c0", json::array({nullptr})},
        {"de0001a16bc0", json{{"k", nullptr}}},
        {"df00000001a16bc0", json{{"k", nullptr}}},
    };
    for (auto const& [hex, expected] : cases)
        EXPECT_EQ(value_of(hex), expected) << hex;
    json out;
    EXPECT_EQ(read_hex("c1", out), read_error::invalid_byte);
    for (char const* truncated :
         {"c4", "c500", "c7", "d405", "d8057878", "d9", "db000000", "dc00", "df"})
        EXPECT_EQ(read_hex(truncated, out), read_error::truncated) << truncated;
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
