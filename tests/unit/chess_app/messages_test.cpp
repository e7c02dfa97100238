#include <kibitz/chess_app/messages.hpp>

#include <gtest/gtest.h>

namespace kibitz::chess_app {
namespace {

template<class T>
T parsed_as(std::string_view event, json const& payload) {
    auto m = parse(event, payload);
    EXPECT_TRUE(m.has_value()) << event << " " << payload.dump();
    EXPECT_TRUE(m && std::holds_alternative<T>(*m));
    return m && std::holds_alternative<T>(*m) ? std::get<T>(*m) : T{};
}

TEST(parse, create_defaults_to_random_colour_and_no_clock) {
    auto r = parsed_as<create_request>("create", {{"name", "alice"}});
    EXPECT_EQ(r.name, "alice");
    EXPECT_EQ(r.color, "random");
    EXPECT_FALSE(r.clock);
}

TEST(parse, create_takes_colour_and_clock) {
    auto r = parsed_as<create_request>(
        "create", {{"name", "bob"},
                   {"color", "black"},
                   {"clock", {{"initial_ms", 60000}, {"increment_ms", 2000}}}});
    EXPECT_EQ(r.color, "black");
    ASSERT_TRUE(r.clock);
    EXPECT_EQ(r.clock->initial_ms, 60000);
    EXPECT_EQ(r.clock->increment_ms, 2000);
    EXPECT_FALSE(parsed_as<create_request>("create", {{"name", "x"}, {"clock", nullptr}}).clock);
}

TEST(parse, create_refuses_bad_fields) {
    EXPECT_FALSE(parse("create", json::object()));
    EXPECT_FALSE(parse("create", {{"name", ""}}));
    EXPECT_FALSE(parse("create", {{"name", "has space"}}));
    EXPECT_FALSE(parse("create", {{"name", std::string(25, 'a')}}));
    EXPECT_FALSE(parse("create", {{"name", 5}}));
    EXPECT_FALSE(parse("create", {{"name", "a"}, {"color", "green"}}));
    EXPECT_FALSE(
        parse("create", {{"name", "a"}, {"clock", {{"initial_ms", 0}, {"increment_ms", 0}}}}));
    EXPECT_FALSE(
        parse("create", {{"name", "a"}, {"clock", {{"initial_ms", -5}, {"increment_ms", 0}}}}));
    EXPECT_FALSE(
        parse("create", {{"name", "a"}, {"clock", {{"initial_ms", 1.5}, {"increment_ms", 0}}}}));
    EXPECT_FALSE(parse("create", {{"name", "a"}, {"clock", {{"initial_ms", 1000}}}}));
    EXPECT_FALSE(parse("create", {{"name", "a"}, {"clock", "5+0"}}));
    EXPECT_FALSE(parse("create", "alice"));
    EXPECT_FALSE(parse("create", nullptr));
}

TEST(parse, names_follow_the_protocol_conventions) {
    EXPECT_TRUE(valid_name("Zoë_1.x-y"));
    EXPECT_TRUE(valid_name("Иван"));
    EXPECT_TRUE(valid_name("名前"));
    EXPECT_FALSE(valid_name("a b"));
    EXPECT_FALSE(valid_name("a!"));
    EXPECT_FALSE(valid_name("a\u00A0b"));
    EXPECT_FALSE(valid_name("\xF0\x9F\x98\x80"));
    EXPECT_FALSE(valid_name("\xff"));
    EXPECT_TRUE(valid_name(std::string(24, 'a')));
}

TEST(parse, join_with_and_without_token) {
    auto r = parsed_as<join_request>("join", {{"game", "abcdefgh"}, {"name", "c"}});
    EXPECT_EQ(r.game, "abcdefgh");
    EXPECT_FALSE(r.token);
    r = parsed_as<join_request>("join", {{"game", "g"}, {"name", "c"}, {"token", "t"}});
    EXPECT_EQ(r.token, "t");
    EXPECT_FALSE(parse("join", {{"game", "g"}}));
    EXPECT_FALSE(parse("join", {{"name", "c"}}));
    EXPECT_FALSE(parse("join", {{"game", 1}, {"name", "c"}}));
    EXPECT_FALSE(parse("join", {{"game", "g"}, {"name", "c"}, {"token", 7}}));
}

TEST(parse, move_needs_game_uci_and_ply) {
    auto r = parsed_as<move_request>("move", {{"game", "g"}, {"uci", "e2e4"}, {"ply", 0}});
    EXPECT_EQ(r.uci, "e2e4");
    EXPECT_EQ(r.ply, 0);
    EXPECT_FALSE(parse("move", {{"game", "g"}, {"uci", "e2e4"}}));
    EXPECT_FALSE(parse("move", {{"game", "g"}, {"uci", "e2e4"}, {"ply", -1}}));
    EXPECT_FALSE(parse("move", {{"game", "g"}, {"uci", "e2e4"}, {"ply", "0"}}));
    EXPECT_FALSE(parse("move", {{"game", "g"}, {"uci", "e2e4e5"}, {"ply", 0}}));
    EXPECT_FALSE(parse("move", {{"game", "g"}, {"uci", 4}, {"ply", 0}}));
}

TEST(parse, game_only_events) {
    EXPECT_EQ(parsed_as<resign_request>("resign", {{"game", "g"}}).game, "g");
    EXPECT_EQ(parsed_as<abort_request>("abort", {{"game", "g"}}).game, "g");
    EXPECT_EQ(parsed_as<claim_request>("claim", {{"game", "g"}}).game, "g");
    EXPECT_EQ(parsed_as<pgn_request>("pgn", {{"game", "g"}, {"extra", 1}}).game, "g");
    for (auto ev : {"resign", "abort", "claim", "pgn"}) {
        EXPECT_FALSE(parse(ev, json::object()));
        EXPECT_FALSE(parse(ev, {{"game", ""}}));
        EXPECT_FALSE(parse(ev, json::array({"g"})));
    }
}

TEST(parse, draw_and_rematch_actions) {
    EXPECT_EQ(parsed_as<draw_request>("draw", {{"game", "g"}, {"action", "decline"}}).action,
              offer_action::decline);
    EXPECT_EQ(parsed_as<rematch_request>("rematch", {{"game", "g"}, {"action", "accept"}}).action,
              offer_action::accept);
    EXPECT_FALSE(parse("rematch", {{"game", "g"}, {"action", "decline"}}));
    EXPECT_FALSE(parse("draw", {{"game", "g"}}));
    EXPECT_FALSE(parse("draw", {{"game", "g"}, {"action", "maybe"}}));
}

TEST(parse, unknown_events_are_refused) {
    EXPECT_FALSE(parse("lobby", json::object()));
    EXPECT_FALSE(parse("", json::object()));
}

TEST(to_json, server_messages_use_the_wire_names) {
    EXPECT_EQ(event_name(lobby_event{}), "lobby");
    EXPECT_EQ(event_name(rematch_event{"x"}), "rematch");
    EXPECT_EQ(event_name(game_event{}), "game");
    json l = to_json(lobby_event{{{"id1", "alice", "random", clock_spec{300, 0}}}});
    EXPECT_EQ(l, json::parse(R"({"games":[{"id":"id1","creator":"alice","color":"random",
        "clock":{"initial_ms":300,"increment_ms":0}}]})"));
    EXPECT_EQ(to_json(rematch_event{"n"}), json({{"game", "n"}}));
}

TEST(to_json, game_has_every_protocol_field) {
    game_view g;
    g.id = "abc";
    g.v = 3;
    g.status = "started";
    g.fen = "f";
    g.white = "w";
    json j = to_json(g);
    for (auto key : {"id", "v", "status", "result", "reason", "fen", "moves", "san", "turn",
                     "clock", "players", "connected", "spectators", "draw_offer", "rematch_offer"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j["result"].is_null());
    EXPECT_TRUE(j["clock"].is_null());
    EXPECT_EQ(j["players"]["white"], "w");
    EXPECT_TRUE(j["players"]["black"].is_null());
    EXPECT_EQ(j["turn"], "white");
}

TEST(acks, ok_and_error_shapes) {
    EXPECT_EQ(ok_ack({{"pgn", "x"}}), json({{"ok", true}, {"pgn", "x"}}));
    json e = error_ack("not_found", "no");
    EXPECT_EQ(e["ok"], false);
    EXPECT_EQ(e["error"]["code"], "not_found");
}

} // namespace
} // namespace kibitz::chess_app
