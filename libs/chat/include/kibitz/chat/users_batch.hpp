#pragma once

#include <set>
#include <string>
#include <vector>

namespace kibitz::chat {

// Coalesces `users` lists: the rooms whose membership changed since the last flush. Many joins,
// leaves and disconnects in one loop turn make one `users` per room, sent once the turn is over
// and reflecting all of them. Pure state; one owner thread.
class users_batch {
public:
    // Marks `room` as changed. True when the batch was empty (the caller schedules one flush).
    bool mark(std::string const& room);

    // The rooms marked since the last take(), sorted, and an empty batch.
    std::vector<std::string> take();

    bool empty() const { return rooms_.empty(); }

private:
    std::set<std::string> rooms_;
};

} // namespace kibitz::chat
