#pragma once

#include <kibitz/chess/fen.hpp>
#include <kibitz/chess/movegen.hpp>
#include <kibitz/chess/position.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace kibitz::chess::testing {

// The positions of the chessprogramming.org "Perft Results" page.
inline constexpr std::string_view kiwipete =
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1";
inline constexpr std::string_view perft_position_3 = "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1";
inline constexpr std::string_view perft_position_4 =
    "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1";
inline constexpr std::string_view perft_position_4_mirrored =
    "r2q1rk1/pP1p2pp/Q4n2/bbp1p3/Np6/1B3NBn/pPPP1PPP/R3K2R b KQ - 0 1";
inline constexpr std::string_view perft_position_5 =
    "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8";
inline constexpr std::string_view perft_position_6 =
    "r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10";

// Parses a FEN the test knows to be good (fails the test otherwise).
inline position from_fen(std::string_view fen) {
    auto p = parse_fen(fen);
    EXPECT_TRUE(p.value.has_value()) << fen << ": " << p.error;
    return p.value.value_or(position::start());
}

// Positions reached by seeded random play from each start, `per_start` walks of up to
// `max_plies` plies, every position along the way included.
inline std::vector<position> random_positions(std::vector<std::string_view> const& starts,
                                              int per_start, int max_plies,
                                              std::uint32_t seed = 12345) {
    std::mt19937 rng(seed);
    std::vector<position> out;
    for (std::string_view const fen : starts) {
        for (int walk = 0; walk < per_start; ++walk) {
            position pos = from_fen(fen);
            for (int ply = 0; ply < max_plies; ++ply) {
                out.push_back(pos);
                move_list const moves = legal_moves(pos);
                if (moves.empty()) break;
                pos.play(moves[rng() % moves.size()]);
            }
        }
    }
    return out;
}

} // namespace kibitz::chess::testing
