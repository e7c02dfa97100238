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
    p.confirm(key, 7, "t1");
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

TEST(presence, a_pending_name_cannot_be_taken_over_and_confirm_sets_the_identity) {
    presence p;
    auto key = name_key("ann");
    // The joiner offers an old token; until the store answers, nobody proves anything.
    p.claim("ann", key, std::string("old"), "s1", "fresh");
    EXPECT_EQ(p.find(key)->identity, 0);
    EXPECT_EQ(p.claim("ann", key, std::string("old"), "s2", "x").status, status::name_taken);
    EXPECT_EQ(p.claim("ann", key, std::string("fresh"), "s2", "x").status, status::name_taken);
    // The store found the identity of the offered token: that token is now the proof.
    p.confirm(key, 42, "old");
    EXPECT_EQ(p.find(key)->identity, 42);
    EXPECT_EQ(p.find(key)->token, "old");
    EXPECT_FALSE(p.find(key)->offered_token);
    EXPECT_EQ(p.find(key)->token_hash.size(), 64U); // SHA-256 hex, not the token
    EXPECT_EQ(p.claim("ann", key, std::string("fresh"), "s2", "x").status, status::name_taken);
    EXPECT_EQ(p.claim("ann", key, std::string("old"), "s2", "x").status, status::taken_over);
    // A second confirm changes nothing.
    p.confirm(key, 99, "other");
    EXPECT_EQ(p.find(key)->identity, 42);
}

TEST(presence, a_look_alike_of_a_present_name_is_refused_until_that_name_leaves) {
    presence p;
    p.claim("paypal", name_key("paypal"), std::nullopt, "s1", "t");
    // Cyrillic а; capital I for l; full-width letters.
    for (auto look_alike : {"p\u0430ypal", "paypaI", "PAYPAI"})
        EXPECT_EQ(p.claim(look_alike, name_key(look_alike), std::nullopt, "s2", "t").status,
                  status::confusable)
            << look_alike;
    EXPECT_FALSE(p.by_socket("s2"));
    EXPECT_EQ(p.claim("paypa", name_key("paypa"), std::nullopt, "s3", "t").status, status::created);
    p.release("s1");
    EXPECT_EQ(p.claim("p\u0430ypal", name_key("p\u0430ypal"), std::nullopt, "s2", "t").status,
              status::created);
}

TEST(presence, a_room_counts_against_the_address_that_opened_it_until_it_is_empty) {
    presence p;
    p.claim("a", name_key("a"), std::nullopt, "s1", "t1");
    p.claim("b", name_key("b"), std::nullopt, "s2", "t2");
    EXPECT_TRUE(p.enter(name_key("a"), "r1", "10.0.0.1"));
    EXPECT_TRUE(p.enter(name_key("b"), "r1", "10.0.0.2")); // r1 stays 10.0.0.1's
    EXPECT_TRUE(p.enter(name_key("b"), "r2", "10.0.0.2"));
    EXPECT_EQ(p.rooms_opened_from("10.0.0.1"), 1U);
    EXPECT_EQ(p.rooms_opened_from("10.0.0.2"), 1U);
    EXPECT_TRUE(p.leave(name_key("a"), "r1"));
    EXPECT_EQ(p.rooms_opened_from("10.0.0.1"), 1U) << "b is still in r1";
    p.release("s2"); // b leaves r1 and r2 with its name
    EXPECT_EQ(p.rooms_opened_from("10.0.0.1"), 0U);
    EXPECT_EQ(p.rooms_opened_from("10.0.0.2"), 0U);
    EXPECT_EQ(p.room_count(), 0U);
}
