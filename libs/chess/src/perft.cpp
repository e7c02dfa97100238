#include <kibitz/chess/perft.hpp>

#include <kibitz/chess/movegen.hpp>

namespace kibitz::chess {

// Bulk counting: at depth 1 the leaves are the legal moves, so they are counted, not played.
std::uint64_t perft(position const& pos, int depth) {
    if (depth <= 0) return 1;
    move_list const moves = legal_moves(pos);
    if (depth == 1) return moves.size();
    std::uint64_t nodes = 0;
    for (move m : moves) {
        position next = pos;
        next.play(m);
        nodes += perft(next, depth - 1);
    }
    return nodes;
}

std::vector<std::pair<move, std::uint64_t>> divide(position const& pos, int depth) {
    std::vector<std::pair<move, std::uint64_t>> out;
    for (move m : legal_moves(pos)) {
        position next = pos;
        next.play(m);
        out.emplace_back(m, perft(next, depth - 1));
    }
    return out;
}

} // namespace kibitz::chess
