// Published perft tables (chessprogramming.org "Perft Results") at depths that run in well under
// a second each under ASan; the deeper ones are in perft_slow_test.cpp.
#include "test_positions.hpp"

#include <kibitz/chess/perft.hpp>
#include <kibitz/chess/uci.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

TEST(perft, start_position_to_depth_5) {
    position const start = position::start();
    EXPECT_EQ(perft(start, 0), 1U);
    EXPECT_EQ(perft(start, 1), 20U);
    EXPECT_EQ(perft(start, 2), 400U);
    EXPECT_EQ(perft(start, 3), 8902U);
    EXPECT_EQ(perft(start, 4), 197281U);
    EXPECT_EQ(perft(start, 5), 4865609U);
}

TEST(perft, kiwipete_to_depth_4) {
    position const p = from_fen(kiwipete);
    EXPECT_EQ(perft(p, 1), 48U);
    EXPECT_EQ(perft(p, 2), 2039U);
    EXPECT_EQ(perft(p, 3), 97862U);
    EXPECT_EQ(perft(p, 4), 4085603U);
}

TEST(perft, position_3_to_depth_6) {
    position const p = from_fen(perft_position_3);
    EXPECT_EQ(perft(p, 1), 14U);
    EXPECT_EQ(perft(p, 2), 191U);
    EXPECT_EQ(perft(p, 3), 2812U);
    EXPECT_EQ(perft(p, 4), 43238U);
    EXPECT_EQ(perft(p, 5), 674624U);
    EXPECT_EQ(perft(p, 6), 11030083U);
}

TEST(perft, position_4_and_its_mirror_to_depth_4) {
    for (auto const fen : {perft_position_4, perft_position_4_mirrored}) {
        position const p = from_fen(fen);
        EXPECT_EQ(perft(p, 1), 6U);
        EXPECT_EQ(perft(p, 2), 264U);
        EXPECT_EQ(perft(p, 3), 9467U);
        EXPECT_EQ(perft(p, 4), 422333U);
    }
}

TEST(perft, position_5_to_depth_4) {
    position const p = from_fen(perft_position_5);
    EXPECT_EQ(perft(p, 1), 44U);
    EXPECT_EQ(perft(p, 2), 1486U);
    EXPECT_EQ(perft(p, 3), 62379U);
    EXPECT_EQ(perft(p, 4), 2103487U);
}

TEST(perft, position_6_to_depth_4) {
    position const p = from_fen(perft_position_6);
    EXPECT_EQ(perft(p, 1), 46U);
    EXPECT_EQ(perft(p, 2), 2079U);
    EXPECT_EQ(perft(p, 3), 89890U);
    EXPECT_EQ(perft(p, 4), 3894594U);
}

TEST(perft, divide_sums_to_perft_and_splits_by_root_move) {
    position const start = position::start();
    auto const split = divide(start, 3);
    ASSERT_EQ(split.size(), 20U);
    std::uint64_t total = 0;
    for (auto const& [m, n] : split) {
        total += n;
        if (to_uci(m) == "e2e4") {
            EXPECT_EQ(n, 600U);
        }
        if (to_uci(m) == "g1f3") {
            EXPECT_EQ(n, 440U);
        }
    }
    EXPECT_EQ(total, 8902U);
}
