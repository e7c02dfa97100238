#include <kibitz/redis/url.hpp>

#include <gtest/gtest.h>

namespace {

using namespace kibitz::redis;

TEST(parse_url, reads_host_port_and_db) {
    EXPECT_EQ(parse_url("redis://127.0.0.1:6380"), (url{"127.0.0.1", 6380, 0, {}, {}}));
    EXPECT_EQ(parse_url("redis://localhost"), (url{"localhost", 6379, 0, {}, {}}));
    EXPECT_EQ(parse_url("redis://localhost/"), (url{"localhost", 6379, 0, {}, {}}));
    EXPECT_EQ(parse_url("redis://redis-1:7000/3"), (url{"redis-1", 7000, 3, {}, {}}));
    EXPECT_EQ(parse_url("redis://[::1]:6381/1"), (url{"::1", 6381, 1, {}, {}}));
}

TEST(parse_url, reads_user_and_password_percent_decoded) {
    auto const a = parse_url("redis://:s%40cret@h:1/2");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->password, "s@cret");
    EXPECT_EQ(a->username, "");
    EXPECT_EQ(a->host, "h");
    EXPECT_EQ(a->db, 2);
    auto const b = parse_url("redis://kibitz:p:w@[::1]");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->username, "kibitz");
    EXPECT_EQ(b->password, "p:w");
    EXPECT_EQ(b->host, "::1");
    EXPECT_EQ(parse_url("redis://secret@h")->password, "secret");
}

TEST(parse_url, refuses_what_it_cannot_honour) {
    for (auto bad :
         {"", "http://h:1", "redis://", "redis://:6379", "redis://h:", "redis://h:0",
          "redis://h:65536", "redis://h:1x", "redis://u:@h", "redis://@h", "redis://:%4@h",
          "redis://:%zz@h", "redis://h/x", "redis://h/1?x=1", "redis://h/70000", "redis://[::1",
          "redis://[::1]x", "redis://::1:6379", "redis://h h"}) {
        EXPECT_FALSE(parse_url(bad)) << bad;
    }
}

} // namespace
