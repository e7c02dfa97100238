#include <kibitz/test/hex.hpp>

#include <kibitz/msgpack/writer.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace {

using namespace kibitz;
using namespace kibitz::msgpack;
using namespace kibitz::test;
using ordered = nlohmann::ordered_json;

std::string hex(ordered const& v) {
    return to_hex(write(v));
}

// Captured from Node (redis MONITOR): the 74 bytes Node published for
// io.emit("hello","world",1,2.5,true,null).
TEST(writer, reproduces_the_captured_classic_broadcast) {
    ordered const packet = {
        {"type", 2}, {"data", {"hello", "world", 1, 2.5, true, nullptr}}, {"nsp", "/"}};
    ordered const opts = {
        {"rooms", ordered::array()}, {"except", ordered::array()}, {"flags", ordered::object()}};
    std::string const bytes = write(ordered::array({"1kqgqN", packet, opts}));
    EXPECT_EQ(bytes.size(), 74u);
    EXPECT_EQ(to_hex(bytes), "93a6316b7167714e"
                             "83a47479706502a46461746196a568656c6c6fa5776f726c6401"
                             "cb4004000000000000c3c0a36e7370a12f"
                             "83a5726f6f6d7390a665786365707490a5666c61677380");
}

TEST(writer, header_calls_give_the_same_bytes_as_a_value) {
    std::string out;
    writer w(out);
    w.array_header(3);
    w.string("1kqgqN");
    w.map_header(1);
    w.string("type");
    w.integer(2);
    w.nil();
    EXPECT_EQ(to_hex(out), to_hex(write(ordered::array({"1kqgqN", {{"type", 2}}, nullptr}))));
}

TEST(writer, integral_floats_are_integers_like_javascript_numbers) {
    EXPECT_EQ(hex(2.0), "02");
    EXPECT_EQ(hex(-0.0), "00");
    EXPECT_EQ(hex(-33.0), "d0df");
    EXPECT_EQ(hex(4294967296.0), "cf0000000100000000");
    EXPECT_EQ(hex(-9223372036854775808.0), "d38000000000000000");
}

TEST(writer, other_numbers_are_float64_never_float32) {
    EXPECT_EQ(hex(2.5), "cb4004000000000000");
    EXPECT_EQ(hex(std::numeric_limits<double>::infinity()), "cb7ff0000000000000");
}

// notepack writes 1e300 as cf 00.. (its high word wraps): we keep the value instead.
TEST(writer, integral_floats_beyond_64_bits_stay_float64) {
    EXPECT_EQ(hex(1e300), "cb7e37e43c8800759c");
    EXPECT_EQ(hex(18446744073709551616.0), "cb43f0000000000000");
    EXPECT_EQ(hex(-9223372036854777856.0), "cbc3e0000000000001");
}

TEST(writer, integers_take_the_unsigned_forms_when_not_negative) {
    EXPECT_EQ(hex(std::numeric_limits<std::int64_t>::max()), "cf7fffffffffffffff");
    EXPECT_EQ(hex(std::numeric_limits<std::uint64_t>::max()), "cfffffffffffffffff");
    EXPECT_EQ(hex(std::numeric_limits<std::int64_t>::min()), "d38000000000000000");
    EXPECT_EQ(hex(-2147483648), "d280000000");
}

TEST(writer, binary_keeps_no_subtype) {
    EXPECT_EQ(hex(ordered::binary({1, 2, 3}, 42)), "c403010203");
}

TEST(writer, sorted_json_writes_keys_in_sorted_order) {
    json const v = {{"nsp", "/"}, {"data", 1}, {"type", 2}};
    EXPECT_EQ(to_hex(write(v)), "83a46461746101a36e7370a12fa47479706502");
}

} // namespace
