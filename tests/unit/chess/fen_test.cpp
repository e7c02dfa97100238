#include "test_positions.hpp"

#include <kibitz/chess/fen.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

TEST(fen, start_fen_is_the_start_position) {
    auto const p = parse_fen(start_fen);
    ASSERT_TRUE(p) << p.error;
    EXPECT_EQ(*p.value, position::start());
    EXPECT_EQ(to_fen(position::start()), start_fen);
}

TEST(fen, round_trips_published_positions) {
    for (auto const fen : {kiwipete, perft_position_3, perft_position_4, perft_position_4_mirrored,
                           perft_position_5, perft_position_6})
        EXPECT_EQ(to_fen(from_fen(fen)), fen);
}

TEST(fen, round_trips_positions_of_random_games) {
    for (position const& p : random_positions({start_fen, kiwipete}, 10, 80)) {
        auto const back = parse_fen(to_fen(p));
        ASSERT_TRUE(back) << to_fen(p) << ": " << back.error;
        EXPECT_EQ(*back.value, p) << to_fen(p);
    }
}

TEST(fen, accepts_four_fields_with_default_counters) {
    position const p = from_fen("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq -");
    EXPECT_EQ(p.halfmove_clock(), 0);
    EXPECT_EQ(p.fullmove_number(), 1);
}

TEST(fen, keeps_en_passant_square_only_when_a_capture_is_legal) {
    // After 1. e4 no black pawn can take: the square is dropped.
    EXPECT_EQ(to_fen(from_fen("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1")),
              "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1");
    // A black pawn on d4 can take on e3.
    std::string_view const capturable =
        "rnbqkbnr/ppp1pppp/8/8/3pP3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 3";
    EXPECT_EQ(to_fen(from_fen(capturable)), capturable);
    // The d4 pawn is pinned on the rank by the rook on h4: the capture is illegal.
    EXPECT_EQ(from_fen("8/8/8/8/k2pP2R/8/8/4K3 b - e3 0 1").ep_square(), no_square);
}

TEST(fen, rejects_malformed_and_impossible_positions) {
    char const* const bad[] = {
        "",
        " ",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 extra",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR  w KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 ",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP w KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "rnbqkbnr/ppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "rnbqkbnr/ppppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "rnbqkbnr/pppppppp/9/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "rnbqkbnr/pppppppp/44/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNX w KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR W KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkqK - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w qkQK - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w A - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e9 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e3 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e6 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - -1 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 0",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 01 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 99999999999",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 10000 1",
        "rnbq1bnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQ - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQ1BNR w kq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBKKBNR w kq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNP w - - 0 1",
        "Pnbqkbnr/pppppppp/8/8/8/8/1PPPPPPP/RNBQKBNR w - - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/P7/PPPPPPPP/RNBQKBNR w - - 0 1",
        "rnbqkbnr/pppppppp/8/8/Q7/8/PPPPPPPP/RNBQKBNR w - - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBN1 w KQkq - 0 1",
        "rnbqkbn1/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "rnbqkbnr/pppp1ppp/8/4Q3/8/8/PPPPPPPP/RNB1KBNR w KQkq - 0 1",
        "4k3/4R3/8/8/8/8/8/4K3 w - - 0 1",
        "4k3/8/8/8/8/8/8/R3K2R b KQ - 0 1 ",
        "4k3/8/8/8/8/8/8/4K3 w - d6 0 1",
        "4k3/8/8/3P4/8/8/8/4K3 w - d6 0 1",
        "4k3/3p4/8/3P4/8/8/8/4K3 w - d6 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1\n",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR\tw KQkq - 0 1",
    };
    for (char const* fen : bad) {
        auto const p = parse_fen(fen);
        EXPECT_FALSE(p) << "accepted: " << fen;
        EXPECT_TRUE(p || !p.error.empty()) << fen;
    }
}

TEST(fen, refuses_three_checkers_but_allows_a_double_check) {
    EXPECT_FALSE(parse_fen("4k3/8/3N4/1B6/8/8/4R3/4K3 b - - 0 1"));
    EXPECT_TRUE(parse_fen("4k3/8/3N4/8/8/8/4R3/K7 b - - 0 1"));
}
