#include <kibitz/chess/bitboard.hpp>

#include <gtest/gtest.h>

#include <random>

using namespace kibitz::chess;

namespace {

// Reference slider attacks by walking rays one square at a time.
bitboard walk(square s, bitboard occupied, int const (*steps)[2]) {
    bitboard attacks = 0;
    for (int d = 0; d < 4; ++d) {
        int f = file_of(s) + steps[d][0];
        int r = rank_of(s) + steps[d][1];
        for (; f >= 0 && f < 8 && r >= 0 && r < 8; f += steps[d][0], r += steps[d][1]) {
            attacks |= bit(make_square(f, r));
            if (occupied & bit(make_square(f, r))) break;
        }
    }
    return attacks;
}

constexpr int diagonal[4][2] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
constexpr int straight[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};

} // namespace

TEST(bitboard, slider_attacks_match_ray_walking_for_random_occupancies) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 2000; ++i) {
        bitboard const occ = rng() & rng();
        square const s = static_cast<square>(rng() % 64);
        ASSERT_EQ(bishop_attacks(s, occ), walk(s, occ, diagonal));
        ASSERT_EQ(rook_attacks(s, occ), walk(s, occ, straight));
    }
}

TEST(bitboard, step_attacks_stay_on_the_board) {
    EXPECT_EQ(knight_attacks(0), bit(10) | bit(17));
    EXPECT_EQ(king_attacks(7), bit(6) | bit(14) | bit(15));
    EXPECT_EQ(pawn_attacks(color::white, 8), bit(17));
    EXPECT_EQ(pawn_attacks(color::black, 55), bit(46));
}

TEST(bitboard, between_and_line_cover_aligned_squares_only) {
    EXPECT_EQ(between(0, 3), bit(1) | bit(2));
    EXPECT_EQ(between(0, 63), 0x0040201008040200ULL);
    EXPECT_EQ(between(0, 17), 0U);
    EXPECT_EQ(line(0, 9), 0x8040201008040201ULL);
    EXPECT_EQ(line(0, 17), 0U);
    EXPECT_EQ(line(8, 10), rank_bb(1));
}
