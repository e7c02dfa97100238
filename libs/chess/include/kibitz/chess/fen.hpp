#pragma once

#include <kibitz/chess/position.hpp>
#include <kibitz/chess/types.hpp>

#include <string>
#include <string_view>

namespace kibitz::chess {

// The FEN of the standard starting position.
inline constexpr std::string_view start_fen =
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";

// Parses a FEN strictly: six fields separated by single spaces (the two counters may be left
// off together, then they are 0 and 1); eight ranks of exactly eight squares, no two digits in
// a row, no 0 or 9; side "w" or "b"; castling "-" or a non-empty subsequence of "KQkq"; en
// passant "-" or a square on the sixth rank (white to move) or third (black to move); counters
// in decimal without sign or leading zeros. Then every rule of position::from_setup. Never
// throws; any input, including bytes that are not text, gives a value or an error.
parsed<position> parse_fen(std::string_view fen);

// The FEN of `pos`. The en-passant field is set only when an en-passant capture is legal (as
// lichess writes it), so equal positions under the repetition rule have equal FENs.
std::string to_fen(position const& pos);

} // namespace kibitz::chess
