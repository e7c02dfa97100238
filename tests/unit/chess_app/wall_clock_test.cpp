// The service runs on steady time: a step of the wall clock (NTP, an operator's `date`) moves
// no running clock, no grace period and no expiry; only the Unix dates of what is stored follow
// the wall clock.
#include <kibitz/chess_app/service.hpp>

#include <gtest/gtest.h>

namespace kibitz::chess_app {
namespace {

struct wall_clock : ::testing::Test {
    std::int64_t steady = 5'000;                  // the process's steady milliseconds
    std::int64_t wall_offset = 1'700'000'000'000; // the wall clock minus the steady clock
    effects fx;
    service svc{service_options{
        .claim_grace_ms = 1000,
        .unix_ms_at = [this](std::int64_t t) { return t + wall_offset; },
        .new_game_id = [] { return std::string("game0001"); },
        .new_token = [] { return std::string("token"); },
        .coin = [] { return true; },
    }};

    json send(conn_id const& conn, client_message const& m) {
        fx = {};
        return svc.handle(conn, m, steady, fx);
    }
    // alice (white) against bob (black) on 60+1; both first moves at `steady`.
    std::string start() {
        send("a", create_request{"alice", "white", clock_spec{60'000, 1'000}});
        send("b", join_request{"game0001", "bob", std::nullopt});
        send("a", move_request{"game0001", "e2e4", 0});
        send("b", move_request{"game0001", "e7e5", 1});
        return "game0001";
    }
};

TEST_F(wall_clock, created_at_is_unix_time) {
    send("a", create_request{"alice", "white", std::nullopt});
    ASSERT_EQ(fx.changes.size(), 1u);
    EXPECT_EQ(fx.changes[0].record.created_at, steady + wall_offset);
}

TEST_F(wall_clock, a_step_of_the_wall_clock_moves_no_running_clock) {
    auto id = start();
    auto const wakeup = svc.next_wakeup();
    ASSERT_EQ(wakeup, steady + 61'000);

    // The wall clock jumps an hour ahead, then two hours back; one steady second passes.
    wall_offset += 3'600'000;
    steady += 1'000;
    fx = {};
    svc.tick(steady, fx);
    EXPECT_TRUE(fx.changes.empty()) << "no flag fell";
    wall_offset -= 7'200'000;
    auto g = *svc.view(id, steady);
    EXPECT_EQ(g.status, "started");
    EXPECT_EQ(g.clock->white_ms, 60'000);
    EXPECT_EQ(g.clock->black_ms, 61'000);
    EXPECT_EQ(svc.next_wakeup(), wakeup) << "the flag falls when it did before the steps";

    // White moves: charged the one steady second, whatever the wall clock did.
    send("a", move_request{id, "g1f3", 2});
    ASSERT_FALSE(fx.changes.empty());
    auto const& r = fx.changes.back().record;
    EXPECT_EQ(r.clock->white_ms, 61'000 - 1'000 + 1'000);
    EXPECT_EQ(r.clock->running, "black");
    EXPECT_EQ(r.clock->running_since_ms, steady + wall_offset) << "stored in Unix time";
    EXPECT_EQ(svc.view(id, steady + 500)->clock->black_ms, 60'500);
}

TEST_F(wall_clock, a_step_of_the_wall_clock_starts_no_claim_or_expiry) {
    send("a", create_request{"alice", "white", std::nullopt});
    send("b", join_request{"game0001", "bob", std::nullopt});
    fx = {};
    svc.disconnect("b", steady, fx);
    wall_offset += 24LL * 3'600'000; // a day ahead on the wall
    steady += 10;
    auto g = *svc.view("game0001", steady);
    EXPECT_EQ(g.claimable, std::nullopt) << "bob has been gone 10 ms, not a day";
    ASSERT_TRUE(g.black_away_ms);
    EXPECT_EQ(*g.black_away_ms, 10);
    steady += 1'000;
    EXPECT_EQ(svc.view("game0001", steady)->claimable, chess::color::white);
}

} // namespace
} // namespace kibitz::chess_app
