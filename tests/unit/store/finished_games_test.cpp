// Schema 6 of the chess games: takeback offers, per-ply clock history and lag credit round-trip,
// and the list of finished games pages newest first over its partial index, aborted games left
// out.
#include "test_support.hpp"

#include <kibitz/store/database.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace kibitz::store;
using kibitz::store::testing::open_or_throw;
using kibitz::store::testing::temp_dir;

namespace {

game_record ended(std::string id, std::int64_t ended_at, std::string reason = "resign") {
    game_record g;
    g.id = std::move(id);
    g.v = 5;
    g.created_at = 1000;
    g.creator_color = "white";
    g.status = std::string(game_ended);
    g.result = "1-0";
    g.reason = std::move(reason);
    g.white_name = "Ann";
    g.black_name = "Bob";
    g.start_fen = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";
    g.moves = {"e2e4", "e7e5"};
    g.ended_at = ended_at;
    return g;
}

std::vector<std::string> ids(std::vector<game_record> const& games) {
    std::vector<std::string> out;
    for (auto const& g : games)
        out.push_back(g.id);
    return out;
}

} // namespace

TEST(finished_games, schema_6_fields_round_trip) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto g = ended("round123", 5000);
    g.status = std::string(game_started);
    g.result.reset();
    g.reason.reset();
    g.ended_at.reset();
    g.clock = game_clock{.initial_ms = 60000,
                         .increment_ms = 1000,
                         .white_ms = 61000,
                         .black_ms = 59000,
                         .running = "white",
                         .running_since_ms = 7000};
    g.clock_history = {61000, 59000};
    g.takeback_offer = "black";
    g.white_lag_ms = 250;
    g.black_lag_ms = 4750;
    ASSERT_TRUE(db.save_game(g).ok());
    EXPECT_EQ(db.load_game("round123").value(), g);
    g.v = 6;
    g.takeback_offer.reset();
    g.clock_history = {61000};
    g.moves = {"e2e4"};
    ASSERT_TRUE(db.save_game(g).ok());
    EXPECT_EQ(db.load_game("round123").value(), g) << "replaced, fields included";
}

TEST(finished_games, pages_newest_first_without_aborted_or_running_games) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    std::vector<game_record> rows;
    for (int i = 0; i < 7; ++i)
        rows.push_back(ended("game" + std::to_string(i) + "xxxx", 1000 + 10 * (i / 2)));
    rows.push_back(ended("aborted1", 5000, "aborted"));
    auto running = ended("running1", 6000);
    running.status = std::string(game_started);
    running.ended_at.reset();
    rows.push_back(running);
    ASSERT_TRUE(db.save_games(rows, {}).ok());
    // Ends at 1030 (game6), 1020 (game5, game4), 1010 (game3, game2), 1000 (game1, game0).
    auto first = db.finished_games(std::nullopt, 3).value();
    EXPECT_EQ(ids(first), (std::vector<std::string>{"game6xxxx", "game5xxxx", "game4xxxx"}));
    auto second = db.finished_games(game_cursor{1020, "game4xxxx"}, 3).value();
    EXPECT_EQ(ids(second), (std::vector<std::string>{"game3xxxx", "game2xxxx", "game1xxxx"}));
    auto third = db.finished_games(game_cursor{1000, "game1xxxx"}, 3).value();
    EXPECT_EQ(ids(third), (std::vector<std::string>{"game0xxxx"}));
    EXPECT_TRUE(db.finished_games(game_cursor{1000, "game0xxxx"}, 3).value().empty());
    EXPECT_TRUE(db.finished_games(std::nullopt, 0).value().empty());
    EXPECT_EQ(db.finished_games(std::nullopt, 100000).value().size(), 7u);
}
