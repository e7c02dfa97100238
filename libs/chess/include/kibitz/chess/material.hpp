#pragma once

#include <kibitz/chess/position.hpp>
#include <kibitz/chess/types.hpp>

namespace kibitz::chess {

// Whether neither side can ever mate, by material alone, so the game ends at once as a draw
// (reason "insufficient_material"). True exactly for: king against king; king and one knight or
// one bishop against king; kings and bishops only, all bishops (any number, either side) on
// squares of one colour. Any pawn, rook or queen, or a knight beside any other piece, is
// enough to play on (FIDE 5.2.2 cases that need no search; lichess uses the same table).
bool insufficient_material(position const& pos);

// Whether side `c` could still mate by some sequence of legal moves, judged by material alone:
// the question a timeout asks (FIDE 6.9: the flag falls, but the game is drawn if the other side
// cannot mate). The rule, the one lichess applies:
//   - a lone king cannot mate;
//   - king and exactly one knight cannot mate if the opponent has nothing but king and queens
//     (any other enemy man can be the block the knight's mate needs);
//   - king and bishops cannot mate if all bishops on the board (both sides) stand on squares of
//     one colour and the opponent has no knight and no pawn;
//   - anything else can (two knights, knight and bishop, any pawn, rook or queen).
bool has_mating_material(position const& pos, color c);

} // namespace kibitz::chess
