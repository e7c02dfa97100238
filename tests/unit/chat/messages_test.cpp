#include <kibitz/chat/messages.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chat;
using kibitz::json;

namespace {

template<class T>
T parsed(std::string_view event, json const& payload) {
    auto m = parse(event, payload);
    EXPECT_TRUE(m) << event << " " << payload.dump();
    if (!m) return T{};
    EXPECT_TRUE(std::holds_alternative<T>(*m));
    return std::get<T>(*m);
}

} // namespace

TEST(parse, refuses_non_objects_and_unknown_events) {
    for (auto const& p : {json(), json(1), json("x"), json::array(), json(true)})
        for (auto event : {"join", "leave", "message", "typing", "history"})
            EXPECT_FALSE(parse(event, p)) << event << " " << p.dump();
    EXPECT_FALSE(parse("nope", json::object()));
}

TEST(parse, join_with_defaults) {
    auto j = parsed<join_request>("join", {{"name", "Zoë"}, {"extra", 1}});
    EXPECT_EQ(j.name, "Zoë");
    EXPECT_EQ(j.room, "lobby");
    EXPECT_FALSE(j.token);
    auto k = parsed<join_request>("join", {{"name", "a"}, {"room", "r"}, {"token", "t"}});
    EXPECT_EQ(k.room, "r");
    EXPECT_EQ(k.token, "t");
    auto n = parsed<join_request>("join", {{"name", "a"}, {"room", nullptr}, {"token", nullptr}});
    EXPECT_EQ(n.room, "lobby");
    EXPECT_FALSE(n.token);
}

TEST(parse, join_refuses_missing_or_mistyped_fields) {
    EXPECT_FALSE(parse("join", json::object()));
    EXPECT_FALSE(parse("join", {{"name", 1}}));
    EXPECT_FALSE(parse("join", {{"name", "a"}, {"room", 3}}));
    EXPECT_FALSE(parse("join", {{"name", "a"}, {"token", false}}));
    // Values are not judged here: an invalid name parses (name_invalid comes later).
    EXPECT_TRUE(parse("join", {{"name", ""}}));
}

TEST(parse, join_refuses_a_token_longer_than_any_the_server_hands_out) {
    EXPECT_TRUE(parse("join", {{"name", "a"}, {"token", std::string(128, 't')}}));
    EXPECT_FALSE(parse("join", {{"name", "a"}, {"token", std::string(129, 't')}}));
    EXPECT_FALSE(parse("join", {{"name", "a"}, {"token", std::string(1'000'000, 't')}}));
}

TEST(parse, leave_needs_a_room) {
    EXPECT_EQ(parsed<leave_request>("leave", {{"room", "x"}}).room, "x");
    EXPECT_FALSE(parse("leave", json::object()));
    EXPECT_FALSE(parse("leave", {{"room", nullptr}}));
    EXPECT_FALSE(parse("leave", {{"room", 1}}));
}

TEST(parse, message_fields) {
    auto m = parsed<send_request>(
        "message", {{"text", "hi"}, {"to", "bob"}, {"from", "al"}, {"id", "c1"}, {"room", "r"}});
    EXPECT_EQ(m.text, "hi");
    EXPECT_EQ(m.to, "bob");
    EXPECT_EQ(m.from, "al");
    EXPECT_EQ(m.id, "c1");
    EXPECT_EQ(m.room, "r");
    auto d = parsed<send_request>("message", {{"text", ""}});
    EXPECT_EQ(d.room, "lobby");
    EXPECT_FALSE(d.to || d.from || d.id);
}

