#include "connect_deadline.hpp"

#include <gtest/gtest.h>

using namespace kibitz;
using kibitz::socketio::detail::connect_deadline;
using namespace std::chrono_literals;

namespace {
util::time_point const t0 = util::time_point{} + 1h;
} // namespace

TEST(connect_deadline, expires_a_session_that_joins_no_namespace_within_the_timeout) {
    connect_deadline d(45000ms);
    d.on_empty(t0);
    ASSERT_TRUE(d.deadline());
    EXPECT_EQ(*d.deadline(), t0 + 45000ms);
    EXPECT_FALSE(d.expired(t0 + 44999ms));
    EXPECT_TRUE(d.expired(t0 + 45000ms));
}

TEST(connect_deadline, has_no_deadline_while_a_namespace_is_joined) {
    connect_deadline d(1000ms);
    d.on_empty(t0);
    d.clear(); // joined at once
    EXPECT_FALSE(d.deadline());
    EXPECT_FALSE(d.expired(t0 + 1h));
}

TEST(connect_deadline, starts_again_when_the_last_namespace_is_left) {
    connect_deadline d(1000ms);
    d.on_empty(t0);
    d.clear();
    d.on_empty(t0 + 5000ms); // left every namespace
    EXPECT_FALSE(d.expired(t0 + 5999ms));
    EXPECT_TRUE(d.expired(t0 + 6000ms));
}

TEST(connect_deadline, keeps_the_first_deadline_when_told_twice) {
    connect_deadline d(1000ms);
    d.on_empty(t0);
    d.on_empty(t0 + 900ms); // a refused CONNECT changes nothing
    EXPECT_TRUE(d.expired(t0 + 1000ms));
}

TEST(connect_deadline, never_expires_a_closed_session) {
    connect_deadline d(1000ms);
    d.on_empty(t0);
    d.clear(); // closed
    EXPECT_FALSE(d.expired(t0 + 2000ms));
}
