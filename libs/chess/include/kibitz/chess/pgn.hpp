#pragma once

#include <kibitz/chess/game.hpp>

#include <string>
#include <utility>
#include <vector>

namespace kibitz::chess {

// The tag pairs of a PGN export. The seven-tag roster (PGN standard 8.1.1) comes first with the
// caller's values ("?" and "????.??.??" when unknown); Result is taken from the game. `extra`
// tags follow in the order given (for example TimeControl, Termination, or the players' ids).
struct pgn_tags {
    std::string event = "?";
    std::string site = "?";
    std::string date = "????.??.??";
    std::string round = "?";
    std::string white = "?";
    std::string black = "?";
    std::vector<std::pair<std::string, std::string>> extra;
};

// The game in PGN export format: the roster, then SetUp "1" and FEN when the game did not start
// from the standard position, then `extra`; a blank line; the SAN moves with move numbers
// ("1. e4 e5", "1... e5" when black moved first), lines of at most 80 characters; the result
// token ("1-0", "0-1", "1/2-1/2", or "*" for an unfinished or aborted game); a final newline.
// Tag values are escaped (backslash and quote) and control characters become spaces; extra tags
// whose names are not letters, digits and underscores are left out.
std::string to_pgn(game const& g, pgn_tags const& tags);

} // namespace kibitz::chess
