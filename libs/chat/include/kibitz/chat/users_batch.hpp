#pragma once

#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kibitz::chat {

// When `users` lists go out (PROTOCOL.md "Additions": presence in large rooms).
struct users_batch_options {
    // A room with at least this many people gets at most one list per `interval`; smaller
    // rooms get one per loop turn (0: every room, once per turn).
    std::size_t large_room = 100;
    util::duration interval{1000};
};

// Coalesces `users` lists: the rooms whose membership changed since the last flush. Many joins,
// leaves and disconnects in one loop turn make one `users` per room, sent once the turn is over
// and reflecting all of them. A large room's list (its size times its members is what one list
// costs) goes out at most once per interval: a change within the interval of its last list waits
// for the interval's end, and every change made meanwhile is in that one list. Pure state with
// time as an input; one owner thread.
class users_batch {
public:
    explicit users_batch(users_batch_options opts = {}) : opts_(opts) {}

    // Marks `room` as changed. True when the caller must schedule a flush at the end of this
    // turn (nothing was marked for this turn yet); a room already waiting for its interval
    // stays waiting (its list reflects this change too).
    bool mark(std::string const& room);

    struct due {
        std::vector<std::string> rooms;       // to send now, sorted
        std::optional<util::time_point> next; // when take() has more to send, if it has
    };
    // The rooms to send at `now`: those marked for this turn that may go out, and the waiting
    // ones whose interval has passed. `members` gives a room's head count. A room that must
    // wait leaves the turn's batch and waits; `next` is the earliest time one is due.
    due take(util::time_point now, std::function<std::size_t(std::string const&)> const& members);

    // Nothing marked and nothing waiting.
    bool empty() const { return rooms_.empty() && waiting_.empty(); }
    // Rooms whose last list is remembered (large rooms, for one interval at most).
    std::size_t remembered() const { return sent_.size(); }

private:
    users_batch_options opts_;
    std::set<std::string> rooms_;                     // marked in this turn
    std::map<std::string, util::time_point> waiting_; // large room -> when it may go out
    std::map<std::string, util::time_point> sent_;    // large room -> when its last list went out
};

} // namespace kibitz::chat
