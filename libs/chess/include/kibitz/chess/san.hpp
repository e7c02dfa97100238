#pragma once

#include <kibitz/chess/move.hpp>
#include <kibitz/chess/position.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kibitz::chess {

// The Standard Algebraic Notation of legal move `m` in `pos` (PGN standard 8.2.3): piece letter,
// the origin file, rank, or both only when another piece of the same kind could reach the same
// square (file preferred, then rank), "x" for captures, "=Q" for promotions, "O-O" and "O-O-O",
// then "+" for check or "#" for mate. Precondition: m is legal in pos.
std::string to_san(position const& pos, move m);

// The legal move of `pos` that the SAN `text` names, or nullopt when it names none or more
// than one. Tolerant of what people and programs write: "+", "#", "!" and "?" marks are ignored
// wherever they end the text; "x" and "-" may be missing or extra; "0-0" and "0-0-0" are castling;
// the "=" before a promotion piece may be left out and its letter may be lower case; the origin
// may be over-specified ("Ng1f3", "e2e4"). Piece letters are upper case (so "b" is a file).
// Never throws.
std::optional<move> parse_san(position const& pos, std::string_view text);

} // namespace kibitz::chess
