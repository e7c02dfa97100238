#include <kibitz/util/json_fields.hpp>

#include <gtest/gtest.h>

#include <limits>

namespace kibitz::util {
namespace {

json const sample = json::parse(R"({
    "s": "text", "empty": "", "n": null, "i": 42, "neg": -1, "f": 1.5, "whole_f": 2.0,
    "b": true, "zero": 0, "big": 18446744073709551615, "arr": [1], "obj": {"s": "x"}
})");

TEST(json_fields, string_field_tells_absent_ok_and_wrong_apart) {
    std::string out = "kept";
    EXPECT_EQ(string_field(sample, "missing", out), field_state::absent);
    EXPECT_EQ(string_field(sample, "n", out), field_state::absent) << "null is absent";
    EXPECT_EQ(out, "kept");
    EXPECT_EQ(string_field(sample, "i", out), field_state::wrong);
    EXPECT_EQ(string_field(sample, "arr", out), field_state::wrong);
    EXPECT_EQ(out, "kept") << "untouched unless ok";
    EXPECT_EQ(string_field(sample, "s", out), field_state::ok);
    EXPECT_EQ(out, "text");
    EXPECT_EQ(string_field(sample, "empty", out), field_state::ok);
    EXPECT_EQ(out, "");
}

TEST(json_fields, a_value_that_is_no_object_has_no_fields) {
    std::string out;
    for (auto const& v : {json(nullptr), json(3), json("s"), json::array({"s"})})
        EXPECT_EQ(string_field(v, "s", out), field_state::absent) << v.dump();
    bool b = false;
    EXPECT_EQ(bool_field(json::array(), "b", b), field_state::absent);
    EXPECT_EQ(bounded_int(json(7), "i", 10), std::nullopt);
}

TEST(json_fields, optional_string_fails_only_on_the_wrong_type) {
    std::optional<std::string> out;
    EXPECT_TRUE(optional_string(sample, "missing", out));
    EXPECT_TRUE(optional_string(sample, "n", out));
    EXPECT_EQ(out, std::nullopt);
    EXPECT_FALSE(optional_string(sample, "b", out));
    EXPECT_EQ(out, std::nullopt);
    EXPECT_TRUE(optional_string(sample, "s", out));
    EXPECT_EQ(out, "text");
}

TEST(json_fields, bounded_string_is_one_to_max_bytes) {
    EXPECT_EQ(bounded_string(sample, "s", 4), "text");
    EXPECT_EQ(bounded_string(sample, "s", 3), std::nullopt);
    EXPECT_EQ(bounded_string(sample, "empty", 10), std::nullopt);
    EXPECT_EQ(bounded_string(sample, "n", 10), std::nullopt);
    EXPECT_EQ(bounded_string(sample, "i", 10), std::nullopt);
    EXPECT_EQ(bounded_string(sample["obj"], "s", 10), "x");
}

TEST(json_fields, bounded_int_takes_whole_numbers_from_zero_to_max) {
    EXPECT_EQ(bounded_int(sample, "i", 42), 42);
    EXPECT_EQ(bounded_int(sample, "i", 41), std::nullopt);
    EXPECT_EQ(bounded_int(sample, "zero", 0), 0);
    EXPECT_EQ(bounded_int(sample, "neg", 10), std::nullopt);
    EXPECT_EQ(bounded_int(sample, "f", 10), std::nullopt) << "no fractions";
    EXPECT_EQ(bounded_int(sample, "whole_f", 10), std::nullopt) << "a float is no integer";
    EXPECT_EQ(bounded_int(sample, "b", 10), std::nullopt) << "no booleans";
    EXPECT_EQ(bounded_int(sample, "s", 10), std::nullopt);
    EXPECT_EQ(bounded_int(sample, "n", 10), std::nullopt);
    auto const max = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(bounded_int(sample, "big", max), std::nullopt) << "2^64 - 1 is over any bound";
    EXPECT_EQ(bounded_int(json{{"u", std::uint64_t{max}}}, "u", max), max);
}

TEST(json_fields, bool_field_takes_only_booleans) {
    bool out = false;
    EXPECT_EQ(bool_field(sample, "b", out), field_state::ok);
    EXPECT_TRUE(out);
    EXPECT_EQ(bool_field(sample, "zero", out), field_state::wrong) << "0 is no boolean";
    EXPECT_EQ(bool_field(sample, "s", out), field_state::wrong);
    EXPECT_EQ(bool_field(sample, "n", out), field_state::absent);
    EXPECT_EQ(bool_field(sample, "missing", out), field_state::absent);
}

} // namespace
} // namespace kibitz::util
