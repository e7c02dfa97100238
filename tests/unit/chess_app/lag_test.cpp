// Lag compensation in the pure service, with a driven clock: half the round trip set by the
// shell is not charged, within 250 ms per move and 5 s per game and player.
#include <kibitz/chess_app/service.hpp>

#include <gtest/gtest.h>

#include <map>

namespace kibitz::chess_app {
namespace {

// The round trips the shell would measure, set by hand.
using rtt_table = std::map<conn_id, std::int64_t>;

// White always for a "random" creator; `per_move` ms of lag credit per move at most; round
// trips from `rtts`.
service_options options(rtt_table const& rtts, std::int64_t per_move = 250) {
    service_options o;
    o.max_lag_credit_per_move_ms = per_move;
    o.coin = [] { return true; };
    o.rtt_ms = [&rtts](conn_id const& c) -> std::optional<std::int64_t> {
        auto it = rtts.find(c);
        if (it == rtts.end()) return std::nullopt;
        return it->second;
    };
    return o;
}

struct lag : ::testing::Test {
    std::int64_t now = 1'000'000;
    effects fx;
    rtt_table rtts;
    service svc{options(rtts)};

    json send(conn_id const& conn, client_message const& m) {
        fx = {};
        return svc.handle(conn, m, now, fx);
    }
    std::string start() {
        auto c = send("a", create_request{"alice", "white", clock_spec{600000, 0}});
        std::string id = c["game"]["id"];
        send("b", join_request{id, "bob", std::nullopt});
        move("a", id, "g1f3");
        move("b", id, "g8f6");
        return id;
    }
    json move(conn_id const& conn, std::string const& id, std::string uci) {
        int const ply = static_cast<int>(svc.view(id, now)->moves.size());
        return send(conn, move_request{id, std::move(uci), ply});
    }
    game_view view(std::string const& id) { return *svc.view(id, now); }
};

TEST_F(lag, half_the_round_trip_is_not_charged) {
    auto id = start();
    rtts["a"] = 160;
    now += 1000;
    move("a", id, "f3g1");
    EXPECT_EQ(view(id).clock->white_ms, 600000 - 1000 + 80);
}

TEST_F(lag, at_most_250_ms_per_move) {
    auto id = start();
    rtts["a"] = 2000;
    now += 1000;
    move("a", id, "f3g1");
    EXPECT_EQ(view(id).clock->white_ms, 600000 - 1000 + 250);
}

TEST_F(lag, never_more_than_the_thinking_time) {
    auto id = start();
    rtts["a"] = 400;
    now += 50;
    move("a", id, "f3g1");
    EXPECT_EQ(view(id).clock->white_ms, 600000) << "a move can cost nothing, never gain";
}

TEST_F(lag, at_most_5_s_per_game_and_player) {
    // With 2 s allowed per move, the third move gets what is left of the 5 s.
    service big{options(rtts, 2000)};
    effects f;
    auto c = big.handle("a", create_request{"alice", "white", clock_spec{600000, 0}}, now, f);
    std::string id = c["game"]["id"];
    big.handle("b", join_request{id, "bob", std::nullopt}, now, f);
    rtts["a"] = 10000;
    rtts["b"] = 0;
    char const* moves[] = {"e2e3", "e7e6", "d2d3", "d7d6", "c2c3", "c7c6", "b2b3", "b7b6"};
    for (int ply = 0; ply < 8; ++ply) {
        now += 3000;
        auto ack = big.handle(ply % 2 == 0 ? "a" : "b", move_request{id, moves[ply], ply}, now, f);
        ASSERT_EQ(ack["ok"], true) << moves[ply];
    }
    // White's clock ran for its last three moves (9 s), credited 2 + 2 + 1 s.
    EXPECT_EQ(big.view(id, now)->clock->white_ms, 600000 - 9000 + 5000);
    EXPECT_EQ(big.view(id, now)->clock->black_ms, 600000 - 9000);
    EXPECT_EQ(f.changes.back().record.white_lag_ms, 5000);
    EXPECT_EQ(f.changes.back().record.black_lag_ms, 0);
}

TEST_F(lag, the_game_shows_each_seats_estimate) {
    auto id = start();
    EXPECT_EQ(view(id).white_lag_ms, std::nullopt);
    rtts["a"] = 90;
    rtts["b"] = 31;
    auto g = view(id);
    EXPECT_EQ(g.white_lag_ms, 45);
    EXPECT_EQ(g.black_lag_ms, 15);
    EXPECT_EQ(to_json(g)["lag"], json({{"white", 45}, {"black", 15}}));
    svc.disconnect("b", now, fx);
    EXPECT_EQ(view(id).black_lag_ms, std::nullopt) << "nobody connected in the seat";
}

TEST_F(lag, off_when_the_caps_are_zero) {
    service off{options(rtts, 0)};
    effects f;
    auto c = off.handle("a", create_request{"alice", "white", clock_spec{600000, 0}}, now, f);
    std::string id = c["game"]["id"];
    off.handle("b", join_request{id, "bob", std::nullopt}, now, f);
    off.handle("a", move_request{id, "e2e4", 0}, now, f);
    off.handle("b", move_request{id, "e7e5", 1}, now, f);
    rtts["a"] = 400;
    now += 1000;
    off.handle("a", move_request{id, "g1f3", 2}, now, f);
    EXPECT_EQ(off.view(id, now)->clock->white_ms, 599000);
}

TEST_F(lag, the_granted_credit_survives_a_restore) {
    auto id = start();
    rtts["a"] = 500;
    now += 1000;
    move("a", id, "f3g1");
    auto rec = fx.changes.back().record;
    EXPECT_EQ(rec.white_lag_ms, 250);
    service other{options(rtts)};
    effects f;
    ASSERT_TRUE(other.restore(rec, now, f));
    EXPECT_EQ(f.changes.back().record.white_lag_ms, 250);
}

} // namespace
} // namespace kibitz::chess_app
