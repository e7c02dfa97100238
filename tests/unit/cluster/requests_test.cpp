#include <kibitz/cluster/requests.hpp>

#include <gtest/gtest.h>

namespace kibitz::cluster {
namespace {

util::time_point at(int ms) {
    return util::time_point{} + util::duration(ms);
}

pending_ack ack_at(int ms) {
    pending_ack a;
    a.deadline = at(ms);
    return a;
}

TEST(deadline_map, is_bounded_and_refuses_a_duplicate_id) {
    deadline_map<pending_ack> m(2);
    auto a = ack_at(10);
    EXPECT_TRUE(m.add("a", std::move(a)));
    auto dup = ack_at(5);
    EXPECT_FALSE(m.add("a", std::move(dup)));
    auto b = ack_at(20);
    EXPECT_TRUE(m.add("b", std::move(b)));
    auto c = ack_at(1);
    EXPECT_FALSE(m.add("c", std::move(c)));
    EXPECT_EQ(m.size(), 2u);
    EXPECT_EQ(m.next_deadline(), at(10));
}

TEST(deadline_map, expires_entries_at_their_deadline_and_is_empty_after) {
    deadline_map<pending_ack> m(10);
    for (int i : {30, 10, 20}) {
        auto e = ack_at(i);
        m.add(std::to_string(i), std::move(e));
    }
    EXPECT_TRUE(m.expire(at(9)).empty());
    auto first = m.expire(at(20));
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].deadline, at(10));
    EXPECT_EQ(m.next_deadline(), at(30));
    EXPECT_TRUE(m.take("30"));
    EXPECT_FALSE(m.take("30"));
    EXPECT_EQ(m.size(), 0u);
    EXPECT_FALSE(m.next_deadline());
    EXPECT_TRUE(m.expire(at(1000)).empty());
}

TEST(pending_request, completes_after_the_expected_answers) {
    pending_request r;
    r.type = request_type::remote_fetch;
    r.expected = 2;
    std::error_code got_ec = errc::timed_out;
    std::vector<socketio::socket_info> got;
    r.on_sockets = [&](std::error_code ec, std::vector<socketio::socket_info> s) {
        got_ec = ec;
        got = std::move(s);
    };
    EXPECT_FALSE(
        r.add_answer({{"requestId", "x"}, {"sockets", {{{"id", "a"}, {"rooms", {"a"}}}}}}));
    // An answer without the array is counted, and adds nothing.
    EXPECT_TRUE(r.add_answer({{"requestId", "x"}}));
    r.finish({});
    EXPECT_FALSE(got_ec);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].id, "a");
}

TEST(pending_request, ends_at_its_timeout_with_the_partial_answers_once) {
    deadline_map<pending_request> m(4);
    pending_request r;
    r.type = request_type::server_side_emit;
    r.expected = 2;
    r.deadline = at(5000);
    int calls = 0;
    std::error_code got_ec;
    std::vector<json> got;
    r.on_responses = [&](std::error_code ec, std::vector<json> responses) {
        ++calls;
        got_ec = ec;
        got = std::move(responses);
    };
    ASSERT_TRUE(m.add("id", std::move(r)));
    EXPECT_FALSE(
        m.find("id")->add_answer({{"type", 6}, {"requestId", "id"}, {"data", {{"pong", true}}}}));
    EXPECT_TRUE(m.expire(at(4999)).empty());
    for (auto& e : m.expire(at(5000)))
        e.finish(errc::timed_out);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(got_ec, errc::timed_out);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], json({{"pong", true}}));
    EXPECT_EQ(m.size(), 0u);
}

TEST(pending_request, collects_rooms_into_one_set) {
    pending_request r;
    r.type = request_type::all_rooms;
    r.expected = 1;
    r.rooms = {"mine"};
    std::set<std::string> got;
    r.on_rooms = [&](std::error_code, std::set<std::string> rooms) { got = std::move(rooms); };
    EXPECT_TRUE(r.add_answer({{"rooms", {"mine", "theirs"}}}));
    r.finish({});
    EXPECT_EQ(got, (std::set<std::string>{"mine", "theirs"}));
}

} // namespace
} // namespace kibitz::cluster
