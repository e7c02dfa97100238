#include <kibitz/util/base64.hpp>

#include <gtest/gtest.h>

using namespace kibitz::util;

TEST(base64, encodes_rfc4648_vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(base64, decodes_with_and_without_padding) {
    EXPECT_EQ(base64_decode("Zm9vYg==").value(), "foob");
    EXPECT_EQ(base64_decode("Zm9vYg").value(), "foob");
    EXPECT_EQ(base64_decode("").value(), "");
}

TEST(base64, refuses_characters_outside_the_alphabet) {
    EXPECT_FALSE(base64_decode("Zm9v!g==").has_value());
    EXPECT_FALSE(base64_decode("Z").has_value());
    EXPECT_FALSE(base64_decode("Zm=v").has_value());
}

TEST(base64, round_trips_every_byte_value) {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    EXPECT_EQ(base64_decode(base64_encode(all)).value(), all);
}

TEST(base64url, uses_the_url_alphabet_without_padding) {
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}
