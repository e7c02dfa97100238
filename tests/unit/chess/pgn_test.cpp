#include "test_positions.hpp"

#include <kibitz/chess/pgn.hpp>

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

TEST(pgn, writes_roster_moves_and_result) {
    game g;
    for (char const* m : {"e4", "e5", "Qh5", "Nc6", "Bc4", "Nf6", "Qxf7#"})
        ASSERT_TRUE(g.play_san(m));
    pgn_tags tags;
    tags.event = "Casual game";
    tags.site = "https://kibitz.example/chess/abc";
    tags.date = "2024.05.01";
    tags.white = "alice";
    tags.black = "bob \"the\" \\builder\\";
    tags.extra = {{"TimeControl", "300+2"}, {"Termination", "Normal"}, {"Bad Name", "x"}};
    EXPECT_EQ(to_pgn(g, tags), "[Event \"Casual game\"]\n"
                               "[Site \"https://kibitz.example/chess/abc\"]\n"
                               "[Date \"2024.05.01\"]\n"
                               "[Round \"?\"]\n"
                               "[White \"alice\"]\n"
                               "[Black \"bob \\\"the\\\" \\\\builder\\\\\"]\n"
                               "[Result \"1-0\"]\n"
                               "[TimeControl \"300+2\"]\n"
                               "[Termination \"Normal\"]\n"
                               "\n"
                               "1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# 1-0\n");
}

TEST(pgn, unfinished_game_has_star_and_setup_from_fen) {
    game g(from_fen("4k3/8/8/8/8/8/4P3/4K3 b - - 3 12"));
    ASSERT_TRUE(g.play_san("Kd7"));
    ASSERT_TRUE(g.play_san("e4"));
    std::string const pgn = to_pgn(g, {});
    EXPECT_NE(
        pgn.find("[Result \"*\"]\n[SetUp \"1\"]\n[FEN \"4k3/8/8/8/8/8/4P3/4K3 b - - 3 12\"]\n"),
        std::string::npos);
    EXPECT_NE(pgn.find("\n\n12... Kd7 13. e4 *\n"), std::string::npos) << pgn;
}

TEST(pgn, wraps_move_text_at_80_columns) {
    game g;
    std::mt19937 rng(99);
    while (!g.over() && g.ply() < 160) {
        move_list const moves = legal_moves(g.current());
        ASSERT_TRUE(g.play(moves[rng() % moves.size()]));
    }
    std::istringstream lines(to_pgn(g, {}));
    std::string line;
    std::string joined;
    int movetext_lines = 0;
    bool in_moves = false;
    while (std::getline(lines, line)) {
        EXPECT_LE(line.size(), 80U) << line;
        if (in_moves) {
            ++movetext_lines;
            EXPECT_FALSE(line.empty());
            EXPECT_NE(line.back(), ' ');
            EXPECT_NE(line.front(), ' ');
            joined += (joined.empty() ? "" : " ") + line;
        }
        if (line.empty()) in_moves = true;
    }
    EXPECT_GT(movetext_lines, 5);
    EXPECT_EQ(joined.substr(0, 3), "1. ");
    EXPECT_NE(joined.find(" " + g.san_moves().back() + " "), std::string::npos);
}
