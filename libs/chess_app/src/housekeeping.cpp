// The service's batches (begin, commit, rollback), presence going away, the timer's work (flag
// falls, claims, expiry of waiting games, idle games leaving memory) and the memory caps.
#include <kibitz/chess_app/service.hpp>
#include <kibitz/chess_app/wire.hpp>

#include <algorithm>

namespace kibitz::chess_app {

namespace {

using chess::color;

std::size_t idx(color c) {
    return static_cast<std::size_t>(c);
}

} // namespace

void service::begin() {
    undo_ = {};
    undo_.open = true;
    undo_.lobby_sent = lobby_sent_;
    undo_.seq = seq_;
    undo_.moves_played = moves_played_;
}

void service::commit() {
    undo_ = {};
}

void service::rollback() {
    for (auto& [id, before] : undo_.games) {
        if (before)
            games_.insert_or_assign(id, std::move(*before));
        else
            games_.erase(id);
    }
    for (auto& [conn, before] : undo_.conns) {
        if (before)
            conn_games_.insert_or_assign(conn, std::move(*before));
        else
            conn_games_.erase(conn);
    }
    lobby_sent_ = std::move(undo_.lobby_sent);
    seq_ = undo_.seq;
    moves_played_ = undo_.moves_played;
    undo_ = {};
}

void service::save_undo(live_game const& g) {
    if (undo_.open) undo_.games.try_emplace(g.id, g);
}

void service::save_undo(conn_id const& conn) {
    if (!undo_.open || undo_.conns.count(conn) != 0) return;
    auto it = conn_games_.find(conn);
    if (it == conn_games_.end())
        undo_.conns.emplace(conn, std::nullopt);
    else
        undo_.conns.emplace(conn, it->second);
}

void service::disconnect(conn_id const& conn, std::int64_t now, effects& fx) {
    auto it = conn_games_.find(conn);
    if (it == conn_games_.end()) return;
    save_undo(conn);
    for (auto const& id : it->second) {
        live_game* g = find(id);
        if (!g) continue;
        bool changed = g->spectators.erase(conn) != 0;
        for (auto& s : g->seats) {
            if (s.conns.erase(conn) == 0 || !s.conns.empty()) continue;
            s.gone_since_ms = now;
            changed = true;
        }
        g->last_seen_ms = std::max(g->last_seen_ms, now);
        if (changed) touch(*g, now, fx);
    }
    conn_games_.erase(conn);
    refresh_lobby(fx);
}

std::optional<std::int64_t> service::expiry(live_game const& g) const {
    if (status(g) == wire::waiting) {
        if (connected(g, g.creator) || opts_.waiting_grace_ms <= 0) return std::nullopt;
        return g.seats[idx(g.creator)].gone_since_ms + opts_.waiting_grace_ms;
    }
    if (attached(g) || opts_.idle_ms <= 0) return std::nullopt;
    return g.last_seen_ms + opts_.idle_ms;
}

void service::tick(std::int64_t now, effects& fx) {
    std::vector<std::string> expired, idle;
    for (auto& [id, g] : games_) {
        if (auto e = expiry(g); e && *e <= now) {
            (status(g) == wire::waiting ? expired : idle).push_back(id);
            continue;
        }
        if (g.board.over()) continue;
        bool const due = g.clock && g.clock->flagged(now);
        if (!due && claimable(g, now) == g.claimable_sent) continue;
        live_game& m = *find(id);
        flag_if_due(m, now);
        touch(m, now, fx);
    }
    // A waiting game whose creator left is gone for good; an idle one stays in the store,
    // ended if it was still being played.
    for (auto const& id : expired) {
        drop(id);
        fx.deleted.push_back(id);
    }
    for (auto const& id : idle) {
        live_game& g = *find(id);
        if (started(g) && !g.board.over()) {
            if (!flag_if_due(g, now)) end_deserted(g, now);
            touch(g, now, fx);
        }
        drop(id);
    }
    if (!expired.empty()) refresh_lobby(fx);
}

std::optional<std::int64_t> service::next_wakeup() const {
    std::optional<std::int64_t> next;
    auto consider = [&next](std::int64_t t) {
        if (!next || t < *next) next = t;
    };
    for (auto const& [id, g] : games_) {
        if (auto e = expiry(g)) consider(*e);
        if (g.board.over()) continue;
        if (g.clock)
            if (auto t = g.clock->flag_time()) consider(*t);
        if (!started(g)) continue;
        for (color c : {color::white, color::black})
            if (connected(g, c) && !connected(g, ~c) && g.claimable_sent != c)
                consider(g.seats[idx(~c)].gone_since_ms + opts_.claim_grace_ms);
    }
    return next;
}

// A game both players left, and nobody watches, for idle_ms: the clock decides if it has run out;
// else before both sides have moved it is aborted, and after that the player who left first has
// abandoned it (PROTOCOL.md `claim`: in favour of the one who stayed). Left at the same instant,
// the side to move has abandoned it.
void service::end_deserted(live_game& g, std::int64_t now) {
    if (g.board.ply() < 2) return finish(g, {"", wire::aborted}, now);
    std::int64_t const white_gone = g.seats[idx(color::white)].gone_since_ms;
    std::int64_t const black_gone = g.seats[idx(color::black)].gone_since_ms;
    color const left_first = white_gone < black_gone   ? color::white
                             : black_gone < white_gone ? color::black
                                                       : g.board.current().side_to_move();
    finish(g, {chess::win_for(~left_first), wire::abandoned}, now);
}

bool service::attached(live_game const& g) const {
    return !g.spectators.empty() || connected(g, color::white) || connected(g, color::black);
}

bool service::make_room() {
    if (opts_.max_games == 0 || games_.size() < opts_.max_games) return true;
    // The game nobody is in that has been idle longest: it is in the store already.
    live_game const* oldest = nullptr;
    for (auto const& [id, g] : games_)
        if (!attached(g) && (!oldest || g.last_seen_ms < oldest->last_seen_ms)) oldest = &g;
    if (!oldest) return false;
    drop(std::string(oldest->id));
    return true;
}

bool service::expire_one_waiting(effects& fx) {
    live_game const* oldest = nullptr;
    for (auto const& [id, g] : games_) {
        if (status(g) != wire::waiting || connected(g, g.creator)) continue;
        if (!oldest || g.seats[idx(g.creator)].gone_since_ms <
                           oldest->seats[idx(oldest->creator)].gone_since_ms)
            oldest = &g;
    }
    if (!oldest) return false;
    std::string const id = oldest->id;
    drop(id);
    fx.deleted.push_back(id);
    return true;
}

std::vector<std::string> service::ids() const {
    std::vector<std::string> out;
    out.reserve(games_.size());
    for (auto const& [id, g] : games_)
        out.push_back(id);
    return out;
}

void service::drop(std::string const& id) {
    live_game* g = find(id);
    if (!g) return;
    for (auto const& s : g->seats)
        for (auto const& conn : s.conns) {
            save_undo(conn);
            conn_games_[conn].erase(id);
        }
    for (auto const& conn : g->spectators) {
        save_undo(conn);
        conn_games_[conn].erase(id);
    }
    games_.erase(id);
}

bool service::conn_full(conn_id const& conn) const {
    auto it = conn_games_.find(conn);
    return opts_.max_games_per_conn != 0 && it != conn_games_.end() &&
           it->second.size() >= opts_.max_games_per_conn;
}

std::optional<json> service::attach_refusal(live_game const& g, conn_id const& conn,
                                            bool spectator) const {
    auto it = conn_games_.find(conn);
    if (it != conn_games_.end() && it->second.count(g.id) != 0) return std::nullopt;
    if (conn_full(conn))
        return error_ack(wire::too_many_games, "this connection is in too many games");
    if (spectator && opts_.max_spectators != 0 && g.spectators.size() >= opts_.max_spectators)
        return error_ack(wire::too_many_spectators, "this game has as many spectators as it can");
    return std::nullopt;
}

} // namespace kibitz::chess_app
