#include <kibitz/redis/url.hpp>

#include <gtest/gtest.h>

namespace {

using namespace kibitz::redis;

TEST(parse_url, reads_host_port_and_db) {
    EXPECT_EQ(parse_url("redis://127.0.0.1:6380"), (url{"127.0.0.1", 6380, 0}));
    EXPECT_EQ(parse_url("redis://localhost"), (url{"localhost", 6379, 0}));
    EXPECT_EQ(parse_url("redis://localhost/"), (url{"localhost", 6379, 0}));
    EXPECT_EQ(parse_url("redis://redis-1:7000/3"), (url{"redis-1", 7000, 3}));
    EXPECT_EQ(parse_url("redis://[::1]:6381/1"), (url{"::1", 6381, 1}));
}

TEST(parse_url, refuses_what_it_cannot_honour) {
    for (auto bad :
         {"", "http://h:1", "redis://", "redis://:6379", "redis://h:", "redis://h:0",
          "redis://h:65536", "redis://h:1x", "redis://u:p@h:1", "redis://h/x", "redis://h/1?x=1",
          "redis://h/70000", "redis://[::1", "redis://[::1]x", "redis://::1:6379", "redis://h h"}) {
        EXPECT_FALSE(parse_url(bad)) << bad;
    }
}

} // namespace
