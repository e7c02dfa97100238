// The fixture the service's unit suites share: a service with predictable game ids ("game0001",
// ...) and tokens ("token1", ...), white for a "random" creator, driven by a hand-set clock.
#pragma once

#include <kibitz/chess_app/service.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

namespace kibitz::chess_app::test {

struct service_fixture : ::testing::Test {
    int ids = 0;
    int tokens = 0;
    std::int64_t now = 1'000'000;
    effects fx;
    // Read by the first svc(): a suite's constructor (or a test, before its first call) sets more.
    service_options opts{
        .new_game_id = [this] { return "game000" + std::to_string(++ids); },
        .new_token = [this] { return "token" + std::to_string(++tokens); },
        .coin = [] { return true; },
    };

    service& svc() {
        if (!made_) made_ = std::make_unique<service>(opts);
        return *made_;
    }
    // Handles `m` from `conn` at `now`; fx holds only its effects.
    json send(conn_id const& conn, client_message const& m) {
        fx = {};
        return svc().handle(conn, m, now, fx);
    }
    static std::string code(json const& ack) {
        return ack["ok"] == true ? "ok" : ack["error"]["code"].get<std::string>();
    }
    // alice creates on `conn`, white; returns the game id.
    std::string create(conn_id const& conn = "a", std::optional<clock_spec> clock = std::nullopt) {
        auto ack = send(conn, create_request{"alice", "white", clock});
        EXPECT_EQ(code(ack), "ok");
        return ack["game"]["id"];
    }
    // alice (white, conn a) against bob (black, conn b); returns the game id.
    std::string start(std::optional<clock_spec> clock = std::nullopt) {
        auto id = create("a", clock);
        EXPECT_EQ(code(send("b", join_request{id, "bob", std::nullopt})), "ok");
        return id;
    }
    json move(conn_id const& conn, std::string const& id, std::string uci, int ply) {
        return send(conn, move_request{id, std::move(uci), ply});
    }
    // A move at the game's current ply.
    json move(conn_id const& conn, std::string const& id, std::string uci) {
        return move(conn, id, std::move(uci), static_cast<int>(view(id).moves.size()));
    }
    game_view view(std::string const& id) { return *svc().view(id, now); }
    void tick() {
        fx = {};
        svc().tick(now, fx);
    }

private:
    std::unique_ptr<service> made_;
};

} // namespace kibitz::chess_app::test
