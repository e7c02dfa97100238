#pragma once

#include <kibitz/chess/move.hpp>
#include <kibitz/chess/position.hpp>

namespace kibitz::chess {

// Every legal move of the side to move, each once: castling with all its conditions (rights,
// empty squares between king and rook, king not in check and not passing or landing on an
// attacked square), en passant (including the pins through both pawns), and each promotion to
// knight, bishop, rook and queen as four moves. Empty when the side to move is mated or
// stalemated.
move_list legal_moves(position const& pos);

// Whether `m` is one of legal_moves(pos).
bool is_legal(position const& pos, move m);

// Whether the side to move is checkmated (in check, no legal move) or stalemated (not in check,
// no legal move).
bool is_checkmate(position const& pos);
bool is_stalemate(position const& pos);

} // namespace kibitz::chess
