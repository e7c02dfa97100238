#include <kibitz/chess/clock.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chess;

TEST(fischer_clock, no_clock_runs_before_each_side_has_moved) {
    fischer_clock c(60'000, 1'000);
    EXPECT_EQ(c.running(), std::nullopt);
    EXPECT_EQ(c.remaining(color::white, 1'000'000), 60'000);
    EXPECT_FALSE(c.flagged(1'000'000));
    ASSERT_TRUE(c.after_move(5'000)); // white's first move: free, plus the increment
    EXPECT_EQ(c.remaining(color::white, 9'000), 61'000);
    EXPECT_EQ(c.running(), std::nullopt);
    EXPECT_EQ(c.flag_time(), std::nullopt);
    ASSERT_TRUE(c.after_move(9'000)); // black's first move: white's clock starts now
    EXPECT_EQ(c.remaining(color::black, 9'000), 61'000);
    EXPECT_EQ(c.running(), color::white);
}

TEST(fischer_clock, charges_the_mover_and_adds_the_increment) {
    fischer_clock c(60'000, 1'000);
    c.after_move(0);
    c.after_move(2'000); // white runs from 2 s with 61 s
    EXPECT_EQ(c.remaining(color::white, 12'000), 51'000);
    EXPECT_EQ(c.remaining(color::black, 12'000), 61'000); // black's clock is not running
    ASSERT_TRUE(c.after_move(12'000));                    // white used 10 s, gets 1 s
    EXPECT_EQ(c.remaining(color::white, 50'000), 52'000);
    EXPECT_EQ(c.running(), color::black);
    EXPECT_EQ(c.remaining(color::black, 15'500), 57'500);
    EXPECT_EQ(c.moves(), 3);
    EXPECT_EQ(c.turn(), color::black);
}

TEST(fischer_clock, flags_when_the_running_side_reaches_zero) {
    fischer_clock c(10'000, 0);
    c.after_move(0);
    c.after_move(1'000);
    EXPECT_EQ(c.flag_time(), 11'000);
    EXPECT_FALSE(c.flagged(10'999));
    EXPECT_EQ(c.remaining(color::white, 10'999), 1);
    EXPECT_TRUE(c.flagged(11'000));
    EXPECT_EQ(c.remaining(color::white, 20'000), 0);
    EXPECT_FALSE(c.after_move(11'000)); // too late: nothing changes
    EXPECT_EQ(c.turn(), color::white);
    EXPECT_TRUE(c.after_move(10'999));
}

TEST(fischer_clock, stop_freezes_the_times) {
    fischer_clock c(30'000, 2'000);
    c.after_move(0);
    c.after_move(0);
    c.stop(5'000);
    EXPECT_TRUE(c.stopped());
    EXPECT_EQ(c.running(), std::nullopt);
    EXPECT_EQ(c.remaining(color::white, 100'000), 27'000);
    EXPECT_FALSE(c.flagged(100'000));
    EXPECT_FALSE(c.after_move(6'000));
}

TEST(fischer_clock, time_running_backwards_counts_as_none) {
    fischer_clock c(30'000, 0);
    c.after_move(10'000);
    c.after_move(10'000);
    EXPECT_EQ(c.remaining(color::white, 9'000), 30'000);
    ASSERT_TRUE(c.after_move(9'000));
    EXPECT_EQ(c.remaining(color::white, 0), 30'000);
    EXPECT_EQ(c.remaining(color::black, 12'000), 28'000);
}

TEST(fischer_clock, black_may_move_first_in_a_game_from_a_fen) {
    fischer_clock c(5'000, 0, color::black);
    EXPECT_EQ(c.turn(), color::black);
    c.after_move(100);
    c.after_move(200);
    EXPECT_EQ(c.running(), color::black);
    EXPECT_EQ(c.remaining(color::black, 1'200), 4'000);
}
