#include <kibitz/chess/material.hpp>

namespace kibitz::chess {
namespace {

using enum piece_type;

// Whether all bishops of both sides stand on squares of one colour (true when there are none).
bool bishops_on_one_colour(position const& pos) {
    bitboard const bishops = pos.pieces(bishop);
    return (bishops & light_squares_bb) == 0 || (bishops & dark_squares_bb) == 0;
}

} // namespace

bool insufficient_material(position const& pos) {
    bitboard const heavy_or_pawn = pos.pieces(pawn) | pos.pieces(rook) | pos.pieces(queen);
    if (heavy_or_pawn) return false;
    if (popcount(pos.occupied()) <= 3) return true;
    return pos.pieces(knight) == 0 && bishops_on_one_colour(pos);
}

bool has_mating_material(position const& pos, color c) {
    bitboard const ours = pos.pieces(c) & ~pos.pieces(king);
    bitboard const theirs = pos.pieces(~c) & ~pos.pieces(king);
    if (ours == 0) return false;
    if ((ours & ~pos.pieces(knight)) == 0) {
        bool const single = !more_than_one(ours);
        bool const only_queens = (theirs & ~pos.pieces(queen)) == 0;
        return !(single && only_queens);
    }
    if ((ours & ~pos.pieces(bishop)) == 0) {
        bitboard const their_knights_pawns = theirs & (pos.pieces(knight) | pos.pieces(pawn));
        return !bishops_on_one_colour(pos) || their_knights_pawns != 0;
    }
    return true;
}

} // namespace kibitz::chess
