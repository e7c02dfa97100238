#include "test_positions.hpp"

#include <kibitz/chess/material.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

TEST(material, insufficient_material_table) {
    struct row {
        char const* fen;
        bool insufficient;
    };
    row const rows[] = {
        {"8/8/4k3/8/8/3K4/8/8 w - - 0 1", true},      // K v K
        {"8/8/4k3/8/8/3KB3/8/8 w - - 0 1", true},     // KB v K
        {"8/8/4k3/8/8/3KN3/8/8 w - - 0 1", true},     // KN v K
        {"8/8/4kn2/8/8/3K4/8/8 b - - 0 1", true},     // K v KN
        {"8/8/4kb2/8/8/3KB3/8/8 w - - 0 1", true},    // KB v KB, both on dark squares
        {"b1B1b1B1/8/8/8/8/8/7K/k7 w - - 0 1", true}, // four bishops, all light
        {"8/8/4k1b1/8/8/3KB3/8/8 w - - 0 1", false},  // KB v KB, opposite colours
        {"8/8/4kn2/8/8/3KN3/8/8 w - - 0 1", false},   // KN v KN
        {"8/8/4k3/8/8/3KNN2/8/8 w - - 0 1", false},   // KNN v K
        {"8/8/4kb2/8/8/3KN3/8/8 w - - 0 1", false},   // KN v KB
        {"8/8/4k3/8/8/3KBB2/8/8 w - - 0 1", false},   // KBB (both colours) v K
        {"8/8/4k3/8/8/3KP3/8/8 w - - 0 1", false},    // KP v K
        {"8/8/4k3/8/8/3K1R2/8/8 w - - 0 1", false},   // KR v K
        {"8/8/4k3/8/8/3K1Q2/8/8 w - - 0 1", false},   // KQ v K
        {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", false},
    };
    for (row const& r : rows)
        EXPECT_EQ(insufficient_material(from_fen(r.fen)), r.insufficient) << r.fen;
}

TEST(material, mating_material_table_for_timeouts) {
    struct row {
        char const* fen;
        bool white_can_mate;
        bool black_can_mate;
    };
    row const rows[] = {
        {"8/8/4k3/8/8/3K4/8/8 w - - 0 1", false, false},   // lone kings
        {"8/8/4k3/8/8/3KN3/8/8 w - - 0 1", false, false},  // KN v K
        {"8/8/4kq2/8/8/3KN3/8/8 w - - 0 1", false, true},  // KN v KQ: the queen cannot help
        {"8/8/4kr2/8/8/3KN3/8/8 w - - 0 1", true, true},   // KN v KR: the rook can block
        {"8/8/4kp2/8/8/3KN3/8/8 w - - 0 1", true, true},   // KN v KP
        {"8/8/4kn2/8/8/3KN3/8/8 w - - 0 1", true, true},   // KN v KN
        {"8/8/4k3/8/8/3KNN2/8/8 w - - 0 1", true, false},  // KNN v K
        {"8/8/4k3/8/8/3KB3/8/8 w - - 0 1", false, false},  // KB v K
        {"8/8/4kr2/8/8/3KB3/8/8 w - - 0 1", false, true},  // KB v KR
        {"8/8/4kn2/8/8/3KB3/8/8 w - - 0 1", true, true},   // KB v KN
        {"8/8/4kp2/8/8/3KB3/8/8 w - - 0 1", true, true},   // KB v KP
        {"8/8/4kb2/8/8/3KB3/8/8 w - - 0 1", false, false}, // same-coloured bishops
        {"8/8/4k1b1/8/8/3KB3/8/8 w - - 0 1", true, true},  // opposite-coloured bishops
        {"8/8/4k3/8/8/3KBB2/8/8 w - - 0 1", true, false},  // bishop pair
        {"8/8/4k3/8/8/3KBN2/8/8 w - - 0 1", true, false},  // KBN v K
        {"8/8/4k3/8/8/3KP3/8/8 w - - 0 1", true, false},   // KP v K
        {"8/8/4k3/8/8/3K1R2/8/8 w - - 0 1", true, false},  // KR v K
    };
    for (row const& r : rows) {
        position const p = from_fen(r.fen);
        EXPECT_EQ(has_mating_material(p, color::white), r.white_can_mate) << r.fen;
        EXPECT_EQ(has_mating_material(p, color::black), r.black_can_mate) << r.fen;
    }
}
