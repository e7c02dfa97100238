#pragma once

#include <kibitz/chess/move.hpp>
#include <kibitz/chess/position.hpp>

#include <cstdint>
#include <utility>
#include <vector>

namespace kibitz::chess {

// The number of leaf positions of the legal move tree `depth` plies deep (1 for depth <= 0):
// the standard move-generator check, comparable with published tables and `go perft`.
std::uint64_t perft(position const& pos, int depth);

// perft split by root move: each legal move with perft(after it, depth - 1), in generation
// order. Empty when there is no legal move. Precondition: depth >= 1.
std::vector<std::pair<move, std::uint64_t>> divide(position const& pos, int depth);

} // namespace kibitz::chess
