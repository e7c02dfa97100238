#include <kibitz/engineio/heartbeat.hpp>

#include <gtest/gtest.h>

#include <chrono>

using namespace kibitz;
using namespace kibitz::engineio;
using namespace std::chrono_literals;
using action = heartbeat::action;

namespace {

// Time is an input: every instant is built by hand from a fixed origin.
util::time_point const t0{std::chrono::hours(10)};

constexpr util::duration interval = 25000ms;
constexpr util::duration timeout = 20000ms;

} // namespace

TEST(heartbeat, does_nothing_before_the_first_interval) {
    heartbeat hb(interval, timeout, t0);
    EXPECT_EQ(hb.tick(t0), action::none);
    EXPECT_EQ(hb.tick(t0 + interval - 1ms), action::none);
    EXPECT_FALSE(hb.awaiting_pong());
    EXPECT_EQ(hb.next_deadline(), t0 + interval);
}

TEST(heartbeat, sends_a_ping_when_the_interval_has_passed) {
    heartbeat hb(interval, timeout, t0);
    EXPECT_EQ(hb.tick(t0 + interval), action::send_ping);
    EXPECT_TRUE(hb.awaiting_pong());
    EXPECT_EQ(hb.next_deadline(), t0 + interval + timeout);
}

TEST(heartbeat, sends_one_ping_and_then_waits_for_the_pong) {
    heartbeat hb(interval, timeout, t0);
    ASSERT_EQ(hb.tick(t0 + interval), action::send_ping);
    EXPECT_EQ(hb.tick(t0 + interval), action::none);
    EXPECT_EQ(hb.tick(t0 + interval + timeout - 1ms), action::none);
}

TEST(heartbeat, counts_the_pong_deadline_from_when_the_ping_was_due) {
    heartbeat hb(interval, timeout, t0);
    auto const slightly_late = t0 + interval + timeout / 4;
    ASSERT_EQ(hb.tick(slightly_late), action::send_ping);
    EXPECT_EQ(hb.next_deadline(), t0 + interval + timeout);
    EXPECT_EQ(hb.tick(t0 + interval + timeout), action::timed_out);
}

TEST(heartbeat, gives_a_whole_timeout_when_the_ping_goes_out_after_its_deadline) {
    heartbeat hb(interval, timeout, t0);
    auto const late = t0 + interval + timeout + 3s;
    ASSERT_EQ(hb.tick(late), action::send_ping);
    EXPECT_EQ(hb.next_deadline(), late + timeout);
    EXPECT_EQ(hb.tick(late + timeout - 1ms), action::none);
    EXPECT_EQ(hb.tick(late + timeout), action::timed_out);
}

TEST(heartbeat, closes_when_no_pong_within_ping_timeout) {
    heartbeat hb(interval, timeout, t0);
    ASSERT_EQ(hb.tick(t0 + interval), action::send_ping);
    EXPECT_EQ(hb.tick(t0 + interval + timeout - 1ms), action::none);
    EXPECT_EQ(hb.tick(t0 + interval + timeout), action::timed_out);
    EXPECT_EQ(hb.tick(t0 + interval + timeout + 1h), action::timed_out);
}

TEST(heartbeat, pong_resets_the_ping_interval) {
    heartbeat hb(interval, timeout, t0);
    ASSERT_EQ(hb.tick(t0 + interval), action::send_ping);
    auto const pong_at = t0 + interval + 5s;
    hb.on_pong(pong_at);
    EXPECT_FALSE(hb.awaiting_pong());
    EXPECT_EQ(hb.next_deadline(), pong_at + interval);
    // The old pong deadline no longer applies.
    EXPECT_EQ(hb.tick(t0 + interval + timeout), action::none);
    EXPECT_EQ(hb.tick(pong_at + interval - 1ms), action::none);
    EXPECT_EQ(hb.tick(pong_at + interval), action::send_ping);
}

TEST(heartbeat, pings_every_interval_while_pongs_arrive) {
    heartbeat hb(interval, timeout, t0);
    auto now = t0;
    for (int round = 0; round < 5; ++round) {
        now += interval;
        ASSERT_EQ(hb.next_deadline(), now) << round;
        ASSERT_EQ(hb.tick(now), action::send_ping) << round;
        now += 100ms; // the client's round trip
        ASSERT_EQ(hb.tick(now), action::none) << round;
        hb.on_pong(now);
    }
    EXPECT_FALSE(hb.awaiting_pong());
}

TEST(heartbeat, next_deadline_follows_the_state) {
    heartbeat hb(1s, 2s, t0);
    EXPECT_EQ(hb.next_deadline(), t0 + 1s);
    ASSERT_EQ(hb.tick(t0 + 1s), action::send_ping);
    EXPECT_EQ(hb.next_deadline(), t0 + 3s);
    hb.on_pong(t0 + 2s);
    EXPECT_EQ(hb.next_deadline(), t0 + 3s);
    ASSERT_EQ(hb.tick(t0 + 3s), action::send_ping);
    EXPECT_EQ(hb.next_deadline(), t0 + 5s);
    EXPECT_EQ(hb.tick(hb.next_deadline()), action::timed_out);
}

TEST(heartbeat, ignores_an_unsolicited_pong) {
    // A client that sends pongs on its own keeps no session alive without reading our pings.
    heartbeat hb(interval, timeout, t0);
    EXPECT_FALSE(hb.on_pong(t0 + 10s));
    EXPECT_EQ(hb.next_deadline(), t0 + interval);
    EXPECT_EQ(hb.tick(t0 + interval), action::send_ping);
    // Pongs after the answer has come are ignored too: the pong deadline of the next ping holds.
    EXPECT_TRUE(hb.on_pong(t0 + interval + 1s));
    EXPECT_FALSE(hb.on_pong(t0 + interval + 2s));
    EXPECT_EQ(hb.tick(t0 + 2 * interval + 1s), action::send_ping);
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(hb.tick(t0 + 2 * interval + 2s + i * 100ms), action::none);
    EXPECT_EQ(hb.tick(t0 + 2 * interval + 1s + timeout), action::timed_out);
}

TEST(heartbeat, measures_the_round_trip_smoothed) {
    heartbeat hb(interval, timeout, t0);
    EXPECT_FALSE(hb.rtt().has_value());
    auto t = t0 + interval;
    ASSERT_EQ(hb.tick(t), action::send_ping);
    ASSERT_TRUE(hb.on_pong(t + 80ms));
    EXPECT_EQ(hb.rtt(), 80ms) << "the first sample as it is";
    t += 80ms + interval;
    ASSERT_EQ(hb.tick(t), action::send_ping);
    ASSERT_TRUE(hb.on_pong(t + 160ms));
    EXPECT_EQ(hb.rtt(), 90ms) << "80 + (160 - 80) / 8";
    EXPECT_FALSE(hb.on_pong(t + 200ms)) << "an unsolicited pong";
    EXPECT_EQ(hb.rtt(), 90ms) << "measures nothing";
}
