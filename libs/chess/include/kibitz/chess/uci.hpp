#pragma once

#include <kibitz/chess/move.hpp>
#include <kibitz/chess/position.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kibitz::chess {

// The UCI (long algebraic) text of a move: "e2e4", "e7e8q", castling as the king's two-square
// move "e1g1". The null move is "0000".
std::string to_uci(move m);

// The legal move of `pos` that `text` names, or nullopt: four characters from-to plus a
// promotion letter (n, b, r, q; upper case accepted too) exactly when the move promotes.
// Castling is the king's two-square move; the king-takes-own-rook form (e1h1, e1a1) is accepted
// as well. Never throws.
std::optional<move> parse_uci(position const& pos, std::string_view text);

} // namespace kibitz::chess
