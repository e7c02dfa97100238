// The deep perft tables: seconds in a release build, minutes under ASan. CTest label "slow".
#include "test_positions.hpp"

#include <kibitz/chess/perft.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

TEST(perft_slow, start_position_depth_6) {
    EXPECT_EQ(perft(position::start(), 6), 119060324U);
}

TEST(perft_slow, kiwipete_depth_5) {
    EXPECT_EQ(perft(from_fen(kiwipete), 5), 193690690U);
}

TEST(perft_slow, position_3_depth_7) {
    EXPECT_EQ(perft(from_fen(perft_position_3), 7), 178633661U);
}

TEST(perft_slow, position_4_depth_5) {
    EXPECT_EQ(perft(from_fen(perft_position_4), 5), 15833292U);
}

TEST(perft_slow, position_5_depth_5) {
    EXPECT_EQ(perft(from_fen(perft_position_5), 5), 89941194U);
}

TEST(perft_slow, position_6_depth_5) {
    EXPECT_EQ(perft(from_fen(perft_position_6), 5), 164075551U);
}
