#include "test_positions.hpp"

#include <kibitz/chess/game.hpp>

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

namespace {

// Plays SAN moves, failing the test on any that is refused.
void play(game& g, std::initializer_list<char const*> moves) {
    for (char const* m : moves)
        ASSERT_TRUE(g.play_san(m).has_value()) << m;
}

} // namespace

TEST(game, starts_from_the_start_position_with_no_result) {
    game const g;
    EXPECT_EQ(g.current(), position::start());
    EXPECT_FALSE(g.over());
    EXPECT_EQ(g.ply(), 0);
    EXPECT_EQ(g.repetitions(), 1);
}

TEST(game, records_moves_in_uci_and_san) {
    game g;
    ASSERT_TRUE(g.play_uci("e2e4"));
    ASSERT_TRUE(g.play_san("e5"));
    ASSERT_TRUE(g.play_uci("g1f3"));
    EXPECT_EQ(g.uci_moves(), (std::vector<std::string>{"e2e4", "e7e5", "g1f3"}));
    EXPECT_EQ(g.san_moves(), (std::vector<std::string>{"e4", "e5", "Nf3"}));
    EXPECT_EQ(g.ply(), 3);
    EXPECT_FALSE(g.play_uci("e2e4"));
    EXPECT_FALSE(g.play_uci("garbage"));
    EXPECT_FALSE(g.play(move{}));
    EXPECT_EQ(g.ply(), 3);
}

TEST(game, ends_on_checkmate_and_refuses_further_moves) {
    game g;
    play(g, {"f3", "e5", "g4", "Qh4#"});
    ASSERT_TRUE(g.over());
    EXPECT_EQ(*g.result(), (game_result{"0-1", "checkmate"}));
    EXPECT_FALSE(g.play_uci("a2a3"));
    EXPECT_FALSE(g.finish({"1-0", "resign"}));
}

TEST(game, ends_on_stalemate) {
    game g(from_fen("7k/8/6K1/8/8/8/8/5Q2 w - - 0 1"));
    play(g, {"Qf7"});
    EXPECT_EQ(*g.result(), (game_result{"1/2-1/2", "stalemate"}));
}

TEST(game, ends_when_a_capture_leaves_insufficient_material) {
    game g(from_fen("4k3/8/8/8/8/8/4r3/4K3 w - - 0 1"));
    play(g, {"Kxe2"});
    EXPECT_EQ(*g.result(), (game_result{"1/2-1/2", "insufficient_material"}));
}

TEST(game, judges_the_initial_position_too) {
    EXPECT_EQ(game(from_fen("8/8/4k3/8/8/3KB3/8/8 w - - 0 1")).result()->reason,
              "insufficient_material");
    EXPECT_EQ(game(from_fen("4k3/8/8/8/8/8/8/R3K3 w Q - 100 80")).result()->reason, "fifty_moves");
}

TEST(game, threefold_repetition_reached_by_different_move_orders) {
    game g;
    // The position after 2. Nc3 Nc6 arises after move 2, again after move 4 (knights back to
    // g1/g8 and out again), and a third time after move 6 by the queen-side route.
    play(g, {"Nf3", "Nf6", "Nc3", "Nc6", "Ng1", "Ng8", "Nf3", "Nf6", "Nb1", "Nb8", "Nc3"});
    EXPECT_FALSE(g.over());
    EXPECT_EQ(g.repetitions(), 2);
    play(g, {"Nc6"});
    EXPECT_EQ(g.repetitions(), 3);
    EXPECT_EQ(*g.result(), (game_result{"1/2-1/2", "threefold"}));
}

TEST(game, a_legal_en_passant_chance_makes_the_position_different_for_repetition) {
    game g(from_fen("4k3/8/8/8/3p4/8/4P3/4K3 w - - 0 1"));
    play(g, {"e4"}); // black may take en passant: this position does not count
    play(g, {"Kf7", "Kf1", "Ke8", "Ke1"}); // same placement, no en-passant chance: 1
    play(g, {"Kd7", "Kd1", "Ke8", "Ke1"}); // 2 (3 if the first had counted)
    EXPECT_FALSE(g.over());
    play(g, {"Kd7", "Kd1", "Ke8", "Ke1"}); // 3
    EXPECT_EQ(g.result()->reason, "threefold");
}

TEST(game, fifty_move_rule_ends_the_game_at_a_halfmove_clock_of_100) {
    game g(from_fen("4k3/8/8/8/8/8/4P3/R3K3 w - - 98 60"));
    play(g, {"Ra2"});
    EXPECT_FALSE(g.over());
    play(g, {"Kd8"});
    EXPECT_EQ(*g.result(), (game_result{"1/2-1/2", "fifty_moves"}));
}

TEST(game, fifty_move_counter_is_reset_by_a_pawn_move) {
    game g(from_fen("4k3/8/8/8/8/8/4P3/R3K3 w - - 99 60"));
    play(g, {"e3"});
    EXPECT_EQ(g.current().halfmove_clock(), 0);
    play(g, {"Kd8"});
    EXPECT_FALSE(g.over());
}

TEST(game, fifty_move_counter_is_reset_by_a_capture) {
    game g(from_fen("4k3/8/8/8/8/8/r3P3/R3K3 w - - 99 60"));
    play(g, {"Rxa2"});
    EXPECT_EQ(g.current().halfmove_clock(), 0);
    EXPECT_FALSE(g.over());
}

TEST(game, checkmate_on_the_hundredth_halfmove_is_a_mate) {
    game g(from_fen("6k1/5ppp/8/8/8/8/8/R3K3 w Q - 99 80"));
    play(g, {"Ra8#"});
    EXPECT_EQ(*g.result(), (game_result{"1-0", "checkmate"}));
}

TEST(game, timeout_is_a_draw_only_when_the_other_side_cannot_mate) {
    game white_flags(from_fen("8/8/4kq2/8/8/3KN3/8/8 w - - 0 1"));
    ASSERT_TRUE(white_flags.flag(color::white));
    EXPECT_EQ(*white_flags.result(), (game_result{"0-1", "timeout"}));
    game black_flags(from_fen("8/8/4kq2/8/8/3KN3/8/8 w - - 0 1"));
    ASSERT_TRUE(black_flags.flag(color::black));
    EXPECT_EQ(*black_flags.result(), (game_result{"1/2-1/2", "timeout"}));
}

TEST(game, finish_records_an_outside_result_once) {
    game g;
    EXPECT_TRUE(g.finish({win_for(color::black), "resign"}));
    EXPECT_EQ(*g.result(), (game_result{"0-1", "resign"}));
    EXPECT_FALSE(g.finish({"1/2-1/2", "agreement"}));
    EXPECT_FALSE(g.play_uci("e2e4"));
}
