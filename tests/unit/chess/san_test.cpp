#include "test_positions.hpp"

#include <kibitz/chess/san.hpp>
#include <kibitz/chess/uci.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace kibitz::chess;
using namespace kibitz::chess::testing;

namespace {

std::string san(std::string_view fen, std::string_view uci) {
    position const p = from_fen(fen);
    auto const m = parse_uci(p, uci);
    EXPECT_TRUE(m.has_value()) << uci;
    return m ? to_san(p, *m) : std::string();
}

std::string uci_of_san(std::string_view fen, std::string_view text) {
    position const p = from_fen(fen);
    auto const m = parse_san(p, text);
    return m ? to_uci(*m) : std::string("none");
}

} // namespace

TEST(san, round_trips_every_legal_move_of_random_positions) {
    int checked = 0;
    for (position const& p : random_positions(
             {start_fen, kiwipete, perft_position_3, perft_position_4, perft_position_5}, 6, 70)) {
        for (move const m : legal_moves(p)) {
            std::string const text = to_san(p, m);
            ASSERT_EQ(parse_san(p, text), m) << to_fen(p) << " " << text;
            ++checked;
        }
    }
    EXPECT_GT(checked, 10000);
}

TEST(san, writes_pawn_piece_capture_and_castling_moves) {
    EXPECT_EQ(san(start_fen, "e2e4"), "e4");
    EXPECT_EQ(san(start_fen, "g1f3"), "Nf3");
    EXPECT_EQ(san(kiwipete, "e1g1"), "O-O");
    EXPECT_EQ(san(kiwipete, "e1c1"), "O-O-O");
    EXPECT_EQ(san(kiwipete, "d5e6"), "dxe6");
    EXPECT_EQ(san(kiwipete, "f3f6"), "Qxf6");
    EXPECT_EQ(san("4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 1", "e5d6"), "exd6");
}

TEST(san, disambiguates_by_file_then_rank_then_both) {
    // Knights on b1 and f1 both reach d2: by file.
    EXPECT_EQ(san("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "b1d2"), "Nbd2");
    // Rooks on a1 and a5 both reach a3: by rank.
    EXPECT_EQ(san("4k3/8/8/R7/8/8/8/R3K3 w - - 0 1", "a1a3"), "R1a3");
    // Queens on a1, a3 and c1 all reach b2: a1 shares a file with a3 and a rank with c1.
    EXPECT_EQ(san("4k3/8/8/8/8/Q7/8/Q1Q1K3 w - - 0 1", "a1b2"), "Qa1b2");
    // A pinned knight does not count as a rival.
    EXPECT_EQ(san("4k3/4r3/8/8/8/8/4N3/1N2K3 w - - 0 1", "b1c3"), "Nc3");
}

TEST(san, marks_check_mate_and_promotion) {
    EXPECT_EQ(san("4k3/8/8/8/8/8/8/R3K3 w Q - 0 1", "a1a8"), "Ra8+");
    EXPECT_EQ(san("6k1/5ppp/8/8/8/8/8/R3K3 w Q - 0 1", "a1a8"), "Ra8#");
    EXPECT_EQ(san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b7b8q"), "b8=Q+");
    EXPECT_EQ(san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b7b8n"), "b8=N");
    EXPECT_EQ(san("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b7a8r"), "bxa8=R+");
    EXPECT_EQ(san("4k3/8/8/8/8/8/8/R3K2R w KQ - 0 1", "e1c1"), "O-O-O");
    EXPECT_EQ(san("3k4/8/8/8/8/8/8/R3K3 w Q - 0 1", "e1c1"), "O-O-O+");
}

TEST(san, reads_tolerant_forms) {
    EXPECT_EQ(uci_of_san(start_fen, "Nf3"), "g1f3");
    EXPECT_EQ(uci_of_san(start_fen, "Nf3+"), "g1f3");
    EXPECT_EQ(uci_of_san(start_fen, "Nf3!?"), "g1f3");
    EXPECT_EQ(uci_of_san(start_fen, "Ng1f3"), "g1f3");
    EXPECT_EQ(uci_of_san(start_fen, "Ng1-f3"), "g1f3");
    EXPECT_EQ(uci_of_san(start_fen, "e2e4"), "e2e4");
    EXPECT_EQ(uci_of_san(start_fen, "e4"), "e2e4");
    EXPECT_EQ(uci_of_san(kiwipete, "0-0"), "e1g1");
    EXPECT_EQ(uci_of_san(kiwipete, "O-O-O+"), "e1c1");
    EXPECT_EQ(uci_of_san(kiwipete, "Qf6"), "f3f6");
    EXPECT_EQ(uci_of_san(kiwipete, "dxe6"), "d5e6");
    EXPECT_EQ(uci_of_san(kiwipete, "de6"), "d5e6");
    EXPECT_EQ(uci_of_san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8Q"), "b7b8q");
    EXPECT_EQ(uci_of_san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8=n"), "b7b8n");
    EXPECT_EQ(uci_of_san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8=Q#"), "b7b8q");
}

TEST(san, refuses_ambiguous_illegal_and_malformed_text) {
    EXPECT_EQ(uci_of_san("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "Nd2"), "none");
    EXPECT_EQ(uci_of_san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8"), "none");
    EXPECT_EQ(uci_of_san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8=K"), "none");
    for (auto const text : {"", "+", "e5", "Nf4", "O-O", "Pe4", "nf3", "Nf3f3", "N", "0-0-0",
                            "O-O-O-O", "e4=Q", "Bb5", "\xff\xfe"})
        EXPECT_EQ(uci_of_san(start_fen, text), "none") << text;
}
