#include <kibitz/redis/glob.hpp>

#include <gtest/gtest.h>

namespace {

using kibitz::redis::escape_glob;

TEST(escape_glob, escapes_the_five_glob_characters_only) {
    EXPECT_EQ(escape_glob("socket.io#/chat#"), "socket.io#/chat#");
    EXPECT_EQ(escape_glob("/a*b?c[d]e\\f"), "/a\\*b\\?c\\[d\\]e\\\\f");
    EXPECT_EQ(escape_glob(""), "");
}

} // namespace
