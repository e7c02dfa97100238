#include <kibitz/chess_app/service.hpp>

#include <gtest/gtest.h>

namespace kibitz::chess_app {
namespace {

std::string code(json const& ack) {
    return ack["ok"] == true ? "ok" : ack["error"]["code"].get<std::string>();
}

store::game_record record(std::string fen, std::vector<std::string> moves) {
    store::game_record r;
    r.id = "restored1";
    r.v = 10;
    r.created_at = 5;
    r.creator_color = "white";
    r.status = "started";
    r.white_name = "alice";
    r.black_name = "bob";
    r.white_token = "wt";
    r.black_token = "bt";
    r.start_fen = std::move(fen);
    r.moves = std::move(moves);
    return r;
}

TEST(restore, a_game_in_progress_comes_back_with_nobody_connected) {
    service svc;
    effects fx;
    auto r = record("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
                    {"e2e4", "e7e5", "g1f3"});
    r.clock = store::game_clock{60000, 1000, 55000, 61000, "black", 123};
    ASSERT_TRUE(svc.restore(r, 1000, fx));
    ASSERT_EQ(fx.changes.size(), 1u);
    EXPECT_EQ(fx.changes[0].game.v, 11) << "the restart is a change: v never goes back";
    auto g = *svc.view("restored1", 1000);
    EXPECT_EQ(g.moves.size(), 3u);
    EXPECT_FALSE(g.white_connected);
    EXPECT_EQ(g.clock->white_ms, 55000);
    EXPECT_EQ(g.clock->black_ms, 61000) << "the interrupted turn starts over";
    EXPECT_EQ(g.clock->running, chess::color::black);
    EXPECT_EQ(svc.view("restored1", 3000)->clock->black_ms, 59000);
    EXPECT_EQ(svc.next_wakeup(), 1000 + 61000);
    // The record saved after the restore says the same.
    EXPECT_EQ(fx.changes[0].record.clock->black_ms, 61000);
    EXPECT_EQ(fx.changes[0].record.clock->white_ms, 55000);
    EXPECT_FALSE(svc.restore(r, 1000, fx)) << "a known id is not restored twice";

    fx = {};
    auto ack = svc.handle("b", join_request{"restored1", "bob", "bt"}, 2000, fx);
    EXPECT_EQ(ack["seat"], "black");
    EXPECT_EQ(ack["game"]["v"], 12);
    EXPECT_EQ(code(svc.handle("b", move_request{"restored1", "b8c6", 3}, 2000, fx)), "ok");
}

TEST(restore, clock_figures_survive_long_games_with_increments) {
    service svc;
    effects fx;
    std::vector<std::string> moves = {"g1f3", "g8f6", "f3g1", "f6g8", "g1f3", "g8f6"};
    auto r = record("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", moves);
    r.clock = store::game_clock{1000, 2000, 2500, 4500, "white", 0};
    ASSERT_TRUE(svc.restore(r, 100, fx));
    auto c = *svc.view("restored1", 100)->clock;
    EXPECT_EQ(c.white_ms, 2500);
    EXPECT_EQ(c.black_ms, 4500);
}

// A replay of the moves could not charge these figures (more time than the increments could
// have added, from a FEN where black moves first); fischer_clock::restore takes them as stored.
TEST(restore, the_clock_comes_back_with_exactly_the_stored_figures) {
    service svc;
    effects fx;
    auto r = record("4k3/8/8/8/8/8/8/4K2Q b - - 0 1", {"e8d8", "h1h2", "d8e8"});
    r.clock = store::game_clock{1000, 0, 70000, 1, "white", 123};
    ASSERT_TRUE(svc.restore(r, 500, fx));
    auto c = *svc.view("restored1", 500)->clock;
    EXPECT_EQ(c.white_ms, 70000);
    EXPECT_EQ(c.black_ms, 1);
    EXPECT_EQ(c.running, chess::color::white);
    EXPECT_EQ(svc.next_wakeup(), 500 + 70000) << "white's clock restarted at the restore";
    ASSERT_EQ(fx.changes.size(), 1u);
    auto saved = *r.clock;
    saved.running_since_ms = 500; // the turn restarted then
    EXPECT_EQ(fx.changes[0].record.clock, saved);
}

TEST(restore, ended_games_come_back_unchanged) {
    service svc;
    effects fx;
    auto r = record("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", {"e2e4"});
    r.status = "ended";
    r.result = "0-1";
    r.reason = "resign";
    r.clock = store::game_clock{60000, 0, 61000, 60000, std::nullopt, std::nullopt};
    ASSERT_TRUE(svc.restore(r, 1000, fx));
    EXPECT_TRUE(fx.changes.empty());
    auto g = *svc.view("restored1", 5000);
    EXPECT_EQ(g.status, "ended");
    EXPECT_EQ(g.reason, "resign");
    EXPECT_EQ(g.v, 10);
    EXPECT_EQ(g.clock->white_ms, 61000);
    EXPECT_NE(svc.pgn("restored1")->find("0-1"), std::string::npos);
}

TEST(restore, refuses_records_that_do_not_replay) {
    service svc;
    effects fx;
    EXPECT_FALSE(svc.restore(record("not a fen", {}), 0, fx));
    EXPECT_FALSE(svc.restore(
        record("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", {"e2e5"}), 0, fx));
}

TEST(timeout, against_a_side_that_cannot_mate_is_a_draw) {
    service svc;
    effects fx;
    auto r = record("4k3/8/8/8/8/8/8/4K2Q w - - 0 1", {"h1h2", "e8d8"});
    r.clock = store::game_clock{1000, 0, 1000, 1000, "white", 0};
    ASSERT_TRUE(svc.restore(r, 0, fx));
    fx = {};
    svc.tick(1000, fx);
    auto g = *svc.view("restored1", 1000);
    EXPECT_EQ(g.reason, "timeout");
    EXPECT_EQ(g.result, "1/2-1/2");
}

TEST(timeout, against_a_side_with_mating_material_is_a_loss) {
    service svc;
    effects fx;
    auto r = record("4k3/8/8/8/8/8/8/4K2Q w - - 0 1", {"h1h2", "e8d8", "h2h3"});
    r.clock = store::game_clock{1000, 0, 1000, 1000, "black", 0};
    ASSERT_TRUE(svc.restore(r, 0, fx));
    fx = {};
    svc.tick(1000, fx);
    EXPECT_EQ(svc.view("restored1", 1000)->result, "1-0");
}

} // namespace
} // namespace kibitz::chess_app
