#include <kibitz/chat/rate_limiter.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chat;
using kibitz::util::duration;
using kibitz::util::time_point;
using std::chrono::milliseconds;

namespace {
time_point const t0{std::chrono::hours(1)};
}

TEST(rate_limiter, allows_the_limit_then_says_how_long_to_wait) {
    rate_limiter r(3, milliseconds(10000));
    EXPECT_FALSE(r.acquire("a", t0));
    EXPECT_FALSE(r.acquire("a", t0 + milliseconds(1000)));
    EXPECT_FALSE(r.acquire("a", t0 + milliseconds(2000)));
    auto wait = r.acquire("a", t0 + milliseconds(2500));
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, milliseconds(7500));
    EXPECT_EQ(r.count("a", t0 + milliseconds(2500)), 3u);
}

TEST(rate_limiter, window_slides) {
    rate_limiter r(2, milliseconds(10000));
    EXPECT_FALSE(r.acquire("a", t0));
    EXPECT_FALSE(r.acquire("a", t0 + milliseconds(5000)));
    EXPECT_TRUE(r.acquire("a", t0 + milliseconds(9999)));
    // The first event leaves the window exactly 10 s after it.
    EXPECT_FALSE(r.acquire("a", t0 + milliseconds(10000)));
    EXPECT_TRUE(r.acquire("a", t0 + milliseconds(14999)));
    EXPECT_FALSE(r.acquire("a", t0 + milliseconds(15000)));
}

TEST(rate_limiter, refused_attempts_do_not_count) {
    rate_limiter r(1, milliseconds(1000));
    EXPECT_FALSE(r.acquire("a", t0));
    for (int i = 1; i < 100; ++i)
        EXPECT_TRUE(r.acquire("a", t0 + milliseconds(i)));
    EXPECT_FALSE(r.acquire("a", t0 + milliseconds(1000)));
}

TEST(rate_limiter, keys_are_independent) {
    rate_limiter r(1, milliseconds(1000));
    EXPECT_FALSE(r.acquire("a", t0));
    EXPECT_FALSE(r.acquire("b", t0));
    EXPECT_TRUE(r.acquire("a", t0));
}

TEST(rate_limiter, release_gives_an_event_back) {
    rate_limiter r(1, milliseconds(1000));
    EXPECT_FALSE(r.acquire("a", t0));
    r.release("a", t0);
    EXPECT_FALSE(r.acquire("a", t0 + milliseconds(1)));
    r.release("a", t0); // nothing recorded at t0 any more: no effect
    EXPECT_TRUE(r.acquire("a", t0 + milliseconds(2)));
}

TEST(rate_limiter, forget_and_sweep_drop_keys) {
    rate_limiter r(5, milliseconds(1000));
    EXPECT_FALSE(r.acquire("a", t0));
    EXPECT_FALSE(r.acquire("b", t0));
    r.forget("a");
    EXPECT_EQ(r.count("a", t0), 0u);
    EXPECT_EQ(r.keys(t0), 1u);
    EXPECT_EQ(r.keys(t0 + milliseconds(1000)), 0u);
}

TEST(rate_limiter, zero_turns_it_off) {
    rate_limiter r(0, milliseconds(1000));
    EXPECT_FALSE(r.enabled());
    for (int i = 0; i < 1000; ++i)
        EXPECT_FALSE(r.acquire("a", t0));
}

TEST(rate_limiter, retry_after_is_at_least_one_millisecond) {
    rate_limiter r(1, milliseconds(10));
    EXPECT_FALSE(r.acquire("a", t0));
    auto wait = r.acquire("a", t0 + std::chrono::microseconds(9999));
    ASSERT_TRUE(wait);
    EXPECT_GE(*wait, milliseconds(1));
}
