#include "test_positions.hpp"

#include <kibitz/chess/fen.hpp>
#include <kibitz/chess/movegen.hpp>
#include <kibitz/chess/uci.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

namespace {

std::vector<std::string> legal_uci(std::string_view fen) {
    std::vector<std::string> out;
    for (move const m : legal_moves(from_fen(fen)))
        out.push_back(to_uci(m));
    std::sort(out.begin(), out.end());
    return out;
}

bool has(std::vector<std::string> const& moves, std::string const& m) {
    return std::find(moves.begin(), moves.end(), m) != moves.end();
}

} // namespace

TEST(movegen, castles_both_ways_when_all_conditions_hold) {
    auto const moves = legal_uci("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1");
    EXPECT_TRUE(has(moves, "e1g1"));
    EXPECT_TRUE(has(moves, "e1c1"));
}

TEST(movegen, refuses_castling_through_into_or_out_of_check) {
    // A black rook on f8 covers f1: no short castling; the long side stays open.
    auto through = legal_uci("4kr2/8/8/8/8/8/8/R3K2R w KQ - 0 1");
    EXPECT_FALSE(has(through, "e1g1"));
    EXPECT_TRUE(has(through, "e1c1"));
    // A rook on g8 covers the arrival square g1; one on c8 covers c1.
    auto into = legal_uci("2r1k1r1/8/8/8/8/8/8/R3K2R w KQ - 0 1");
    EXPECT_FALSE(has(into, "e1g1"));
    EXPECT_FALSE(has(into, "e1c1"));
    // In check: no castling at all.
    auto out_of = legal_uci("4k3/8/8/8/8/8/4r3/R3K2R w KQ - 0 1");
    EXPECT_FALSE(has(out_of, "e1g1"));
    EXPECT_FALSE(has(out_of, "e1c1"));
    // b1 attacked does not matter for the long castling; b1 occupied does.
    EXPECT_TRUE(has(legal_uci("1r2k3/8/8/8/8/8/8/R3K3 w Q - 0 1"), "e1c1"));
    EXPECT_FALSE(has(legal_uci("4k3/8/8/8/8/8/8/RN2K3 w Q - 0 1"), "e1c1"));
}

TEST(movegen, castling_rights_go_when_king_or_rook_moves_or_rook_is_taken) {
    position p = from_fen("r3k2r/8/8/8/8/8/6B1/R3K2R w KQkq - 0 1");
    p.play(parse_uci(p, "g2a8").value());
    EXPECT_EQ(p.castling(), all_castling & ~black_queen_side);
    p.play(parse_uci(p, "e8g8").value());
    EXPECT_EQ(p.castling(), white_king_side | white_queen_side);
    p.play(parse_uci(p, "h1h2").value());
    EXPECT_EQ(p.castling(), white_queen_side);
}

TEST(movegen, en_passant_refused_when_it_exposes_the_king_on_the_rank) {
    // The white pawn on e5 taking d6 would leave the rook on h5 facing the king on a5.
    position p = from_fen("4k3/3p4/8/K3P2r/8/8/8/8 b - - 0 1");
    p.play(parse_uci(p, "d7d5").value());
    EXPECT_FALSE(is_legal(p, move::en_passant(make_square(4, 4), make_square(3, 5))));
    EXPECT_EQ(p.ep_square(), no_square);
}

TEST(movegen, en_passant_by_a_diagonally_pinned_pawn_only_along_the_pin) {
    // The black pawn on d4 is pinned to the king on h8 by the bishop on a1.
    position const p = from_fen("7k/8/8/8/3p4/8/2P1P3/B3K3 w - - 0 1");
    position off_line = p;
    off_line.play(parse_uci(off_line, "e2e4").value());
    EXPECT_FALSE(has(legal_uci(to_fen(off_line)), "d4e3"));
    position on_line = p;
    on_line.play(parse_uci(on_line, "c2c4").value());
    EXPECT_TRUE(has(legal_uci(to_fen(on_line)), "d4c3"));
}

TEST(movegen, en_passant_allowed_along_the_pin_line) {
    position p = from_fen("1b2k3/3p4/8/4P3/8/8/7K/8 b - - 0 1");
    p.play(parse_uci(p, "d7d5").value());
    EXPECT_TRUE(has(legal_uci(to_fen(p)), "e5d6"));
}

TEST(movegen, en_passant_can_remove_a_checking_pawn) {
    position p = from_fen("4k3/3p4/8/4P3/4K3/8/8/8 b - - 0 1");
    p.play(parse_uci(p, "d7d5").value());
    ASSERT_TRUE(p.in_check());
    auto const moves = legal_uci(to_fen(p));
    EXPECT_TRUE(has(moves, "e5d6"));
    EXPECT_TRUE(has(moves, "e4d5"));
}

TEST(movegen, promotes_to_each_piece) {
    position const p = from_fen("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1");
    auto const moves = legal_uci(to_fen(p));
    for (std::string const m :
         {"b7b8n", "b7b8b", "b7b8r", "b7b8q", "b7a8n", "b7a8b", "b7a8r", "b7a8q"})
        EXPECT_TRUE(has(moves, m)) << m;
    EXPECT_FALSE(has(moves, "b7b8"));
    for (piece_type const t :
         {piece_type::knight, piece_type::bishop, piece_type::rook, piece_type::queen}) {
        position next = p;
        next.play(move::promotion(make_square(1, 6), make_square(1, 7), t));
        EXPECT_EQ(next.piece_at(make_square(1, 7)), make_piece(color::white, t));
        EXPECT_EQ(next.pieces(piece_type::pawn), 0U);
    }
}

TEST(movegen, only_the_king_moves_in_double_check) {
    auto const moves = legal_uci("4k3/8/3N4/8/8/8/4R3/K7 b - - 0 1");
    for (auto const& m : moves)
        EXPECT_EQ(m.substr(0, 2), "e8");
    EXPECT_FALSE(moves.empty());
}

TEST(movegen, detects_checkmate_and_stalemate) {
    position const mate = from_fen("rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3");
    EXPECT_TRUE(is_checkmate(mate));
    EXPECT_FALSE(is_stalemate(mate));
    position const stale = from_fen("7k/5Q2/6K1/8/8/8/8/8 b - - 0 1");
    EXPECT_TRUE(is_stalemate(stale));
    EXPECT_FALSE(is_checkmate(stale));
    EXPECT_FALSE(is_checkmate(position::start()));
}
