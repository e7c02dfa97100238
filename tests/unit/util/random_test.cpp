#include <kibitz/util/random.hpp>

#include <gtest/gtest.h>

#include <set>

using namespace kibitz::util;

TEST(random_id, is_url_safe_with_at_least_120_bits) {
    auto id = random_id();
    EXPECT_EQ(id.size(), 22u);
    for (char c : id)
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
}

TEST(random_id, does_not_repeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i)
        EXPECT_TRUE(seen.insert(random_id()).second);
}
