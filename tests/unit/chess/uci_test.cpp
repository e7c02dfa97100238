#include "test_positions.hpp"

#include <kibitz/chess/uci.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

TEST(uci, writes_long_algebraic) {
    EXPECT_EQ(to_uci(move::normal(12, 28)), "e2e4");
    EXPECT_EQ(to_uci(move::promotion(52, 60, piece_type::queen)), "e7e8q");
    EXPECT_EQ(to_uci(move::promotion(52, 61, piece_type::knight)), "e7f8n");
    EXPECT_EQ(to_uci(move::castling(4, 6)), "e1g1");
    EXPECT_EQ(to_uci(move{}), "0000");
}

TEST(uci, parses_against_the_legal_moves) {
    position const start = position::start();
    EXPECT_EQ(parse_uci(start, "e2e4"), move::normal(12, 28));
    EXPECT_EQ(parse_uci(start, "g1f3"), move::normal(6, 21));
    EXPECT_FALSE(parse_uci(start, "e2e5"));
    EXPECT_FALSE(parse_uci(start, "e7e5"));
    EXPECT_FALSE(parse_uci(start, "e2e4q"));
    for (auto const text : {"", "e2", "e2e", "e2e4e4", "E2E4", "i2e4", "e0e4", "0000", "e2-e4"})
        EXPECT_FALSE(parse_uci(start, text)) << text;
}

TEST(uci, parses_castling_in_both_forms_and_promotions_only_with_a_piece) {
    position const p = from_fen("r3k2r/1P6/8/8/8/8/8/R3K2R w KQkq - 0 1");
    EXPECT_EQ(parse_uci(p, "e1g1"), move::castling(4, 6));
    EXPECT_EQ(parse_uci(p, "e1c1"), move::castling(4, 2));
    EXPECT_EQ(parse_uci(p, "e1h1"), move::castling(4, 6));
    EXPECT_EQ(parse_uci(p, "e1a1"), move::castling(4, 2));
    EXPECT_FALSE(parse_uci(p, "b7b8"));
    EXPECT_EQ(parse_uci(p, "b7b8r"), move::promotion(49, 57, piece_type::rook));
    EXPECT_EQ(parse_uci(p, "b7a8Q"), move::promotion(49, 56, piece_type::queen));
    EXPECT_FALSE(parse_uci(p, "b7b8k"));
    EXPECT_FALSE(parse_uci(p, "b7b8p"));
}

TEST(uci, round_trips_every_legal_move_of_random_positions) {
    for (position const& p : random_positions({start_fen, kiwipete}, 5, 60))
        for (move const m : legal_moves(p))
            EXPECT_EQ(parse_uci(p, to_uci(m)), m);
}