TEST(parse, message_refuses_bad_types_and_ids) {
    EXPECT_FALSE(parse("message", json::object()));
    EXPECT_FALSE(parse("message", {{"text", 5}}));
    EXPECT_FALSE(parse("message", {{"text", "x"}, {"to", 5}}));
    EXPECT_FALSE(parse("message", {{"text", "x"}, {"from", json::array()}}));
    EXPECT_FALSE(parse("message", {{"text", "x"}, {"id", 7}}));
    EXPECT_FALSE(parse("message", {{"text", "x"}, {"id", ""}}));
    EXPECT_FALSE(parse("message", {{"text", "x"}, {"id", std::string(65, 'i')}}));
    EXPECT_TRUE(parse("message", {{"text", "x"}, {"id", std::string(64, 'i')}}));
}

TEST(parse, typing_needs_a_bool) {
    auto t = parsed<typing_request>("typing", {{"typing", true}, {"to", "bob"}});
    EXPECT_TRUE(t.typing);
    EXPECT_EQ(t.to, "bob");
    EXPECT_EQ(t.room, "lobby");
    EXPECT_FALSE(parse("typing", {{"typing", 1}}));
    EXPECT_FALSE(parse("typing", json::object()));
}

TEST(parse, history_clamps_the_limit_and_reads_before) {
    auto h = parsed<history_request>("history", json::object());
    EXPECT_EQ(h.limit, 50);
    EXPECT_FALSE(h.before);
    EXPECT_EQ(parsed<history_request>("history", {{"limit", 0}}).limit, 1);
    EXPECT_EQ(parsed<history_request>("history", {{"limit", -5}}).limit, 1);
    EXPECT_EQ(parsed<history_request>("history", {{"limit", 1000}}).limit, 100);
    EXPECT_EQ(parsed<history_request>("history", {{"limit", 1e300}}).limit, 100);
    EXPECT_EQ(parsed<history_request>("history", {{"limit", 7}}).limit, 7);
    EXPECT_EQ(parsed<history_request>("history", {{"before", "42"}}).before, 42);
    EXPECT_EQ(parsed<history_request>("history", {{"before", 42}}).before, 42);
    EXPECT_FALSE(parse("history", {{"limit", "5"}}));
    EXPECT_FALSE(parse("history", {{"before", "abc"}}));
    EXPECT_FALSE(parse("history", {{"before", true}}));
}

TEST(to_json, message_spells_the_contract) {
    kibitz::store::message_record r;
    r.id = "12";
    r.room = "lobby";
    r.from_name = "Zoë";
    r.from_key = "zoë";
    r.text = "<b>hi</b>";
    r.ts = 1700000000000;
    json j = to_json(message_event{r});
    EXPECT_EQ(j, (json{{"id", "12"},
                       {"room", "lobby"},
                       {"from", "Zoë"},
                       {"to", nullptr},
                       {"text", "<b>hi</b>"},
                       {"ts", 1700000000000},
                       {"mentions", json::array()}}));
    r.to_name = "Bob";
    r.to_key = "bob";
    EXPECT_EQ(to_json(message_event{r})["to"], "Bob");
    EXPECT_EQ(event_name(message_event{r}), "message");
}

TEST(to_json, message_with_action_mentions_edit_and_the_tombstone) {
    kibitz::store::message_record r;
    r.id = "7";
    r.room = "lobby";
    r.from_name = "ann";
    r.text = "waves at bob";
    r.ts = 5;
    r.action = true;
    r.mentions = {"bob"};
    r.edited = 9;
    json j = message_json(r);
    EXPECT_EQ(j["action"], true);
    EXPECT_EQ(j["mentions"], json::array({"bob"}));
    EXPECT_EQ(j["edited"], 9);
    EXPECT_EQ(to_json(message_updated_event{r}), j);
    EXPECT_EQ(event_name(message_updated_event{r}), "message updated");
    r.deleted = true;
    EXPECT_EQ(
        message_json(r),
        (json{{"id", "7"}, {"room", "lobby"}, {"from", "ann"}, {"ts", 5}, {"deleted", true}}));
    EXPECT_EQ(to_json(message_deleted_event{"7", "lobby"}), (json{{"id", "7"}, {"room", "lobby"}}));
    EXPECT_EQ(event_name(message_deleted_event{}), "message deleted");
}

