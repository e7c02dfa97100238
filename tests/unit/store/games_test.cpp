#include "test_support.hpp"

#include <kibitz/store/database.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

using namespace kibitz::store;
using kibitz::store::testing::open_or_throw;
using kibitz::store::testing::temp_dir;

namespace {

game_record waiting_game(std::string id, std::int64_t created_at = 1'000) {
    game_record g;
    g.id = std::move(id);
    g.v = 1;
    g.created_at = created_at;
    g.creator_color = "random";
    g.status = std::string(game_waiting);
    g.white_name = "Ann";
    g.white_token = "token-white";
    g.start_fen = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";
    return g;
}

game_record started_game(std::string id) {
    auto g = waiting_game(std::move(id));
    g.v = 7;
    g.status = std::string(game_started);
    g.black_name = "Bob";
    g.black_token = "token-black";
    g.moves = {"e2e4", "e7e5", "g1f3", "b8c6", "e1g1", "a7a8q"};
    g.clock = game_clock{.initial_ms = 300'000,
                         .increment_ms = 2'000,
                         .white_ms = 290'500,
                         .black_ms = 299'000,
                         .running = "white",
                         .running_since_ms = 1'700'000'000'123};
    g.draw_offer = "black";
    return g;
}

game_record load(database& db, std::string const& id) {
    auto r = db.load_game(id);
    if (!r) throw std::runtime_error(r.error().message);
    if (!r.value()) throw std::runtime_error("no game " + id);
    return *r.value();
}

std::vector<std::string> ids(result<std::vector<game_record>> const& r) {
    std::vector<std::string> out;
    if (!r) ADD_FAILURE() << r.error().message;
    if (r) {
        for (auto const& g : r.value())
            out.push_back(g.id);
    }
    return out;
}

} // namespace

TEST(games, a_saved_game_loads_back_unchanged) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto const started = started_game("abcdefgh");
    auto const waiting = waiting_game("waiting1");
    ASSERT_EQ(db.save_game(started).value(), true);
    ASSERT_EQ(db.save_game(waiting).value(), true);
    EXPECT_EQ(load(db, "abcdefgh"), started);
    EXPECT_EQ(load(db, "waiting1"), waiting);
    EXPECT_FALSE(load(db, "waiting1").clock.has_value());
}

TEST(games, an_ended_game_keeps_its_result_reason_and_rematch) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto g = started_game("abcdefgh");
    g.v = 12;
    g.status = std::string(game_ended);
    g.result = "1-0";
    g.reason = "resign";
    g.draw_offer.reset();
    g.clock->running.reset();
    g.clock->running_since_ms.reset();
    g.rematch_offer = "white";
    g.rematch_id = "rematch-1";
    ASSERT_TRUE(db.save_game(g).ok());
    EXPECT_EQ(load(db, "abcdefgh"), g);
}

TEST(games, an_unknown_game_is_nullopt) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto const r = db.load_game("nosuchgame");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value().has_value());
}

TEST(games, a_lower_version_never_overwrites_a_higher_one) {
    temp_dir tmp;
    auto g = started_game("abcdefgh");
    {
        auto db = open_or_throw(tmp.path());
        g.v = 5;
        ASSERT_EQ(db.save_game(g).value(), true);
        auto stale = g;
        stale.v = 3;
        stale.moves = {"d2d4"};
        EXPECT_EQ(db.save_game(stale).value(), false);
        EXPECT_EQ(load(db, "abcdefgh"), g);
        // The same version replaces (a re-save of the latest state).
        g.draw_offer.reset();
        EXPECT_EQ(db.save_game(g).value(), true);
        EXPECT_EQ(load(db, "abcdefgh"), g);
    }
    auto db = open_or_throw(tmp.path());
    auto stale = g;
    stale.v = 4;
    EXPECT_EQ(db.save_game(stale).value(), false);
    EXPECT_EQ(load(db, "abcdefgh").v, 5);
    g.v = 6;
    g.moves.push_back("f8c5");
    EXPECT_EQ(db.save_game(g).value(), true);
    EXPECT_EQ(load(db, "abcdefgh"), g);
}

TEST(games, active_games_are_the_waiting_and_started_ones_oldest_first) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto ended = started_game("ended-01");
    ended.status = std::string(game_ended);
    ended.result = "1/2-1/2";
    ended.reason = "agreement";
    ended.created_at = 1;
    auto started = started_game("started1");
    started.created_at = 3;
    ASSERT_TRUE(db.save_game(ended).ok());
    ASSERT_TRUE(db.save_game(started).ok());
    ASSERT_TRUE(db.save_game(waiting_game("waiting2", 2)).ok());
    EXPECT_EQ(ids(db.load_active_games()), (std::vector<std::string>{"waiting2", "started1"}));
    // A game that ends leaves the list.
    started.v += 1;
    started.status = std::string(game_ended);
    ASSERT_TRUE(db.save_game(started).ok());
    EXPECT_EQ(ids(db.load_active_games()), std::vector<std::string>{"waiting2"});
    // What a restarted server restores.
    auto reopened = open_or_throw(tmp.path());
    EXPECT_EQ(ids(reopened.load_active_games()), std::vector<std::string>{"waiting2"});
}

TEST(games, records_the_schema_cannot_hold_are_errors) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto const code_of = [&](game_record const& g) {
        auto const r = db.save_game(g);
        EXPECT_FALSE(r.ok()) << g.id;
        return r.ok() ? std::error_code() : r.error().code;
    };
    auto g = waiting_game("");
    EXPECT_EQ(code_of(g), store_error::invalid_argument);
    g = waiting_game("abcdefgh");
    g.status = "paused";
    EXPECT_EQ(code_of(g), store_error::invalid_argument);
    g = waiting_game("abcdefgh");
    g.moves = {"e2e4 e7e5"};
    EXPECT_EQ(code_of(g), store_error::invalid_argument);
    g.moves = {""};
    EXPECT_EQ(code_of(g), store_error::invalid_argument);
    g = waiting_game("abcdefgh");
    g.creator_color = "green";
    EXPECT_EQ(code_of(g).category(), sqlite_category());
    g = started_game("abcdefgh");
    g.clock->running_since_ms.reset();
    EXPECT_EQ(code_of(g), std::error_code(SQLITE_CONSTRAINT_CHECK, sqlite_category()));
    auto const r = db.load_game("abcdefgh");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value().has_value());
}
