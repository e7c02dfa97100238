#include <kibitz/chat/users_batch.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <map>

using namespace kibitz::chat;

namespace {
std::size_t one(std::string const&) {
    return 1;
}
} // namespace

TEST(users_batch, many_changes_in_one_turn_make_one_list_per_room) {
    users_batch b;
    EXPECT_TRUE(b.mark("lobby")); // the first mark schedules the flush
    for (int i = 0; i < 100; ++i) {
        EXPECT_FALSE(b.mark("lobby"));
        EXPECT_FALSE(b.mark("game:x"));
    }
    EXPECT_EQ(b.take({}, one).rooms, (std::vector<std::string>{"game:x", "lobby"}));
    EXPECT_TRUE(b.empty());
    EXPECT_TRUE(b.take({}, one).rooms.empty());
}

TEST(users_batch, a_change_after_a_flush_schedules_the_next_one) {
    users_batch b;
    EXPECT_TRUE(b.mark("a"));
    EXPECT_EQ(b.take({}, one).rooms, (std::vector<std::string>{"a"}));
    EXPECT_TRUE(b.mark("a"));
    EXPECT_FALSE(b.empty());
}

namespace {

using kibitz::util::duration;
using kibitz::util::time_point;

time_point at(int ms) {
    return time_point{} + duration{ms};
}

// Head counts per room, as the chat's presence would give them.
struct heads {
    std::map<std::string, std::size_t> n;
    std::function<std::size_t(std::string const&)> fn() {
        return [this](std::string const& r) { return n[r]; };
    }
};

} // namespace

TEST(users_batch, small_rooms_go_out_every_turn) {
    users_batch b({.large_room = 3, .interval = duration{1000}});
    heads h{{{"small", 2}}};
    for (int turn = 0; turn < 5; ++turn) {
        EXPECT_TRUE(b.mark("small"));
        auto due = b.take(at(turn), h.fn());
        EXPECT_EQ(due.rooms, (std::vector<std::string>{"small"}));
        EXPECT_FALSE(due.next);
    }
    EXPECT_EQ(b.remembered(), 0u);
}

TEST(users_batch, a_large_room_gets_one_list_per_interval_with_every_change_in_it) {
    users_batch b({.large_room = 3, .interval = duration{1000}});
    heads h{{{"big", 5}, {"small", 1}}};
    EXPECT_TRUE(b.mark("big"));
    EXPECT_EQ(b.take(at(0), h.fn()).rooms, (std::vector<std::string>{"big"}));
    // Changes within the interval wait for its end; a small room's change is not held back.
    EXPECT_TRUE(b.mark("big"));
    EXPECT_FALSE(b.mark("small"));
    auto due = b.take(at(10), h.fn());
    EXPECT_EQ(due.rooms, (std::vector<std::string>{"small"}));
    ASSERT_TRUE(due.next);
    EXPECT_EQ(*due.next, at(1000));
    // More changes while it waits schedule nothing more.
    EXPECT_FALSE(b.mark("big"));
    EXPECT_FALSE(b.mark("big"));
    auto early = b.take(at(999), h.fn());
    EXPECT_TRUE(early.rooms.empty());
    EXPECT_EQ(early.next, at(1000));
    auto late = b.take(at(1000), h.fn());
    EXPECT_EQ(late.rooms, (std::vector<std::string>{"big"}));
    EXPECT_FALSE(late.next);
    EXPECT_TRUE(b.empty());
    // The next change within an interval of that list waits again, to 2000.
    EXPECT_TRUE(b.mark("big"));
    EXPECT_EQ(b.take(at(1500), h.fn()).next, at(2000));
}

TEST(users_batch, a_quiet_large_room_goes_out_at_once_and_is_forgotten) {
    users_batch b({.large_room = 3, .interval = duration{1000}});
    heads h{{{"big", 5}}};
    b.mark("big");
    EXPECT_EQ(b.take(at(0), h.fn()).rooms.size(), 1u);
    EXPECT_EQ(b.remembered(), 1u);
    b.mark("big");
    auto due = b.take(at(1000), h.fn());
    EXPECT_EQ(due.rooms, (std::vector<std::string>{"big"}));
    EXPECT_FALSE(due.next);
    // An interval after its last list nothing is kept of it.
    b.take(at(2000), h.fn());
    EXPECT_EQ(b.remembered(), 0u);
}

TEST(users_batch, zero_large_room_turns_the_interval_off) {
    users_batch b({.large_room = 0, .interval = duration{1000}});
    heads h{{{"big", 10000}}};
    for (int turn = 0; turn < 3; ++turn) {
        EXPECT_TRUE(b.mark("big"));
        EXPECT_EQ(b.take(at(turn), h.fn()).rooms.size(), 1u);
    }
}
