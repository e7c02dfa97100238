#include <kibitz/util/utf8.hpp>

#include <gtest/gtest.h>

using namespace kibitz::util;

TEST(utf8, accepts_well_formed_text) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("hello"));
    EXPECT_TRUE(is_valid_utf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
    EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf")); // U+10FFFF
}

TEST(utf8, refuses_overlong_surrogates_and_out_of_range) {
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));     // overlong
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));     // U+D800, a lone surrogate
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xff"));
    EXPECT_FALSE(is_valid_utf8("\xc3")); // truncated
    EXPECT_FALSE(is_valid_utf8("\x80")); // stray continuation
}

TEST(utf8_validator, accepts_code_points_split_across_feeds) {
    utf8_validator v;
    EXPECT_TRUE(v.feed("\xf0\x9f"));
    EXPECT_FALSE(v.complete());
    EXPECT_TRUE(v.feed("\x98\x80"));
    EXPECT_TRUE(v.complete());
}

TEST(utf8, counts_and_decodes_code_points) {
    std::string_view s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    EXPECT_EQ(code_point_count(s), 4u);
    std::size_t pos = 0;
    EXPECT_EQ(next_code_point(s, pos), 0x61u);
    EXPECT_EQ(next_code_point(s, pos), 0xE9u);
    EXPECT_EQ(next_code_point(s, pos), 0x20ACu);
    EXPECT_EQ(next_code_point(s, pos), 0x1F600u);
    EXPECT_EQ(pos, s.size());
}
