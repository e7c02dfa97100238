#include "test_positions.hpp"

#include <kibitz/chess/uci.hpp>
#include <kibitz/chess/zobrist.hpp>

#include <gtest/gtest.h>

#include <initializer_list>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

namespace {

position after(std::string_view fen, std::initializer_list<char const*> moves) {
    position p = from_fen(fen);
    for (char const* m : moves)
        p.play(parse_uci(p, m).value());
    return p;
}

} // namespace

TEST(zobrist, keys_are_fixed_across_builds_and_runs) {
    EXPECT_EQ(position::start().key(), 0xEEFDDF875EF6BE8AULL);
}

TEST(zobrist, transpositions_have_equal_keys) {
    EXPECT_EQ(after(start_fen, {"g1f3", "g8f6", "b1c3"}).key(),
              after(start_fen, {"b1c3", "g8f6", "g1f3"}).key());
}

TEST(zobrist, side_castling_and_en_passant_change_the_key) {
    EXPECT_NE(from_fen("4k3/8/8/8/8/8/8/R3K3 w - - 0 1").key(),
              from_fen("4k3/8/8/8/8/8/8/R3K3 b - - 0 1").key());
    EXPECT_NE(from_fen("4k3/8/8/8/8/8/8/R3K3 w Q - 0 1").key(),
              from_fen("4k3/8/8/8/8/8/8/R3K3 w - - 0 1").key());
    // Legal en passant: a different position.
    EXPECT_NE(after("4k3/8/8/8/3p4/8/4P3/4K3 w - - 0 1", {"e2e4"}).key(),
              from_fen("4k3/8/8/8/3pP3/8/8/4K3 b - - 0 1").key());
    // No pawn to take, or the taker is pinned: the same position.
    EXPECT_EQ(after("4k3/8/8/8/8/8/4P3/4K3 w - - 0 1", {"e2e4"}).key(),
              from_fen("4k3/8/8/8/4P3/8/8/4K3 b - - 0 1").key());
    EXPECT_EQ(after("7k/8/8/8/3p4/8/4P3/B3K3 w - - 0 1", {"e2e4"}).key(),
              from_fen("7k/8/8/8/3pP3/8/8/B3K3 b - - 0 1").key());
}

TEST(zobrist, incremental_keys_match_keys_built_from_scratch) {
    for (position const& p : random_positions({start_fen, kiwipete, perft_position_4}, 8, 80))
        ASSERT_EQ(p.key(), from_fen(to_fen(p)).key()) << to_fen(p);
}
