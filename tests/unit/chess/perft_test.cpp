// Published perft tables (chessprogramming.org "Perft Results") at depths that run in well under
// a second each under ASan; the deeper ones are in perft_slow_test.cpp.
#include "test_positions.hpp"

#include <kibitz/chess/fen.hpp>
#include <kibitz/chess/perft.hpp>
#include <kibitz/chess/uci.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

namespace {

// perft of `p` at depths first, first + 1, ... is `counts`.
void expect_perft(position const& p, int first, std::initializer_list<std::uint64_t> counts) {
    int depth = first;
    for (auto const n : counts) {
        EXPECT_EQ(perft(p, depth), n) << to_fen(p) << " at depth " << depth;
        ++depth;
    }
}

} // namespace

TEST(perft, start_position_to_depth_5) {
    expect_perft(position::start(), 0, {1, 20, 400, 8902, 197281, 4865609});
}

TEST(perft, kiwipete_to_depth_4) {
    expect_perft(from_fen(kiwipete), 1, {48, 2039, 97862, 4085603});
}

TEST(perft, position_3_to_depth_6) {
    expect_perft(from_fen(perft_position_3), 1, {14, 191, 2812, 43238, 674624, 11030083});
}

TEST(perft, position_4_and_its_mirror_to_depth_4) {
    for (auto const fen : {perft_position_4, perft_position_4_mirrored}) {
        expect_perft(from_fen(fen), 1, {6, 264, 9467, 422333});
    }
}

TEST(perft, position_5_to_depth_4) {
    expect_perft(from_fen(perft_position_5), 1, {44, 1486, 62379, 2103487});
}

TEST(perft, position_6_to_depth_4) {
    expect_perft(from_fen(perft_position_6), 1, {46, 2079, 89890, 3894594});
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
