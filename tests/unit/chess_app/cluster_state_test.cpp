// What a chess node knows of its peers (cluster_state): heartbeats and expiry on a driven
// clock, the cluster's lobby, remote sockets gone with their node or missing from its beat,
// the owners a local socket's requests went to, and the games a local socket joined (joined
// again for it when an owner lost track of it).
#include <kibitz/chess_app/cluster_state.hpp>

#include <gtest/gtest.h>

namespace kibitz::chess_app {
namespace {

json entry(std::string const& id) {
    return {{"id", id}, {"creator", "alice"}, {"color", "white"}, {"clock", nullptr}};
}

TEST(cluster_state, lobby_is_own_then_peers_by_node_and_changes_only_when_it_differs) {
    cluster_state st(1000);
    bool changed = false;
    st.heard("n2", 0, json::array({entry("b")}), {}, changed);
    EXPECT_TRUE(changed);
    st.heard("n2", 10, json::array({entry("b")}), {}, changed);
    EXPECT_FALSE(changed);
    EXPECT_TRUE(st.lobby_of("n1", 20, json::array({entry("a")})));
    EXPECT_FALSE(st.lobby_of("n1", 30, json::array({entry("a")})));
    auto lobby = st.lobby(json::array({entry("own")}));
    ASSERT_EQ(lobby.size(), 3u);
    EXPECT_EQ(lobby[0]["id"], "own");
    EXPECT_EQ(lobby[1]["id"], "a");
    EXPECT_EQ(lobby[2]["id"], "b");
}

TEST(cluster_state, peer_input_is_bounded_and_malformed_entries_are_dropped) {
    cluster_state st(1000, 2);
    EXPECT_FALSE(st.lobby_of("n1", 0, json("not a list")));
    EXPECT_EQ(st.lobby(json::array()).size(), 0u);
    st.lobby_of("n1", 0, json::array({1, entry("a"), "x", entry("b"), entry("c")}));
    auto lobby = st.lobby(json::array());
    ASSERT_EQ(lobby.size(), 2u);
    EXPECT_EQ(lobby[1]["id"], "b");
}

TEST(cluster_state, a_silent_peer_expires_with_its_lobby_and_sockets) {
    cluster_state st(1000);
    bool changed = false;
    st.heard("n1", 0, json::array({entry("a")}), {"s1"}, changed);
    st.seen_conn("s1", {"n1", "10.0.0.1", 40}, 100);
    st.seen_conn("s2", {"n2", "10.0.0.2", std::nullopt}, 100);
    ASSERT_NE(st.conn("s1"), nullptr);
    EXPECT_EQ(st.conn("s1")->address, "10.0.0.1");
    EXPECT_EQ(st.next_expiry(), 1100); // n1 was last heard at 100, n2 at 100
    EXPECT_TRUE(st.expire(1099, changed).empty());
    EXPECT_FALSE(changed);
    auto gone = st.expire(1100, changed);
    EXPECT_TRUE(changed); // n1 had a waiting game
    EXPECT_EQ(gone, (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(st.conn("s1"), nullptr);
    EXPECT_EQ(st.peers(), 0u);
    EXPECT_FALSE(st.next_expiry());
}

TEST(cluster_state, a_heartbeat_keeps_its_peer_and_drops_the_sockets_it_no_longer_lists) {
    cluster_state st(1000);
    bool changed = false;
    st.seen_conn("s1", {"n1", "", std::nullopt}, 0);
    st.seen_conn("s2", {"n1", "", std::nullopt}, 0);
    st.seen_conn("t1", {"n2", "", std::nullopt}, 0);
    auto gone = st.heard("n1", 900, json::array(), {"s2"}, changed);
    EXPECT_EQ(gone, (std::vector<std::string>{"s1"}));
    EXPECT_NE(st.conn("t1"), nullptr); // another node's socket is untouched
    gone = st.expire(1500, changed);   // n2 silent since 0, n1 heard at 900
    EXPECT_EQ(gone, (std::vector<std::string>{"t1"}));
    EXPECT_NE(st.conn("s2"), nullptr);
    EXPECT_TRUE(st.forget_conn("s2"));
    EXPECT_FALSE(st.forget_conn("s2"));
}

TEST(cluster_state, a_local_socket_remembers_the_owners_it_was_answered_by) {
    cluster_state st(1000);
    st.forwarded("me1", "n1");
    st.forwarded("me1", "n2");
    st.forwarded("me1", "n1");
    st.forwarded("me2", "n1");
    EXPECT_EQ(st.forwarding_conns(), (std::set<std::string>{"me1", "me2"}));
    EXPECT_EQ(st.take_forwarded("me1"), (std::set<std::string>{"n1", "n2"}));
    EXPECT_TRUE(st.take_forwarded("me1").empty());
    EXPECT_EQ(st.forwarding_conns(), (std::set<std::string>{"me2"}));
}

TEST(cluster_state, a_local_socket_remembers_how_it_joined_each_game_bounded_per_socket) {
    cluster_state st(1000, 500, 4);
    st.joined("s1", "g1", {"alice", std::string("t1")});
    st.joined("s2", "g1", {"carol", std::nullopt});
    st.joined("s1", "g2", {"alice", std::nullopt});
    // The latest way in replaces the earlier one (a spectator that took a seat).
    st.joined("s1", "g2", {"alice", std::string("t2")});
    auto g1 = st.joins_of("g1");
    ASSERT_EQ(g1.size(), 2u);
    EXPECT_EQ(g1[0].first, "s1");
    EXPECT_EQ(g1[0].second.token, std::optional<std::string>("t1"));
    EXPECT_EQ(g1[1].first, "s2");
    EXPECT_FALSE(g1[1].second.token);
    auto g2 = st.joins_of("g2");
    ASSERT_EQ(g2.size(), 1u);
    EXPECT_EQ(g2[0].second.token, std::optional<std::string>("t2"));
    // At most max_joins (4) games per socket: the oldest go first.
    for (std::size_t i = 0; i < 4; ++i)
        st.joined("s3", "x" + std::to_string(i), {"dave", std::nullopt});
    st.joined("s3", "last", {"dave", std::nullopt});
    EXPECT_TRUE(st.joins_of("x0").empty());
    EXPECT_EQ(st.joins_of("x1").size(), 1u);
    EXPECT_EQ(st.joins_of("last").size(), 1u);
    // A socket that left is forgotten.
    st.forget_joins("s1");
    EXPECT_EQ(st.joins_of("g1").size(), 1u);
    EXPECT_TRUE(st.joins_of("g2").empty());
}

TEST(cluster_state, a_peer_is_known_from_its_first_message_until_it_expires) {
    cluster_state st(1000);
    EXPECT_FALSE(st.knows("n1"));
    bool changed = false;
    st.heard("n1", 0, json::array(), {}, changed);
    EXPECT_TRUE(st.knows("n1"));
    st.expire(999, changed);
    EXPECT_TRUE(st.knows("n1"));
    st.expire(1000, changed);
    // Dropped (silent for the ttl, or this node was frozen that long): new again when heard.
    EXPECT_FALSE(st.knows("n1"));
    EXPECT_TRUE(st.lobby_of("n1", 1200, json::array({entry("a")})));
    EXPECT_TRUE(st.knows("n1"));
}

} // namespace
} // namespace kibitz::chess_app
