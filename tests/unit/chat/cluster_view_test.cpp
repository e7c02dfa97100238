#include <kibitz/chat/cluster_view.hpp>

#include <gtest/gtest.h>

#include <cstdio>

using namespace kibitz;
using namespace kibitz::chat;
using util::duration;

namespace {

remote_user user(std::string key, std::set<std::string> rooms, std::string epoch = "100",
                 std::int64_t identity = 1) {
    return remote_user{key, key, "sid-" + key, identity, std::move(epoch), std::move(rooms), {}};
}

util::time_point at(int ms) {
    return util::time_point{} + duration(ms);
}

} // namespace

TEST(cluster_view, a_full_state_lists_a_nodes_users_and_replaces_what_was_known) {
    cluster_view v;
    auto c = v.apply_full("n1", {user("ann", {"r"}), user("bob", {"r", "s"})}, at(0));
    EXPECT_EQ(c.rooms, (std::set<std::string>{"r", "s"}));
    EXPECT_TRUE(c.left.empty());
    EXPECT_EQ(v.members("r"), (std::map<std::string, std::string>{{"ann", "ann"}, {"bob", "bob"}}));
    ASSERT_TRUE(v.in_room("bob", "s"));
    EXPECT_EQ(v.in_room("bob", "s")->node, "n1");
    EXPECT_EQ(v.in_room("ann", "s"), nullptr);
    // The same state again changes nothing; one without bob removes him.
    EXPECT_TRUE(
        v.apply_full("n1", {user("ann", {"r"}), user("bob", {"r", "s"})}, at(1)).rooms.empty());
    c = v.apply_full("n1", {user("ann", {"r"})}, at(2));
    EXPECT_EQ(c.rooms, (std::set<std::string>{"r", "s"}));
    EXPECT_EQ(v.find("bob"), nullptr);
    EXPECT_EQ(v.user_count(), 1u);
}

TEST(cluster_view, a_delta_changes_one_user_and_removes_the_gone) {
    cluster_view v;
    v.apply_full("n1", {user("ann", {"r"}), user("bob", {"r"})}, at(0));
    auto c = v.apply_delta("n1", {user("ann", {"r", "t"})}, {"bob"}, at(1));
    EXPECT_EQ(c.rooms, (std::set<std::string>{"r", "t"}));
    EXPECT_EQ(v.members("r").size(), 1u);
    EXPECT_TRUE(v.in_room("ann", "t"));
    // A gone key that node never had, and another node's key, are left alone.
    v.apply_full("n2", {user("cat", {"r"})}, at(1));
    EXPECT_TRUE(v.apply_delta("n1", {}, {"cat", "zed"}, at(2)).rooms.empty());
    EXPECT_TRUE(v.in_room("cat", "r"));
}

TEST(cluster_view, a_silent_node_expires_after_the_ttl_and_its_users_leave) {
    cluster_view v;
    v.apply_full("n1", {user("ann", {"r", "s"})}, at(0));
    v.apply_full("n2", {user("bob", {"r"})}, at(500));
    EXPECT_TRUE(v.expire(at(999), duration(1000)).rooms.empty());
    auto c = v.expire(at(1000), duration(1000));
    EXPECT_EQ(c.rooms, (std::set<std::string>{"r", "s"}));
    ASSERT_EQ(c.left.size(), 2u);
    EXPECT_EQ(v.node_count(), 1u);
    EXPECT_EQ(v.find("ann"), nullptr);
    // Any message of a node keeps it: a delta at 1400 carries n2 past 1500.
    v.apply_delta("n2", {}, {}, at(1400));
    EXPECT_TRUE(v.expire(at(2000), duration(1000)).left.empty());
    EXPECT_EQ(v.expire(at(2400), duration(1000)).left.size(), 1u);
    EXPECT_EQ(v.node_count(), 0u);
}

TEST(cluster_view, during_a_take_over_the_latest_claim_wins) {
    cluster_view v;
    v.apply_full("old", {user("ann", {"r"}, "999")}, at(0));
    v.apply_full("new", {user("ann", {"r"}, "1000")}, at(0));
    ASSERT_TRUE(v.find("ann"));
    EXPECT_EQ(v.find("ann")->node, "new");
    EXPECT_EQ(v.members("r").size(), 1u);
    // The old node forgets it: still in the room through the new one, nobody left.
    auto c = v.remove("old", "ann");
    EXPECT_TRUE(c.left.empty());
    EXPECT_TRUE(v.in_room("ann", "r"));
    c = v.apply_full("new", {}, at(1));
    EXPECT_EQ(c.left.size(), 1u);
    EXPECT_EQ(v.find("ann"), nullptr);
}

