#include <kibitz/chat/presence.hpp>

namespace kibitz::chat {

presence::claim_result presence::claim(std::string const& name, std::string const& key,
                                       std::optional<std::string> const& token,
                                       std::string const& sid, std::string const& new_token) {
    auto it = users_.find(key);
    if (it == users_.end()) {
        users_.emplace(key, user{name, key, new_token, sid, {}});
        sockets_[sid] = key;
        return {claim_status::created, {}};
    }
    if (!token || *token != it->second.token) return {claim_status::name_taken, {}};
    // The holder's token: the new socket takes the name over, with its rooms.
    std::string previous = std::move(it->second.sid);
    sockets_.erase(previous);
    it->second.sid = sid;
    sockets_[sid] = key;
    return {claim_status::taken_over, std::move(previous)};
}

std::optional<presence::user> presence::release(std::string const& sid) {
    auto s = sockets_.find(sid);
    if (s == sockets_.end()) return std::nullopt;
    auto it = users_.find(s->second);
    sockets_.erase(s);
    if (it == users_.end()) return std::nullopt;
    user gone = std::move(it->second);
    users_.erase(it);
    for (auto const& room : gone.rooms) {
        auto r = rooms_.find(room);
        if (r == rooms_.end()) continue;
        r->second.erase(gone.key);
        if (r->second.empty()) rooms_.erase(r);
    }
    return gone;
}

presence::user const* presence::find(std::string const& key) const {
    auto it = users_.find(key);
    return it == users_.end() ? nullptr : &it->second;
}

presence::user const* presence::by_socket(std::string const& sid) const {
    auto s = sockets_.find(sid);
    return s == sockets_.end() ? nullptr : find(s->second);
}

bool presence::enter(std::string const& key, std::string const& room) {
    auto it = users_.find(key);
    if (it == users_.end() || !it->second.rooms.insert(room).second) return false;
    rooms_[room].insert(key);
    return true;
}

bool presence::leave(std::string const& key, std::string const& room) {
    auto it = users_.find(key);
    if (it == users_.end() || it->second.rooms.erase(room) == 0) return false;
    auto r = rooms_.find(room);
    if (r != rooms_.end()) {
        r->second.erase(key);
        if (r->second.empty()) rooms_.erase(r);
    }
    return true;
}

bool presence::in_room(std::string const& key, std::string const& room) const {
    auto it = users_.find(key);
    return it != users_.end() && it->second.rooms.count(room) > 0;
}

std::vector<std::string> presence::names(std::string const& room) const {
    std::vector<std::string> out;
    auto r = rooms_.find(room);
    if (r == rooms_.end()) return out;
    // Keys are case-folded and kept in a std::set, so this order is case-insensitive.
    for (auto const& key : r->second)
        out.push_back(users_.at(key).name);
    return out;
}

} // namespace kibitz::chat