TEST(parse, edit_and_delete) {
    auto e = parsed<edit_request>("edit", {{"id", "42"}, {"text", "fixed"}});
    EXPECT_EQ(e.id, 42);
    EXPECT_EQ(e.text, "fixed");
    EXPECT_EQ(parsed<edit_request>("edit", {{"id", 42}, {"text", "x"}}).id, 42);
    // A string that is none of our ids parses (it is simply not found).
    EXPECT_EQ(parsed<edit_request>("edit", {{"id", "abc"}, {"text", "x"}}).id, 0);
    EXPECT_EQ(parsed<delete_request>("delete", {{"id", "9"}}).id, 9);
    EXPECT_FALSE(parse("edit", {{"id", "1"}}));
    EXPECT_FALSE(parse("edit", {{"text", "x"}}));
    EXPECT_FALSE(parse("edit", {{"id", "1"}, {"text", 3}}));
    EXPECT_FALSE(parse("delete", json::object()));
    EXPECT_FALSE(parse("delete", {{"id", json::array()}}));
    EXPECT_FALSE(parse("delete", {{"id", 1.5}}));
}

TEST(parse, message_action) {
    EXPECT_TRUE(parsed<send_request>("message", {{"text", "x"}, {"action", true}}).action);
    EXPECT_FALSE(parsed<send_request>("message", {{"text", "x"}}).action);
    EXPECT_FALSE(parsed<send_request>("message", {{"text", "x"}, {"action", nullptr}}).action);
    EXPECT_FALSE(parse("message", {{"text", "x"}, {"action", "yes"}}));
    EXPECT_FALSE(parse("message", {{"text", "x"}, {"action", 1}}));
    EXPECT_FALSE(parsed<send_request>("message", {{"text", "x"}, {"action", false}}).action);
}

TEST(to_json, presence_users_and_typing) {
    EXPECT_EQ(event_name(presence_event{"r", "a", true}), "user joined");
    EXPECT_EQ(event_name(presence_event{"r", "a", false}), "user left");
    EXPECT_EQ(to_json(presence_event{"r", "a", false}), (json{{"room", "r"}, {"name", "a"}}));
    EXPECT_EQ(to_json(users_event{"r", {"a", "B"}}), (json{{"room", "r"}, {"users", {"a", "B"}}}));
    EXPECT_EQ(event_name(users_event{}), "users");
    EXPECT_EQ(to_json(typing_event{"r", "a", std::nullopt, true}),
              (json{{"room", "r"}, {"from", "a"}, {"to", nullptr}, {"typing", true}}));
    EXPECT_EQ(event_name(typing_event{}), "typing");
}

TEST(replies, errors_carry_code_and_message) {
    auto e = error_reply("name_taken", "in use");
    EXPECT_EQ(e["ok"], false);
    EXPECT_EQ(e["error"]["code"], "name_taken");
    EXPECT_EQ(e["error"]["message"], "in use");
    auto r = rate_limited_reply(1234);
    EXPECT_EQ(r["error"]["code"], "rate_limited");
    EXPECT_EQ(r["error"]["retry_after_ms"], 1234);
    EXPECT_EQ(r["error"]["message"].get<std::string>().find("retry_after_ms"), std::string::npos)
        << "a message for people, not a field name";
    EXPECT_NE(r["error"]["message"].get<std::string>().find("2 seconds"), std::string::npos)
        << r["error"]["message"];
    EXPECT_EQ(ok_reply(), (json{{"ok", true}}));
}

TEST(replies, join_and_history) {
    auto j = join_reply("a", "t", "lobby", {"a"}, {});
    EXPECT_EQ(j, (json{{"ok", true},
                       {"name", "a"},
                       {"token", "t"},
                       {"room", "lobby"},
                       {"users", {"a"}},
                       {"history", json::array()}}));
    EXPECT_EQ(history_reply({})["messages"], json::array());
}
