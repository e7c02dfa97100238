// Takebacks in the pure service, with a driven clock: offers, answers, errors, what is taken
// back, the clocks put back, versions, rollback and the stored row.
#include "service_fixture.hpp"

namespace kibitz::chess_app {
namespace {

struct takeback : test::service_fixture {
    json tb(conn_id const& conn, std::string const& id, offer_action a) {
        return send(conn, takeback_request{id, a});
    }
};

TEST_F(takeback, offer_then_accept_takes_back_the_offerers_last_move_when_it_waits) {
    auto id = start();
    move("a", id, "e2e4");
    auto v0 = view(id).v;
    auto ack = tb("a", id, offer_action::offer);
    EXPECT_EQ(code(ack), "ok");
    EXPECT_EQ(ack["game"]["takeback"], "white");
    EXPECT_EQ(view(id).v, v0 + 1);
    ASSERT_EQ(fx.changes.size(), 1u);
    EXPECT_EQ(fx.changes[0].record.takeback_offer, "white");
    ack = tb("b", id, offer_action::accept);
    EXPECT_EQ(code(ack), "ok");
    EXPECT_EQ(ack["game"]["moves"], json::array());
    EXPECT_EQ(ack["game"]["turn"], "white");
    EXPECT_EQ(ack["game"]["takeback"], nullptr);
    EXPECT_EQ(view(id).v, v0 + 2);
    EXPECT_EQ(code(move("a", id, "d2d4")), "ok") << "white moves again";
}

TEST_F(takeback, two_plies_when_the_offerer_is_to_move) {
    auto id = start();
    move("a", id, "e2e4");
    move("b", id, "e7e5");
    move("a", id, "g1f3");
    EXPECT_EQ(code(tb("b", id, offer_action::offer)), "ok") << "black to move: two plies";
    auto ack = tb("a", id, offer_action::accept);
    EXPECT_EQ(ack["game"]["moves"], json({"e2e4"}));
    EXPECT_EQ(ack["game"]["turn"], "black");
    EXPECT_EQ(view(id).fen, "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1");
}

TEST_F(takeback, offering_while_the_opponent_offers_accepts) {
    auto id = start();
    move("a", id, "e2e4");
    move("b", id, "e7e5");
    tb("a", id, offer_action::offer);
    auto ack = tb("b", id, offer_action::offer);
    EXPECT_EQ(code(ack), "ok");
    EXPECT_EQ(ack["game"]["moves"], json::array()) << "white was to move: both plies";
    EXPECT_EQ(ack["game"]["turn"], "white");
}

TEST_F(takeback, offering_twice_changes_nothing_and_decline_clears) {
    auto id = start();
    move("a", id, "e2e4");
    tb("a", id, offer_action::offer);
    auto v1 = view(id).v;
    EXPECT_EQ(code(tb("a", id, offer_action::offer)), "ok");
    EXPECT_TRUE(fx.changes.empty());
    EXPECT_EQ(view(id).v, v1);
    EXPECT_EQ(code(tb("a", id, offer_action::decline)), "no_offer") << "one's own offer";
    EXPECT_EQ(code(tb("a", id, offer_action::accept)), "no_offer");
    auto ack = tb("b", id, offer_action::decline);
    EXPECT_EQ(code(ack), "ok");
    EXPECT_EQ(ack["game"]["takeback"], nullptr);
    EXPECT_EQ(ack["game"]["moves"], json({"e2e4"}));
    EXPECT_EQ(view(id).v, v1 + 1);
}

TEST_F(takeback, errors) {
    auto id = send("a", create_request{"alice", "white", std::nullopt})["game"]["id"];
    EXPECT_EQ(code(tb("a", id, offer_action::offer)), "nothing_to_take_back") << "waiting";
    send("b", join_request{id, "bob", std::nullopt});
    send("c", join_request{id, "carol", std::nullopt});
    EXPECT_EQ(code(tb("c", id, offer_action::offer)), "not_a_player");
    EXPECT_EQ(code(tb("a", id, offer_action::offer)), "nothing_to_take_back");
    EXPECT_EQ(code(tb("b", id, offer_action::accept)), "no_offer");
    move("a", id, "e2e4");
    EXPECT_EQ(code(tb("b", id, offer_action::offer)), "nothing_to_take_back")
        << "black has not moved";
    EXPECT_EQ(code(tb("a", "nosuchgame", offer_action::offer)), "not_found");
    send("a", resign_request{id});
    EXPECT_EQ(code(tb("a", id, offer_action::offer)), "game_over");
}

TEST_F(takeback, a_move_lapses_the_offer_and_the_end_clears_it) {
    auto id = start();
    move("a", id, "e2e4");
    tb("a", id, offer_action::offer);
    move("b", id, "e7e5");
    EXPECT_EQ(view(id).takeback, std::nullopt);
    EXPECT_EQ(code(tb("b", id, offer_action::accept)), "no_offer");
    tb("b", id, offer_action::offer);
    send("a", resign_request{id});
    EXPECT_EQ(view(id).takeback, std::nullopt);
}

TEST_F(takeback, the_clocks_come_back_as_they_were_before_the_moves) {
    auto id = start(clock_spec{60000, 2000});
    move("a", id, "e2e4"); // no clock runs yet: white 62000
    move("b", id, "e7e5"); // black 62000; white's clock starts
    now += 5000;
    move("a", id, "g1f3"); // white 62000 - 5000 + 2000 = 59000
    now += 7000;
    move("b", id, "b8c6"); // black 62000 - 7000 + 2000 = 57000
    now += 3000;           // white thinks 3 s
    ASSERT_EQ(view(id).clock->white_ms, 56000);
    tb("a", id, offer_action::offer); // white to move: Nf3 and Nc6 go
    now += 1000;
    auto ack = tb("b", id, offer_action::accept);
    auto const& c = ack["game"]["clock"];
    EXPECT_EQ(c["white_ms"], 62000) << "as at the start of white's second turn";
    EXPECT_EQ(c["black_ms"], 62000);
    EXPECT_EQ(c["running"], "white");
    now += 4000;
    EXPECT_EQ(view(id).clock->white_ms, 58000) << "white's clock restarted at the takeback";
    EXPECT_EQ(view(id).clock->black_ms, 62000);
    now += 1000;
    move("a", id, "d2d4"); // white 62000 - 5000 + 2000
    EXPECT_EQ(view(id).clock->white_ms, 59000);
    EXPECT_EQ(view(id).clock->running, chess::color::black);
}

TEST_F(takeback, back_to_the_first_moves_stops_the_clocks) {
    auto id = start(clock_spec{60000, 0});
    move("a", id, "e2e4");
    move("b", id, "e7e5");
    now += 5000;
    tb("b", id, offer_action::offer); // white to move: one ply, black's e5
    auto ack = tb("a", id, offer_action::accept);
    EXPECT_EQ(ack["game"]["clock"]["running"], nullptr) << "one move made: no clock runs";
    EXPECT_EQ(ack["game"]["clock"]["white_ms"], 60000);
    now += 10000;
    EXPECT_EQ(view(id).clock->black_ms, 60000);
    EXPECT_FALSE(svc().next_wakeup().has_value());
}

TEST_F(takeback, rollback_puts_the_offer_and_the_moves_back) {
    auto id = start(clock_spec{60000, 0});
    move("a", id, "e2e4");
    move("b", id, "e7e5");
    tb("a", id, offer_action::offer);
    auto before = view(id);
    svc().begin();
    tb("b", id, offer_action::accept);
    EXPECT_TRUE(view(id).moves.empty()) << "white was to move: both plies";
    svc().rollback();
    auto after = view(id);
    EXPECT_EQ(after.v, before.v);
    EXPECT_EQ(after.moves, before.moves);
    EXPECT_EQ(after.takeback, chess::color::white);
}

TEST_F(takeback, a_restored_game_keeps_the_offer_and_the_clock_history) {
    auto id = start(clock_spec{60000, 1000});
    move("a", id, "e2e4");
    move("b", id, "e7e5");
    now += 4000;
    move("a", id, "g1f3");
    now += 2000;
    tb("b", id, offer_action::offer);
    ASSERT_EQ(fx.changes.size(), 1u);
    auto rec = fx.changes[0].record;
    EXPECT_EQ(rec.clock_history, (std::vector<std::int64_t>{61000, 61000, 58000}));
    // A new process takes the row back; the players come back with their tokens.
    service other{service_options{}};
    effects fx2;
    ASSERT_TRUE(other.restore(rec, now, fx2));
    other.handle("a2", join_request{id, "alice", "token1"}, now, fx2);
    other.handle("b2", join_request{id, "bob", "token2"}, now, fx2);
    EXPECT_EQ(other.view(id, now)->takeback, chess::color::black);
    auto ack = other.handle("a2", takeback_request{id, offer_action::accept}, now, fx2);
    EXPECT_EQ(ack["game"]["moves"], json({"e2e4"}));
    EXPECT_EQ(ack["game"]["clock"]["white_ms"], 61000);
    EXPECT_EQ(ack["game"]["clock"]["black_ms"], 60000) << "black's only move went";
    EXPECT_EQ(ack["game"]["clock"]["running"], nullptr);
}

TEST_F(takeback, ended_at_is_set_once_the_game_is_over) {
    auto id = start();
    move("a", id, "e2e4");
    EXPECT_FALSE(fx.changes[0].record.ended_at.has_value());
    now += 500;
    send("b", resign_request{id});
    EXPECT_EQ(fx.changes[0].record.ended_at, now);
}

} // namespace
} // namespace kibitz::chess_app
