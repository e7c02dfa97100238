// The service's batches (rollback after a failed commit), hashed tokens, lower-case ids, caps,
// expiry, and the shell's flood control, all with a driven clock.
#include <kibitz/chess_app/limits.hpp>
#include <kibitz/chess_app/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kibitz::chess_app {
namespace {

// The shared fixture with small caps, short grace periods and a 60 s idle time.
struct hardening : test::service_fixture {
    hardening() {
        opts.claim_grace_ms = 1000;
        opts.max_games = 6;
        opts.max_open_games = 4;
        opts.max_open_per_creator = 2;
        opts.max_games_per_conn = 3;
        opts.max_spectators = 2;
        opts.waiting_grace_ms = 5000;
        opts.idle_ms = 60000;
    }
    using service_fixture::start;
    // A game of alice (white, on `w`) against bob (black, on `b`).
    std::string start(conn_id const& w, conn_id const& b) {
        auto id = create(w);
        EXPECT_EQ(code(send(b, join_request{id, "bob", std::nullopt})), "ok");
        return id;
    }
    json game(std::string const& id) { return to_json(view(id)); }
};

TEST_F(hardening, a_rolled_back_move_leaves_the_game_as_stored) {
    auto id = start();
    opts.claim_grace_ms = 1000;
    send("a", move_request{id, "e2e4", 0});
    auto const before = game(id);
    svc().begin();
    fx = {};
    EXPECT_EQ(code(svc().handle("b", move_request{id, "e7e5", 1}, now + 500, fx)), "ok");
    EXPECT_EQ(code(svc().handle("b", draw_request{id, offer_action::offer}, now + 500, fx)), "ok");
    EXPECT_EQ(fx.changes.size(), 2u);
    svc().rollback();
    EXPECT_EQ(game(id), before) << "v, moves, offers and the clock are back";
    // The same move succeeds afterwards with the v it would have had.
    svc().begin();
    EXPECT_EQ(send("b", move_request{id, "e7e5", 1})["game"]["v"], before["v"].get<int>() + 1);
    svc().commit();
}

TEST_F(hardening, a_rolled_back_create_join_and_rematch_leave_nothing) {
    svc().begin();
    auto id = create("a");
    svc().rollback();
    EXPECT_FALSE(svc().knows(id));
    EXPECT_TRUE(svc().lobby().empty());

    id = create("a");
    auto const waiting = game(id);
    svc().begin();
    send("b", join_request{id, "bob", std::nullopt});
    svc().rollback();
    EXPECT_EQ(game(id), waiting) << "the seat is free again";
    EXPECT_EQ(code(send("c", join_request{id, "carol", std::nullopt})), "ok");
    EXPECT_EQ(game(id)["players"]["black"], "carol");

    send("a", resign_request{id});
    send("a", rematch_request{id, offer_action::offer});
    auto const ended = game(id);
    svc().begin();
    send("c", rematch_request{id, offer_action::accept});
    ASSERT_EQ(fx.changes.size(), 2u);
    auto const nid = fx.changes[1].id;
    svc().rollback();
    EXPECT_FALSE(svc().knows(nid));
    EXPECT_EQ(game(id), ended);
}

TEST_F(hardening, a_rolled_back_disconnect_can_be_replayed) {
    auto id = start();
    auto const before = game(id);
    svc().begin();
    fx = {};
    svc().disconnect("b", now, fx);
    EXPECT_EQ(fx.changes.size(), 1u);
    svc().rollback();
    EXPECT_EQ(game(id), before);
    svc().begin();
    fx = {};
    svc().disconnect("b", now, fx);
    svc().commit();
    EXPECT_EQ(game(id)["connected"]["black"], false);
    EXPECT_EQ(game(id)["v"], before["v"].get<int>() + 1);
}

TEST_F(hardening, a_rolled_back_flag_fall_falls_again) {
    auto c = send("a", create_request{"al", "white", clock_spec{1000, 0}});
    std::string cid = c["game"]["id"];
    send("b", join_request{cid, "bob", std::nullopt});
    send("a", move_request{cid, "e2e4", 0});
    send("b", move_request{cid, "e7e5", 1});
    now += 2000;
    svc().begin();
    tick();
    EXPECT_EQ(game(cid)["reason"], "timeout");
    svc().rollback();
    EXPECT_EQ(game(cid)["status"], "started");
    EXPECT_LE(*svc().next_wakeup(), now) << "the timer tries again";
    tick();
    EXPECT_EQ(game(cid)["reason"], "timeout");
}

TEST_F(hardening, tokens_are_stored_hashed_and_old_plain_ones_still_work) {
    auto id = start();
    auto const rec = fx.changes.back().record;
    EXPECT_EQ(*rec.black_token, hash_token("token2"));
    EXPECT_EQ(rec.black_token->size(), 64u);
    EXPECT_EQ(hash_token("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(send("x", join_request{id, "eve", "token3"})["seat"], "spectator");
    auto back = send("y", join_request{id, "bob", "token2"});
    EXPECT_EQ(back["seat"], "black");
    EXPECT_EQ(back["token"], "token2");

    store::game_record old = rec;
    old.id = "OldStyleId12";
    old.black_token = "legacy-plain-token-123"; // stored before tokens were hashed
    old.white_token = "legacy-white-token-456";
    service other(opts);
    effects ofx;
    ASSERT_TRUE(other.restore(old, now, ofx));
    EXPECT_EQ(*ofx.changes.back().record.black_token, hash_token("legacy-plain-token-123"));
    ofx = {};
    auto ack = other.handle("z", join_request{old.id, "bob", "legacy-plain-token-123"}, now, ofx);
    EXPECT_EQ(ack["seat"], "black");
}

TEST(service_ids, new_game_ids_are_16_lower_case_letters_and_digits) {
    service svc;
    effects fx;
    auto shaped = [](std::string const& id) {
        return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
                   return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
               });
    };
    for (int i = 0; i < 50; ++i) {
        auto ack = svc.handle("c" + std::to_string(i), create_request{"n", "white", std::nullopt},
                              1000, fx);
        std::string id = ack["game"]["id"];
        EXPECT_TRUE(shaped(id)) << id;
    }
}

TEST_F(hardening, open_games_are_capped_per_creator_and_in_total) {
    create("a");
    create("a");
    EXPECT_EQ(code(send("a", create_request{"alice", "white", std::nullopt})), "too_many_games");
    EXPECT_TRUE(fx.changes.empty() && !fx.lobby);
    create("b");
    create("b");
    EXPECT_EQ(svc().lobby().size(), 4u);
    EXPECT_EQ(code(send("c", create_request{"carol", "white", std::nullopt})), "too_many_games");
    EXPECT_EQ(svc().size(), 4u);
}

TEST_F(hardening, open_games_are_capped_per_creators_address) {
    opts.max_open_games = 10;
    opts.max_open_per_address = 3;
    // Connections a1..a4 share one address; b1 has another.
    opts.address_of = [](conn_id const& c) {
        return c.substr(0, 1) == "a" ? "10.0.0.1" : "10.0.0.2";
    };
    auto const first = create("a1");
    create("a1");
    create("a2");
    auto refused = send("a3", create_request{"al", "white", std::nullopt});
    EXPECT_EQ(code(refused), "too_many_games");
    EXPECT_NE(refused["error"]["message"].get<std::string>().find("address"), std::string::npos);
    // Another address creates as before.
    create("b1");
    // When one waiting game of that address starts, the address may create again.
    EXPECT_EQ(code(send("b2", join_request{first, "bob", std::nullopt})), "ok");
    create("a4");
}

TEST_F(hardening, a_full_server_makes_room_from_waiting_games_whose_creator_left) {
    std::vector<std::string> open;
    for (auto const* conn : {"a", "b", "c", "d"})
        open.push_back(create(conn));
    fx = {};
    svc().disconnect("c", now, fx);
    svc().disconnect("b", now + 1, fx);
    auto ack = send("e", create_request{"erin", "white", std::nullopt});
    EXPECT_EQ(code(ack), "ok");
    EXPECT_EQ(fx.deleted, std::vector<std::string>{open[2]}) << "gone longest";
    EXPECT_FALSE(svc().knows(open[2]));
    EXPECT_EQ(code(send("f", create_request{"fay", "white", std::nullopt})), "ok");
    EXPECT_EQ(fx.deleted, std::vector<std::string>{open[1]});
    EXPECT_EQ(code(send("g", create_request{"gus", "white", std::nullopt})), "too_many_games")
        << "every waiting game has its creator here";
    EXPECT_EQ(svc().lobby().size(), 4u);
}

TEST_F(hardening, games_per_connection_and_spectators_per_game_are_capped) {
    auto g1 = start("w1", "b1");
    auto g2 = start("w2", "b2");
    auto g3 = start("w3", "b3");
    auto g4 = start("w4", "b4");
    for (auto const& g : {g1, g2, g3})
        EXPECT_EQ(send("fan", join_request{g, "fan", std::nullopt})["seat"], "spectator");
    EXPECT_EQ(code(send("fan", join_request{g4, "fan", std::nullopt})), "too_many_games");
    EXPECT_TRUE(fx.changes.empty());
    EXPECT_EQ(code(send("fan", join_request{g1, "fan", std::nullopt})), "ok") << "already in it";
    EXPECT_EQ(code(send("s2", join_request{g1, "s2", std::nullopt})), "ok");
    EXPECT_EQ(code(send("s3", join_request{g1, "s3", std::nullopt})), "too_many_spectators");
    EXPECT_EQ(game(g1)["spectators"], 2);
    fx = {};
    svc().disconnect("s2", now, fx);
    EXPECT_EQ(code(send("s3", join_request{g1, "s3", std::nullopt})), "ok");
}

TEST_F(hardening, memory_full_drops_the_longest_idle_game_else_refuses) {
    std::vector<std::string> games;
    for (int i = 0; i < 3; ++i)
        games.push_back(start("w" + std::to_string(i), "b" + std::to_string(i)));
    for (int i = 0; i < 3; ++i) {
        fx = {};
        svc().disconnect("w" + std::to_string(i), now + i, fx);
        svc().disconnect("b" + std::to_string(i), now + i, fx);
    }
    start("w3", "b3");
    start("w4", "b4");
    start("w5", "b5");
    EXPECT_EQ(svc().size(), 6u);
    start("w6", "b6");
    EXPECT_EQ(svc().size(), 6u);
    EXPECT_FALSE(svc().knows(games[0])) << "the longest idle one left memory (it is in the store)";
    EXPECT_TRUE(svc().knows(games[1]));
    start("w7", "b7");
    start("w8", "b8");
    EXPECT_FALSE(svc().knows(games[1]));
    EXPECT_FALSE(svc().knows(games[2]));
    EXPECT_EQ(svc().size(), 6u);
    EXPECT_EQ(code(send("w9", create_request{"x", "white", std::nullopt})), "too_many_games")
        << "every game in memory has someone in it";
}

TEST_F(hardening, waiting_games_of_a_creator_who_left_expire_from_memory_and_store) {
    auto id = create("a");
    auto kept = create("k");
    fx = {};
    svc().disconnect("a", now, fx);
    EXPECT_EQ(*svc().next_wakeup(), now + 5000);
    now += 4999;
    tick();
    EXPECT_TRUE(svc().knows(id));
    now += 1;
    tick();
    EXPECT_FALSE(svc().knows(id));
    EXPECT_EQ(fx.deleted, std::vector<std::string>{id});
    EXPECT_TRUE(svc().knows(kept)) << "its creator is still here";
}

TEST_F(hardening, games_nobody_is_in_leave_memory_after_the_idle_time) {
    auto id = start();
    send("a", resign_request{id});
    fx = {};
    svc().disconnect("a", now, fx);
    svc().disconnect("b", now, fx);
    auto pgn = *svc().pgn(id);
    auto record = fx.changes.back().record;
    now += 60000;
    tick();
    EXPECT_FALSE(svc().knows(id));
    EXPECT_TRUE(fx.deleted.empty()) << "an ended game stays in the store";
    EXPECT_EQ(svc().pgn_of(record), pgn) << "its PGN comes from the stored row";
    EXPECT_FALSE(svc().next_wakeup());
}

// What the store keeps of the game after the idle time: its last change's record.
store::game_record const& last_record(effects const& fx, std::string const& id) {
    auto it = std::find_if(fx.changes.rbegin(), fx.changes.rend(),
                           [&](game_change const& c) { return c.id == id; });
    EXPECT_NE(it, fx.changes.rend()) << "no change of " << id;
    return it->record;
}

TEST_F(hardening, a_game_both_players_left_ends_before_it_leaves_memory) {
    auto id = start();
    send("a", move_request{id, "e2e4", 0});
    send("b", move_request{id, "e7e5", 1});
    fx = {};
    svc().disconnect("b", now, fx);
    svc().disconnect("a", now + 10, fx);
    now += 60009;
    tick();
    EXPECT_TRUE(svc().knows(id)) << "not yet: white left 10 ms after black";
    now += 1;
    tick();
    EXPECT_FALSE(svc().knows(id));
    auto const& r = last_record(fx, id);
    EXPECT_EQ(r.status, "ended") << "never left started with nobody to finish it";
    EXPECT_EQ(r.result, "1-0") << "black left first: white, who stayed, wins";
    EXPECT_EQ(r.reason, "abandoned");
    EXPECT_TRUE(fx.deleted.empty()) << "it stays in the store, ended";
    EXPECT_FALSE(svc().next_wakeup());
}

TEST_F(hardening, a_deserted_game_is_aborted_before_both_sides_moved_and_lost_on_time_if_due) {
    auto quiet = start();
    send("a", move_request{quiet, "e2e4", 0});
    auto timed_ack = send("c", create_request{"carol", "white", clock_spec{30000, 0}});
    std::string const timed = timed_ack["game"]["id"];
    send("d", join_request{timed, "dave", std::nullopt});
    send("c", move_request{timed, "e2e4", 0});
    send("d", move_request{timed, "e7e5", 1});
    fx = {};
    for (conn_id c : {"a", "b", "c", "d"})
        svc().disconnect(c, now, fx);
    now += 60000;
    tick();
    auto const& a = last_record(fx, quiet);
    EXPECT_EQ(a.status, "ended");
    EXPECT_EQ(a.result, std::nullopt);
    EXPECT_EQ(a.reason, "aborted") << "only white had moved";
    auto const& t = last_record(fx, timed);
    EXPECT_EQ(t.result, "0-1") << "white's 30 s ran out while everyone was away";
    EXPECT_EQ(t.reason, "timeout");
    EXPECT_FALSE(svc().knows(quiet));
    EXPECT_FALSE(svc().knows(timed));
}

TEST(rate_limits, allow_a_burst_then_refill_at_the_window_rate) {
    rate_limits r({.window_ms = 10000, .creates = 2, .joins = 3, .moves = 0});
    EXPECT_FALSE(r.take("c", "create", 0));
    EXPECT_FALSE(r.take("c", "create", 0));
    auto wait = r.take("c", "create", 0);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, 5000) << "one token every 5 s";
    EXPECT_TRUE(r.take("c", "create", 4999));
    EXPECT_FALSE(r.take("c", "create", 5001));
    EXPECT_FALSE(r.take("other", "create", 0)) << "per connection";
    EXPECT_FALSE(r.take("c", "join", 0)) << "per group";
    for (int i = 0; i < 1000; ++i)
        EXPECT_FALSE(r.take("c", "move", 0)) << "0 turns a group off";
    r.forget("c");
    r.forget("other");
    EXPECT_EQ(r.connections(), 0u);
}

} // namespace
} // namespace kibitz::chess_app
