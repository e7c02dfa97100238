// The list of finished games: the page cursor and limit as the query gives them, and one page
// as JSON.
#include <kibitz/chess_app/game_list.hpp>

#include <gtest/gtest.h>

namespace kibitz::chess_app {
namespace {

TEST(game_list, cursor_round_trips_and_refuses_malformed_text) {
    auto c = parse_game_cursor("1700000000000.abc123-_Z");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->ended_at, 1700000000000);
    EXPECT_EQ(c->id, "abc123-_Z");
    EXPECT_EQ(game_cursor_text(*c), "1700000000000.abc123-_Z");
    for (auto bad : {"", "123", ".abc", "12.", "-1.abc", "+1.abc", "1x.abc", "1.a b", "1.a.b",
                     "1234567890123456789.abc"})
        EXPECT_FALSE(parse_game_cursor(bad)) << bad;
    EXPECT_FALSE(parse_game_cursor("1." + std::string(129, 'a')));
}

TEST(game_list, limit_is_1_to_100) {
    EXPECT_EQ(parse_game_limit("1"), 1u);
    EXPECT_EQ(parse_game_limit("100"), 100u);
    for (auto bad : {"", "0", "101", "-1", "1e2", "ten"})
        EXPECT_FALSE(parse_game_limit(bad)) << bad;
}

TEST(game_list, a_full_page_has_a_next_cursor) {
    store::game_record g;
    g.id = "game0001";
    g.created_at = 5;
    g.white_name = "ann";
    g.result = "1-0";
    g.reason = "checkmate";
    g.moves = {"f2f3", "e7e5", "g2g4", "d8h4"};
    g.clock = store::game_clock{.initial_ms = 180000, .increment_ms = 2500};
    g.ended_at = 99;
    auto page = game_list_json({g}, 1);
    EXPECT_EQ(page["next"], "99.game0001");
    auto const& e = page["games"][0];
    EXPECT_EQ(e["white"], "ann");
    EXPECT_EQ(e["black"], nullptr);
    EXPECT_EQ(e["time_control"], "180+2.500000");
    EXPECT_EQ(e["plies"], 4);
    EXPECT_EQ(e["ended_at"], 99);
    EXPECT_EQ(e["pgn"], "/chess/games/game0001.pgn");
    EXPECT_EQ(game_list_json({g}, 2)["next"], nullptr) << "not full: the last page";
    g.clock.reset();
    EXPECT_EQ(game_list_json({g}, 2)["games"][0]["time_control"], "-");
}

} // namespace
} // namespace kibitz::chess_app
