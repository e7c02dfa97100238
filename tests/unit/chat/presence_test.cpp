#include <kibitz/chat/presence.hpp>
#include <kibitz/chat/text.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chat;
using status = presence::claim_status;

TEST(presence, a_free_name_is_created_and_then_taken) {
    presence p;
    EXPECT_EQ(p.claim("Zoë", name_key("Zoë"), std::nullopt, "s1", "t1").status, status::created);
    EXPECT_EQ(p.claim("ZOË", name_key("ZOË"), std::nullopt, "s2", "t2").status, status::name_taken);
    EXPECT_EQ(p.claim("ZOË", name_key("ZOË"), "wrong", "s2", "t2").status, status::name_taken);
    ASSERT_TRUE(p.by_socket("s1"));
    EXPECT_EQ(p.by_socket("s1")->token, "t1");
    EXPECT_FALSE(p.by_socket("s2"));
}

TEST(presence, the_token_takes_the_name_over_with_its_rooms) {
    presence p;
    auto key = name_key("Ann");
    p.claim("Ann", key, std::nullopt, "s1", "t1");
    p.enter(key, "lobby");
    auto r = p.claim("ann", key, "t1", "s2", "unused");
    EXPECT_EQ(r.status, status::taken_over);
    EXPECT_EQ(r.previous_sid, "s1");
    EXPECT_FALSE(p.by_socket("s1"));
    ASSERT_TRUE(p.by_socket("s2"));
    EXPECT_EQ(p.by_socket("s2")->name, "Ann");
    EXPECT_TRUE(p.in_room(key, "lobby"));
    // The old socket's disconnect frees nothing any more.
    EXPECT_FALSE(p.release("s1"));
    EXPECT_EQ(p.user_count(), 1u);
}

TEST(presence, release_frees_the_name_and_its_rooms) {
    presence p;
    auto key = name_key("bob");
    p.claim("bob", key, std::nullopt, "s1", "t");
    p.enter(key, "a");
    p.enter(key, "b");
    auto gone = p.release("s1");
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->rooms, (std::set<std::string>{"a", "b"}));
    EXPECT_TRUE(p.names("a").empty());
    EXPECT_EQ(p.claim("BOB", key, std::nullopt, "s2", "t2").status, status::created);
}

TEST(presence, names_are_sorted_case_insensitively) {
    presence p;
    for (auto [name, sid] :
         {std::pair{"bob", "1"}, {"Alice", "2"}, {"carol", "3"}, {"Ångel", "4"}, {"BEN", "5"}}) {
        p.claim(name, name_key(name), std::nullopt, sid, "t");
        p.enter(name_key(name), "lobby");
    }
    EXPECT_EQ(p.names("lobby"),
              (std::vector<std::string>{"Alice", "BEN", "bob", "carol", "Ångel"}));
}

TEST(presence, enter_and_leave_report_changes) {
    presence p;
    auto key = name_key("a");
    EXPECT_FALSE(p.enter(key, "r")); // no such user
    p.claim("a", key, std::nullopt, "s", "t");
    EXPECT_TRUE(p.enter(key, "r"));
    EXPECT_FALSE(p.enter(key, "r"));
    EXPECT_TRUE(p.leave(key, "r"));
    EXPECT_FALSE(p.leave(key, "r"));
    EXPECT_FALSE(p.in_room(key, "r"));
}
