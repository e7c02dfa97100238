#include <kibitz/chess_app/cluster_state.hpp>

namespace kibitz::chess_app {

json cluster_state::bounded(json const& lobby) const {
    json out = json::array();
    if (!lobby.is_array()) return out;
    for (auto const& e : lobby) {
        if (out.size() >= max_lobby_) break;
        if (e.is_object()) out.push_back(e);
    }
    return out;
}

void cluster_state::touch(std::string const& node, std::int64_t now) {
    auto& p = peers_[node];
    p.last_ms = std::max(p.last_ms, now);
}

std::vector<std::string> cluster_state::heard(std::string const& node, std::int64_t now,
                                              json const& lobby, std::set<std::string> const& conns,
                                              bool& lobby_changed) {
    lobby_changed = lobby_of(node, now, lobby);
    std::vector<std::string> gone;
    for (auto it = remote_.begin(); it != remote_.end();) {
        if (it->second.node == node && conns.count(it->first) == 0) {
            gone.push_back(it->first);
            it = remote_.erase(it);
        } else {
            ++it;
        }
    }
    return gone;
}

bool cluster_state::lobby_of(std::string const& node, std::int64_t now, json const& lobby) {
    touch(node, now);
    json b = bounded(lobby);
    auto& p = peers_[node];
    if (p.lobby == b) return false;
    p.lobby = std::move(b);
    return true;
}

std::vector<std::string> cluster_state::expire(std::int64_t now, bool& lobby_changed) {
    lobby_changed = false;
    std::vector<std::string> gone;
    for (auto it = peers_.begin(); it != peers_.end();) {
        if (now - it->second.last_ms < ttl_ms_) {
            ++it;
            continue;
        }
        if (!it->second.lobby.empty()) lobby_changed = true;
        for (auto c = remote_.begin(); c != remote_.end();) {
            if (c->second.node == it->first) {
                gone.push_back(c->first);
                c = remote_.erase(c);
            } else {
                ++c;
            }
        }
        it = peers_.erase(it);
    }
    return gone;
}

std::optional<std::int64_t> cluster_state::next_expiry() const {
    std::optional<std::int64_t> next;
    for (auto const& [node, p] : peers_)
        if (!next || p.last_ms + ttl_ms_ < *next) next = p.last_ms + ttl_ms_;
    return next;
}

void cluster_state::seen_conn(std::string const& conn, remote_conn info, std::int64_t now) {
    touch(info.node, now);
    remote_[conn] = std::move(info);
}

remote_conn const* cluster_state::conn(std::string const& conn) const {
    auto it = remote_.find(conn);
    return it == remote_.end() ? nullptr : &it->second;
}

bool cluster_state::forget_conn(std::string const& conn) {
    return remote_.erase(conn) != 0;
}

void cluster_state::forwarded(std::string const& conn, std::string const& node) {
    forwarded_[conn].insert(node);
}

std::set<std::string> cluster_state::take_forwarded(std::string const& conn) {
    auto it = forwarded_.find(conn);
    if (it == forwarded_.end()) return {};
    auto nodes = std::move(it->second);
    forwarded_.erase(it);
    return nodes;
}

std::set<std::string> cluster_state::forwarding_conns() const {
    std::set<std::string> out;
    for (auto const& [conn, nodes] : forwarded_)
        out.insert(conn);
    return out;
}

void cluster_state::joined(std::string const& conn, std::string const& game, local_join how) {
    auto& games = joins_[conn];
    std::erase_if(games, [&game](auto const& e) { return e.first == game; });
    if (games.size() >= max_joins_) games.erase(games.begin());
    games.emplace_back(game, std::move(how));
}

std::vector<std::pair<std::string, local_join>>
cluster_state::joins_of(std::string const& game) const {
    std::vector<std::pair<std::string, local_join>> out;
    for (auto const& [conn, games] : joins_)
        for (auto const& [id, how] : games)
            if (id == game) out.emplace_back(conn, how);
    return out;
}

json cluster_state::lobby(json const& own) const {
    json out = own.is_array() ? own : json::array();
    for (auto const& [node, p] : peers_)
        for (auto const& e : p.lobby)
            out.push_back(e);
    return out;
}

} // namespace kibitz::chess_app
