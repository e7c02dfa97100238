#include <kibitz/chat/presence.hpp>
#include <kibitz/names/names.hpp>
#include <kibitz/util/sha256.hpp>

namespace kibitz::chat {

presence::claim_result presence::claim(std::string const& name, std::string const& key,
                                       std::optional<std::string> const& token,
                                       std::string const& sid, std::string const& new_token) {
    auto it = users_.find(key);
    if (it == users_.end()) {
        auto sks = names::skeletons(name);
        for (auto const& sk : sks)
            if (skeletons_.count(sk) > 0) return {claim_status::confusable, {}};
        for (auto const& sk : sks)
            skeletons_.emplace(sk, key);
        users_.emplace(key, user{name, key, std::move(sks), new_token, {}, token, 0, sid, {}});
        sockets_[sid] = key;
        return {claim_status::created, {}};
    }
    // A pending name has no proven token yet: nobody can take it over.
    auto& held = it->second;
    if (held.identity == 0 || !token ||
        !util::constant_time_equal(util::sha256_hex(*token), held.token_hash))
        return {claim_status::name_taken, {}};
    // The holder's token: the new socket takes the name over, with its rooms.
    std::string previous = std::move(held.sid);
    sockets_.erase(previous);
    held.sid = sid;
    sockets_[sid] = key;
    return {claim_status::taken_over, std::move(previous)};
}

void presence::confirm(std::string const& key, std::int64_t identity, std::string const& token) {
    auto it = users_.find(key);
    if (it == users_.end() || it->second.identity != 0) return;
    it->second.identity = identity;
    it->second.token = token;
    it->second.token_hash = util::sha256_hex(token);
    it->second.offered_token.reset();
}

std::optional<presence::user> presence::release(std::string const& sid) {
    auto s = sockets_.find(sid);
    if (s == sockets_.end()) return std::nullopt;
    auto it = users_.find(s->second);
    sockets_.erase(s);
    if (it == users_.end()) return std::nullopt;
    user gone = std::move(it->second);
    users_.erase(it);
    for (auto const& sk : gone.skeletons)
        skeletons_.erase(sk);
    for (auto const& room : gone.rooms)
        remove_from_room(gone.key, room);
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

bool presence::enter(std::string const& key, std::string const& room, std::string const& address) {
    auto it = users_.find(key);
    if (it == users_.end() || !it->second.rooms.insert(room).second) return false;
    auto [r, opened] = rooms_.try_emplace(room);
    if (opened) {
        r->second.opened_from = address;
        ++opened_from_[address];
    }
    r->second.keys.insert(key);
    return true;
}

bool presence::leave(std::string const& key, std::string const& room) {
    auto it = users_.find(key);
    if (it == users_.end() || it->second.rooms.erase(room) == 0) return false;
    remove_from_room(key, room);
    return true;
}

void presence::remove_from_room(std::string const& key, std::string const& room) {
    auto r = rooms_.find(room);
    if (r == rooms_.end()) return;
    r->second.keys.erase(key);
    if (!r->second.keys.empty()) return;
    auto count = opened_from_.find(r->second.opened_from);
    if (count != opened_from_.end() && --count->second == 0) opened_from_.erase(count);
    rooms_.erase(r);
}

std::vector<presence::user const*> presence::all() const {
    std::vector<user const*> out;
    out.reserve(users_.size());
    for (auto const& [key, u] : users_)
        out.push_back(&u);
    return out;
}

std::vector<std::int64_t> presence::identities() const {
    std::vector<std::int64_t> out;
    out.reserve(users_.size());
    for (auto const& [key, u] : users_)
        if (u.identity != 0) out.push_back(u.identity);
    return out;
}

std::size_t presence::rooms_opened_from(std::string const& address) const {
    auto it = opened_from_.find(address);
    return it == opened_from_.end() ? 0 : it->second;
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
    for (auto const& key : r->second.keys)
        out.push_back(users_.at(key).name);
    return out;
}

} // namespace kibitz::chat
