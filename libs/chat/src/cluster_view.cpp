#include <kibitz/chat/cluster_view.hpp>

namespace kibitz::chat {
namespace {

// Epochs are decimal microsecond counts: a longer one is later, else the text order is.
bool later(std::string const& a, std::string const& b) {
    if (a.size() != b.size()) return a.size() > b.size();
    return a > b;
}

bool text_field(json const& v, char const* name, std::string& out) {
    auto it = v.find(name);
    if (it == v.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
}

} // namespace

namespace {

std::uint64_t entry_hash(remote_user const& u) {
    std::uint64_t h = 14695981039346656037ULL;
    for (char c : to_json(u).dump()) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

} // namespace

void user_digest::add(remote_user const& u) {
    ++count;
    sum += entry_hash(u);
}

void user_digest::remove(remote_user const& u) {
    --count;
    sum -= entry_hash(u);
}

std::string user_digest::text() const {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = std::to_string(count) + ":";
    for (int shift = 60; shift >= 0; shift -= 4)
        out += hex[(sum >> shift) & 0xf];
    return out;
}

json to_json(remote_user const& u) {
    json rooms = json::array();
    for (auto const& r : u.rooms)
        rooms.push_back(r);
    return json{{"k", u.key},      {"n", u.name},  {"s", u.sid},
                {"i", u.identity}, {"e", u.epoch}, {"r", std::move(rooms)}};
}

std::optional<remote_user> remote_user_from_json(json const& v) {
    if (!v.is_object()) return std::nullopt;
    remote_user u;
    if (!text_field(v, "k", u.key) || !text_field(v, "n", u.name) || !text_field(v, "s", u.sid) ||
        !text_field(v, "e", u.epoch) || u.key.empty())
        return std::nullopt;
    auto id = v.find("i");
    if (id == v.end() || !id->is_number_integer()) return std::nullopt;
    u.identity = id->get<std::int64_t>();
    auto rooms = v.find("r");
    if (rooms == v.end() || !rooms->is_array()) return std::nullopt;
    for (auto const& r : *rooms) {
        if (!r.is_string()) return std::nullopt;
        u.rooms.insert(r.get<std::string>());
    }
    return u;
}

void cluster_view::add(std::string const& node, remote_user u, changes& out) {
    u.node = node;
    holders_[u.key].insert(node);
    for (auto const& r : u.rooms) {
        if (++rooms_[r][u.key] == 1) out.rooms.insert(r);
    }
    auto& n = nodes_[node];
    if (auto old = n.users.find(u.key); old != n.users.end()) n.digest.remove(old->second);
    n.digest.add(u);
    auto key = u.key;
    n.users.insert_or_assign(std::move(key), std::move(u));
}

void cluster_view::erase(std::string const& node, std::string const& key, changes& out) {
    auto n = nodes_.find(node);
    if (n == nodes_.end()) return;
    auto it = n->second.users.find(key);
    if (it == n->second.users.end()) return;
    for (auto const& r : it->second.rooms) {
        auto room = rooms_.find(r);
        if (room == rooms_.end()) continue;
        auto count = room->second.find(key);
        if (count == room->second.end() || --count->second > 0) continue;
        room->second.erase(count);
        if (room->second.empty()) rooms_.erase(room);
        out.rooms.insert(r);
        out.left.emplace_back(r, it->second.name);
    }
    auto h = holders_.find(key);
    if (h != holders_.end()) {
        h->second.erase(node);
        if (h->second.empty()) holders_.erase(h);
    }
    n->second.digest.remove(it->second);
    n->second.users.erase(it);
}

cluster_view::changes cluster_view::apply_full(std::string const& node,
                                               std::vector<remote_user> users,
                                               util::time_point now) {
    changes out;
    std::set<std::string> listed;
    for (auto const& u : users)
        listed.insert(u.key);
    std::vector<std::string> gone;
    if (auto n = nodes_.find(node); n != nodes_.end())
        for (auto const& [key, u] : n->second.users)
            if (listed.count(key) == 0) gone.push_back(key);
    return apply_delta(node, std::move(users), gone, now);
}

cluster_view::changes cluster_view::apply_delta(std::string const& node,
                                                std::vector<remote_user> users,
                                                std::vector<std::string> const& gone,
                                                util::time_point now) {
    changes out;
    nodes_[node].seen = now;
    for (auto const& key : gone)
        erase(node, key, out);
    for (auto& u : users) {
        // An unchanged entry changes nothing; a changed one is replaced.
        auto const& known = nodes_[node].users;
        if (auto it = known.find(u.key); it != known.end()) {
            u.node = node;
            if (it->second == u) continue;
            changes replaced;
            erase(node, u.key, replaced);
            out.rooms.insert(replaced.rooms.begin(), replaced.rooms.end());
        }
        add(node, std::move(u), out);
    }
    return out;
}

void cluster_view::heard(std::string const& node, util::time_point now) {
    nodes_[node].seen = now;
}

user_digest cluster_view::digest_of(std::string const& node) const {
    auto n = nodes_.find(node);
    return n == nodes_.end() ? user_digest{} : n->second.digest;
}

cluster_view::changes cluster_view::remove(std::string const& node, std::string const& key) {
    changes out;
    erase(node, key, out);
    out.left.clear();
    return out;
}

cluster_view::changes cluster_view::expire(util::time_point now, util::duration ttl) {
    changes out;
    for (auto n = nodes_.begin(); n != nodes_.end();) {
        if (now - n->second.seen < ttl) {
            ++n;
            continue;
        }
        std::vector<std::string> keys;
        for (auto const& [key, u] : n->second.users)
            keys.push_back(key);
        for (auto const& key : keys)
            erase(n->first, key, out);
        n = nodes_.erase(n);
    }
    return out;
}

remote_user const* cluster_view::find(std::string const& key) const {
    auto h = holders_.find(key);
    if (h == holders_.end()) return nullptr;
    remote_user const* best = nullptr;
    for (auto const& node : h->second) {
        auto const& users = nodes_.at(node).users;
        auto it = users.find(key);
        if (it == users.end()) continue;
        if (!best || later(it->second.epoch, best->epoch)) best = &it->second;
    }
    return best;
}

remote_user const* cluster_view::in_room(std::string const& key, std::string const& room) const {
    auto const* u = find(key);
    return u && u->rooms.count(room) > 0 ? u : nullptr;
}

std::map<std::string, std::string> cluster_view::members(std::string const& room) const {
    std::map<std::string, std::string> out;
    auto r = rooms_.find(room);
    if (r == rooms_.end()) return out;
    for (auto const& [key, count] : r->second)
        if (auto const* u = in_room(key, room)) out.emplace(key, u->name);
    return out;
}

std::size_t cluster_view::user_count() const {
    return holders_.size();
}

} // namespace kibitz::chat