TEST(cluster_view, users_on_the_wire_are_checked) {
    auto u = user("ann", {"r", "s"}, "123", 42);
    auto back = remote_user_from_json(to_json(u));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, u);
    EXPECT_FALSE(remote_user_from_json(json::array()));
    auto bad = to_json(u);
    bad["i"] = "42";
    EXPECT_FALSE(remote_user_from_json(bad));
    bad = to_json(u);
    bad["r"] = json::array({1});
    EXPECT_FALSE(remote_user_from_json(bad));
    bad = to_json(u);
    bad["k"] = "";
    EXPECT_FALSE(remote_user_from_json(bad));
    bad = to_json(u);
    bad.erase("e");
    EXPECT_FALSE(remote_user_from_json(bad));
}

namespace {

// A user as a node of the cluster reports it: a 20-character socket id, a 16-digit epoch.
remote_user typical(std::size_t i) {
    auto name = "user" + std::to_string(i);
    return remote_user{name,
                       name,
                       std::string(20 - std::to_string(i).size(), 'a') + std::to_string(i),
                       static_cast<std::int64_t>(i + 1),
                       "1764680000000000",
                       {"lobby", "room" + std::to_string(i % 7)},
                       {}};
}

user_digest digest_of(std::vector<remote_user> const& users) {
    user_digest d;
    for (auto const& u : users)
        d.add(u);
    return d;
}

} // namespace

TEST(cluster_view, a_replica_sums_to_its_nodes_digest_through_fulls_deltas_and_take_overs) {
    cluster_view v;
    std::vector<remote_user> users = {user("ann", {"r"}), user("bob", {"r", "s"})};
    EXPECT_EQ(v.digest_of("n1").text(), "0:0000000000000000");
    v.apply_full("n1", users, at(0));
    EXPECT_EQ(v.digest_of("n1"), digest_of(users));
    // Order does not matter; a changed entry, an added one and a gone one are followed.
    users = {user("cat", {"t"}), user("ann", {"r", "t"})};
    v.apply_delta("n1", {user("ann", {"r", "t"}), user("cat", {"t"})}, {"bob"}, at(1));
    EXPECT_EQ(v.digest_of("n1"), digest_of(users));
    EXPECT_EQ(v.digest_of("n1").count, 2u);
    // A removal the node did not send (a take-over heard from another node) shows as a
    // mismatch, which the node's next digest reveals.
    v.remove("n1", "cat");
    EXPECT_NE(v.digest_of("n1"), digest_of(users));
    // A heartbeat keeps a node listed without changing its users.
    v.heard("n1", at(900));
    EXPECT_TRUE(v.expire(at(1800), duration(1000)).rooms.empty());
    EXPECT_EQ(v.node_count(), 1u);
}

// What a heartbeat costs on the request channel: the whole state grows with the users, the
// digest does not (docs/cluster.md "Costs"; the figures printed are quoted there).
TEST(cluster_view, a_heartbeats_digest_is_constant_where_the_full_state_grows_with_the_users) {
    for (std::size_t n : {100u, 1000u, 10000u}) {
        json users = json::array();
        user_digest d;
        for (std::size_t i = 0; i < n; ++i) {
            users.push_back(to_json(typical(i)));
            d.add(typical(i));
        }
        auto const full = json{{"t", "full"}, {"node", std::string(32, 'f')}, {"users", users}};
        auto const beat = json{{"t", "beat"}, {"node", std::string(32, 'f')}, {"d", d.text()}};
        auto const full_bytes = full.dump().size();
        auto const beat_bytes = beat.dump().size();
        std::printf("# heartbeat at %zu users: full state %zu bytes, digest %zu bytes\n", n,
                    full_bytes, beat_bytes);
        EXPECT_GT(full_bytes, n * 60);
        EXPECT_LT(beat_bytes, 100u);
    }
}
