#include <kibitz/chat/users_batch.hpp>

#include <gtest/gtest.h>

using namespace kibitz::chat;

TEST(users_batch, many_changes_in_one_turn_make_one_list_per_room) {
    users_batch b;
    EXPECT_TRUE(b.mark("lobby")); // the first mark schedules the flush
    for (int i = 0; i < 100; ++i) {
        EXPECT_FALSE(b.mark("lobby"));
        EXPECT_FALSE(b.mark("game:x"));
    }
    EXPECT_EQ(b.take(), (std::vector<std::string>{"game:x", "lobby"}));
    EXPECT_TRUE(b.empty());
    EXPECT_TRUE(b.take().empty());
}

TEST(users_batch, a_change_after_a_flush_schedules_the_next_one) {
    users_batch b;
    EXPECT_TRUE(b.mark("a"));
    EXPECT_EQ(b.take(), (std::vector<std::string>{"a"}));
    EXPECT_TRUE(b.mark("a"));
    EXPECT_FALSE(b.empty());
}
