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

using saved = fischer_clock::saved_state;

TEST(fischer_clock, restore_runs_the_side_to_move_from_running_since) {
    auto c = fischer_clock::restore(60'000, 1'000,
                                    saved{.white_ms = 55'000,
                                          .black_ms = 61'000,
                                          .turn = color::black,
                                          .moves = 3,
                                          .running_since_ms = 10'000});
    EXPECT_EQ(c.running(), color::black);
    EXPECT_EQ(c.turn(), color::black);
    EXPECT_EQ(c.moves(), 3);
    EXPECT_EQ(c.remaining(color::black, 10'000), 61'000);
    EXPECT_EQ(c.remaining(color::black, 12'500), 58'500);
    EXPECT_EQ(c.remaining(color::white, 12'500), 55'000) << "the waiting side is not charged";
    EXPECT_EQ(c.flag_time(), 71'000);
    // It goes on as a clock that recorded the moves itself: black pays 5 s, gets 1 s.
    ASSERT_TRUE(c.after_move(15'000));
    EXPECT_EQ(c.remaining(color::black, 99'000), 57'000);
    EXPECT_EQ(c.running(), color::white);
    EXPECT_EQ(c.remaining(color::white, 16'000), 54'000);
}

TEST(fischer_clock, restore_matches_the_clock_it_was_saved_from) {
    fischer_clock live(30'000, 2'000);
    for (std::int64_t t : {0, 1'000, 4'000, 9'000, 9'500})
        ASSERT_TRUE(live.after_move(t));
    // Saved at the start of black's turn (9.5 s), restored to run from 100 s.
    auto c = fischer_clock::restore(30'000, 2'000,
                                    saved{.white_ms = live.remaining(color::white, 9'500),
                                          .black_ms = live.remaining(color::black, 9'500),
                                          .turn = live.turn(),
                                          .moves = live.moves(),
                                          .running_since_ms = 100'000});
    for (auto side : {color::white, color::black})
        EXPECT_EQ(c.remaining(side, 100'000 + 700), live.remaining(side, 9'500 + 700));
    EXPECT_EQ(c.running(), live.running());
    EXPECT_EQ(*c.flag_time() - 100'000, *live.flag_time() - 9'500);
}

TEST(fischer_clock, restore_before_the_second_move_runs_no_clock) {
    auto c = fischer_clock::restore(
        5'000, 500, saved{.white_ms = 5'500, .black_ms = 5'000, .turn = color::black, .moves = 1});
    EXPECT_EQ(c.running(), std::nullopt);
    EXPECT_EQ(c.remaining(color::black, 1'000'000), 5'000);
    ASSERT_TRUE(c.after_move(7'000)); // black's first move is free; white's clock starts
    EXPECT_EQ(c.remaining(color::black, 7'000), 5'500);
    EXPECT_EQ(c.running(), color::white);
    EXPECT_EQ(c.remaining(color::white, 8'000), 4'500);

    auto none = fischer_clock::restore(5'000, 0, saved{.white_ms = 5'000, .moves = -4});
    EXPECT_EQ(none.moves(), 0);
    EXPECT_EQ(none.running(), std::nullopt);
}

TEST(fischer_clock, restore_of_a_stopped_clock_keeps_the_final_times) {
    auto c = fischer_clock::restore(60'000, 0,
                                    saved{.white_ms = 12'000,
                                          .black_ms = 0,
                                          .turn = color::black,
                                          .moves = 40,
                                          .running_since_ms = 5'000,
                                          .stopped = true});
    EXPECT_TRUE(c.stopped());
    EXPECT_EQ(c.running(), std::nullopt);
    EXPECT_FALSE(c.flagged(1'000'000));
    EXPECT_EQ(c.remaining(color::white, 1'000'000), 12'000);
    EXPECT_EQ(c.remaining(color::black, 1'000'000), 0);
    EXPECT_FALSE(c.after_move(6'000));
}

TEST(fischer_clock, restore_with_no_time_left_flags_at_once) {
    auto c = fischer_clock::restore(10'000, 0,
                                    saved{.white_ms = 0,
                                          .black_ms = 3'000,
                                          .turn = color::white,
                                          .moves = 6,
                                          .running_since_ms = 50});
    EXPECT_TRUE(c.flagged(50));
    EXPECT_FALSE(c.after_move(50));
}
