#include <kibitz/chat/users_batch.hpp>

#include <algorithm>

namespace kibitz::chat {

bool users_batch::mark(std::string const& room) {
    if (waiting_.count(room) != 0) return false;
    bool const first = rooms_.empty();
    rooms_.insert(room);
    return first;
}

users_batch::due users_batch::take(util::time_point now,
                                   std::function<std::size_t(std::string const&)> const& members) {
    due out;
    // Lists older than an interval no longer hold anything back.
    std::erase_if(sent_, [&](auto const& e) { return now - e.second >= opts_.interval; });
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        if (it->second > now) {
            ++it;
            continue;
        }
        out.rooms.push_back(it->first);
        sent_[it->first] = now;
        it = waiting_.erase(it);
    }
    for (auto const& room : rooms_) {
        if (opts_.large_room == 0 || members(room) < opts_.large_room) {
            out.rooms.push_back(room);
            continue;
        }
        if (auto last = sent_.find(room); last != sent_.end()) {
            waiting_.emplace(room, last->second + opts_.interval);
            continue;
        }
        out.rooms.push_back(room);
        sent_[room] = now;
    }
    rooms_.clear();
    std::sort(out.rooms.begin(), out.rooms.end());
    for (auto const& [room, at] : waiting_)
        if (!out.next || at < *out.next) out.next = at;
    return out;
}

} // namespace kibitz::chat
