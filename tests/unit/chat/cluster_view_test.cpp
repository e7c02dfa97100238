#include <kibitz/chat/cluster_view.hpp>

#include <gtest/gtest.h>

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
