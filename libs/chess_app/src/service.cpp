#include <kibitz/chess_app/service.hpp>
#include <kibitz/chess_app/wire.hpp>
#include <kibitz/util/random.hpp>
#include <kibitz/util/sha256.hpp>

#include <algorithm>

namespace kibitz::chess_app {

namespace {

using chess::color;

std::size_t idx(color c) {
    return static_cast<std::size_t>(c);
}

json error(std::string_view code, std::string_view message) {
    return error_ack(code, message);
}

json no_game() {
    return error(wire::not_found, "no such game");
}
json not_player() {
    return error(wire::not_a_player, "you hold no seat in this game");
}
json over_already() {
    return error(wire::game_over, "the game is over");
}
json too_many(std::string_view what) {
    return error(wire::too_many_games, what);
}

// 16 characters of a-z 0-9 (82 random bits): a valid /chat room as `game:<id>`.
std::string lower_case_id() {
    constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string id;
    while (id.size() < 16)
        for (unsigned char b : util::random_bytes(24))
            if (b < 252 && id.size() < 16) id += alphabet[b % 36]; // 252 = 7 * 36: no bias
    return id;
}

} // namespace

std::string hash_token(std::string_view token) {
    return util::sha256_hex(token);
}

service::service(service_options opts) : opts_(std::move(opts)) {
    if (!opts_.new_game_id) opts_.new_game_id = lower_case_id;
    if (!opts_.new_token) opts_.new_token = [] { return util::random_id(128); };
    if (!opts_.coin) opts_.coin = [] { return (util::random_bytes(1)[0] & 1) != 0; };
    if (!opts_.unix_ms_at) opts_.unix_ms_at = [](std::int64_t t) { return t; };
}

json service::handle(conn_id const& conn, client_message const& msg, std::int64_t now,
                     effects& fx) {
    return std::visit(
        [&](auto const& r) -> json {
            using T = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<T, create_request>)
                return on_create(conn, r, now, fx);
            else if constexpr (std::is_same_v<T, join_request>)
                return on_join(conn, r, now, fx);
            else if constexpr (std::is_same_v<T, move_request>)
                return on_move(conn, r, now, fx);
            else if constexpr (std::is_same_v<T, resign_request>)
                return on_resign(conn, r, now, fx);
            else if constexpr (std::is_same_v<T, draw_request>)
                return on_draw(conn, r, now, fx);
            else if constexpr (std::is_same_v<T, abort_request>)
                return on_abort(conn, r, now, fx);
            else if constexpr (std::is_same_v<T, claim_request>)
                return on_claim(conn, r, now, fx);
            else if constexpr (std::is_same_v<T, rematch_request>)
                return on_rematch(conn, r, now, fx);
            else if constexpr (std::is_same_v<T, takeback_request>)
                return on_takeback(conn, r, now, fx);
            else
                return on_pgn(r);
        },
        msg);
}

service::live_game& service::make_game(std::string creator_color, color creator, std::int64_t now,
                                       std::optional<clock_spec> clock) {
    std::string id = opts_.new_game_id();
    while (games_.count(id) != 0)
        id = opts_.new_game_id();
    if (undo_.open) undo_.games.emplace(id, std::nullopt);
    live_game& g = games_[id];
    g.id = id;
    g.seq = ++seq_;
    g.last_seen_ms = now;
    g.created_at = opts_.unix_ms_at(now);
    g.creator_color = std::move(creator_color);
    g.creator = creator;
    g.last_move_ms = now;
    if (clock) g.clock.emplace(clock->initial_ms, clock->increment_ms, color::white);
    for (auto& s : g.seats)
        s.gone_since_ms = now;
    return g;
}

std::size_t service::open_from(std::string const& address) const {
    std::size_t n = 0;
    for (auto const& [id, g] : games_) {
        if (status(g) != wire::waiting) continue;
        auto const& conns = g.seats[idx(g.creator)].conns;
        if (std::any_of(conns.begin(), conns.end(),
                        [&](conn_id const& c) { return opts_.address_of(c) == address; }))
            ++n;
    }
    return n;
}

json service::on_create(conn_id const& conn, create_request const& r, std::int64_t now,
                        effects& fx) {
    color c = r.color == wire::white   ? color::white
              : r.color == wire::black ? color::black
              : opts_.coin()           ? color::white
                                       : color::black;
    if (conn_full(conn)) return too_many("this connection is in too many games");
    std::size_t open_total = 0, own = 0;
    for (auto const& [id, g] : games_) {
        if (status(g) != wire::waiting) continue;
        ++open_total;
        if (g.seats[idx(g.creator)].conns.count(conn) != 0) ++own;
    }
    if (opts_.max_open_per_creator != 0 && own >= opts_.max_open_per_creator)
        return too_many("you have too many games waiting for an opponent");
    if (opts_.max_open_per_address != 0 && opts_.address_of &&
        open_from(opts_.address_of(conn)) >= opts_.max_open_per_address)
        return too_many("too many games from your address are waiting for an opponent");
    // When full, a waiting game whose creator left (not listed) makes room before its time.
    bool const full = opts_.max_open_games != 0 && open_total >= opts_.max_open_games;
    if ((full && !expire_one_waiting(fx)) || !make_room())
        return too_many("too many games are open on this server");
    live_game& g = make_game(r.color, c, now, r.clock);
    seat& s = g.seats[idx(c)];
    s.name = r.name;
    s.token = opts_.new_token();
    s.token_hash = hash_token(s.token);
    attach(g, conn, c, fx);
    touch(g, now, fx);
    refresh_lobby(fx);
    return game_ack(g, now, {{"seat", color_name(c)}, {"token", s.token}});
}

json service::on_join(conn_id const& conn, join_request const& r, std::int64_t now, effects& fx) {
    live_game* g = find(r.game);
    if (!g) return no_game();
    // A seat's token takes the seat back from any connection.
    std::string const presented = r.token ? hash_token(*r.token) : std::string();
    for (color c : {color::white, color::black}) {
        seat& s = g->seats[idx(c)];
        if (!r.token || !s.name || !util::constant_time_equal(s.token_hash, presented)) continue;
        if (auto refusal = attach_refusal(*g, conn, false)) return *refusal;
        bool const change = !connected(*g, c) || g->spectators.count(conn) != 0;
        s.token = *r.token;
        attach(*g, conn, c, fx);
        if (change) touch(*g, now, fx);
        refresh_lobby(fx);
        return game_ack(*g, now, {{"seat", color_name(c)}, {"token", s.token}});
    }
    // A seated connection asking again gets its seat.
    if (auto c = seat_of(*g, conn)) {
        fx.subscribe.emplace_back(conn, g->id);
        json fields = {{"seat", color_name(*c)}};
        if (!g->seats[idx(*c)].token.empty()) fields["token"] = g->seats[idx(*c)].token;
        return game_ack(*g, now, std::move(fields));
    }
    // The next person to join a waiting game takes the free seat and the game starts.
    if (status(*g) == wire::waiting) {
        if (auto refusal = attach_refusal(*g, conn, false)) return *refusal;
        color c = g->seats[idx(color::white)].name ? color::black : color::white;
        seat& s = g->seats[idx(c)];
        s.name = r.name;
        s.token = opts_.new_token();
        s.token_hash = hash_token(s.token);
        attach(*g, conn, c, fx);
        touch(*g, now, fx);
        refresh_lobby(fx);
        return game_ack(*g, now, {{"seat", color_name(c)}, {"token", s.token}});
    }
    bool const is_new = g->spectators.count(conn) == 0;
    if (is_new)
        if (auto refusal = attach_refusal(*g, conn, true)) return *refusal;
    attach(*g, conn, std::nullopt, fx);
    if (is_new) touch(*g, now, fx);
    return game_ack(*g, now, {{"seat", wire::spectator}});
}

json service::on_move(conn_id const& conn, move_request const& r, std::int64_t now, effects& fx) {
    live_game* g = find(r.game);
    if (!g) return no_game();
    if (!seat_of(*g, conn)) return not_player();
    // A retry of the move already played at that ply answers ok and changes nothing.
    if (r.ply < g->board.ply()) {
        auto const played = g->board.uci_moves()[static_cast<std::size_t>(r.ply)];
        if (played == r.uci) return game_ack(*g, now);
        return error(wire::stale_ply, "that ply has been played already");
    }
    if (g->board.over()) return over_already();
    if (flag_if_due(*g, now)) {
        touch(*g, now, fx);
        return over_already();
    }
    if (!started(*g)) return error(wire::not_started, "waiting for an opponent");
    color const side = g->board.current().side_to_move();
    if (g->seats[idx(side)].conns.count(conn) == 0)
        return error(wire::not_your_turn, "it is not your turn");
    if (r.ply != g->board.ply()) return error(wire::stale_ply, "ply does not match the game");
    if (!g->board.play_uci(r.uci)) return error(wire::illegal_move, "illegal move");
    g->last_move_ms = std::max(g->last_move_ms, now);
    clock_move(*g, conn, now);
    // Any move clears a pending draw or takeback offer.
    g->draw_offer.reset();
    g->takeback_offer.reset();
    if (g->board.over() && g->clock) g->clock->stop(now);
    ++moves_played_;
    touch(*g, now, fx);
    return game_ack(*g, now);
}

chess_app::counters service::counters() const {
    chess_app::counters c;
    for (auto const& [id, g] : games_) {
        auto const s = status(g);
        ++(s == wire::ended ? c.ended : s == wire::started ? c.started : c.waiting);
    }
    c.moves_played = moves_played_;
    return c;
}

service::seated service::seated_in_live_game(std::string const& id, conn_id const& conn,
                                             std::int64_t now, effects& fx) {
    live_game* g = find(id);
    if (!g) return {nullptr, {}, no_game()};
    auto c = seat_of(*g, conn);
    if (!c) return {nullptr, {}, not_player()};
    if (g->board.over()) return {nullptr, {}, over_already()};
    if (flag_if_due(*g, now)) {
        touch(*g, now, fx);
        return {nullptr, {}, over_already()};
    }
    return {g, *c, {}};
}

json service::on_resign(conn_id const& conn, resign_request const& r, std::int64_t now,
                        effects& fx) {
    auto [g, c, refusal] = seated_in_live_game(r.game, conn, now, fx);
    if (!g) return refusal;
    if (!started(*g)) return error(wire::not_started, "waiting for an opponent: abort instead");
    finish(*g, {chess::win_for(~c), wire::resign_reason}, now);
    touch(*g, now, fx);
    return game_ack(*g, now);
}

json service::on_draw(conn_id const& conn, draw_request const& r, std::int64_t now, effects& fx) {
    auto [g, c, refusal] = seated_in_live_game(r.game, conn, now, fx);
    if (!g) return refusal;
    if (!started(*g)) return error(wire::not_started, "waiting for an opponent");
    bool const theirs = g->draw_offer == ~c;
    // Offering while the opponent's offer stands accepts it.
    if (r.action == offer_action::accept || (r.action == offer_action::offer && theirs)) {
        if (!theirs) return error(wire::no_offer, "there is no draw offer to accept");
        finish(*g, {chess::wire::draw, wire::agreement}, now);
    } else if (r.action == offer_action::decline) {
        if (!theirs) return error(wire::no_offer, "there is no draw offer to decline");
        g->draw_offer.reset();
    } else {
        if (g->draw_offer == c) return game_ack(*g, now);
        g->draw_offer = c;
    }
    touch(*g, now, fx);
    return game_ack(*g, now);
}

json service::on_abort(conn_id const& conn, abort_request const& r, std::int64_t now, effects& fx) {
    live_game* g = find(r.game);
    if (!g) return no_game();
    if (!seat_of(*g, conn)) return not_player();
    if (g->board.over()) return over_already();
    if (g->board.ply() >= 2) return error(wire::too_late, "both sides have moved: resign instead");
    finish(*g, {"", wire::aborted}, now);
    touch(*g, now, fx);
    refresh_lobby(fx);
    return game_ack(*g, now);
}

json service::on_claim(conn_id const& conn, claim_request const& r, std::int64_t now, effects& fx) {
    auto [g, c, refusal] = seated_in_live_game(r.game, conn, now, fx);
    if (!g) return refusal;
    seat const& other = g->seats[idx(~c)];
    if (!started(*g) || !other.conns.empty() || now - other.gone_since_ms < opts_.claim_grace_ms)
        return error(wire::too_early, "the opponent has not been gone long enough");
    finish(*g, {chess::win_for(c), wire::abandoned}, now);
    touch(*g, now, fx);
    return game_ack(*g, now);
}

json service::on_rematch(conn_id const& conn, rematch_request const& r, std::int64_t now,
                         effects& fx) {
    live_game* g = find(r.game);
    if (!g) return no_game();
    auto c = seat_of(*g, conn);
    if (!c) return not_player();
    if (!g->board.over()) return error(wire::too_early, "the game is not over");
    if (g->rematch_id) return game_ack(*g, now);
    bool const theirs = g->rematch_offer == ~*c;
    if (r.action == offer_action::offer && !theirs) {
        if (g->rematch_offer == *c) return game_ack(*g, now);
        g->rematch_offer = *c;
        touch(*g, now, fx);
        return game_ack(*g, now);
    }
    if (!theirs) return error(wire::no_offer, "there is no rematch offer to accept");
    if (conn_full(conn)) return too_many("this connection is in too many games");
    std::string const old_id = g->id;
    if (!make_room()) return too_many("too many games are open on this server");
    g = find(old_id); // make_room may have dropped other games, never this one (it is in use)
    // The new game: colours swapped, the same clock, both players seated with their tokens.
    std::optional<clock_spec> spec;
    if (g->clock) spec = clock_spec{g->clock->initial_ms(), g->clock->increment_ms()};
    live_game& n = make_game(std::string(color_name(~*c)), ~*c, now, spec);
    for (color side : {color::white, color::black}) {
        seat& to = n.seats[idx(~side)];
        seat const& from = g->seats[idx(side)];
        to.name = from.name;
        to.token = from.token;
        to.token_hash = from.token_hash;
        for (auto const& k : from.conns)
            if (!conn_full(k)) attach(n, k, ~side, fx);
    }
    g->rematch_offer.reset();
    g->rematch_id = n.id;
    touch(*g, now, fx);
    touch(n, now, fx);
    for (auto const& s : g->seats)
        for (auto const& k : s.conns)
            fx.rematches.emplace_back(k, n.id);
    return game_ack(*g, now);
}

json service::on_pgn(pgn_request const& r) {
    auto text = pgn(r.game);
    if (!text) return no_game();
    return ok_ack({{"pgn", *text}});
}

service::live_game* service::find(std::string const& id) {
    auto it = games_.find(id);
    if (it == games_.end()) return nullptr;
    save_undo(it->second);
    return &it->second;
}

service::live_game const* service::find(std::string const& id) const {
    auto it = games_.find(id);
    return it == games_.end() ? nullptr : &it->second;
}

std::optional<color> service::seat_of(live_game const& g, conn_id const& conn) const {
    for (color c : {color::white, color::black})
        if (g.seats[idx(c)].conns.count(conn) != 0) return c;
    return std::nullopt;
}

bool service::started(live_game const& g) {
    return !g.board.over() && g.seats[0].name && g.seats[1].name;
}

std::string_view service::status(live_game const& g) {
    if (g.board.over()) return wire::ended;
    return started(g) ? wire::started : wire::waiting;
}

bool service::connected(live_game const& g, color c) const {
    return !g.seats[idx(c)].conns.empty();
}

std::optional<color> service::claimable(live_game const& g, std::int64_t now) const {
    if (!started(g)) return std::nullopt;
    for (color c : {color::white, color::black})
        if (connected(g, c) && !connected(g, ~c) &&
            now - g.seats[idx(~c)].gone_since_ms >= opts_.claim_grace_ms)
            return c;
    return std::nullopt;
}

bool service::flag_if_due(live_game& g, std::int64_t now) {
    if (!g.clock || g.board.over() || !g.clock->flagged(now)) return false;
    color const who = *g.clock->running();
    g.clock->stop(now);
    g.board.flag(who);
    g.draw_offer.reset();
    g.takeback_offer.reset();
    return true;
}

void service::finish(live_game& g, chess::game_result r, std::int64_t now) {
    g.board.finish(r);
    if (g.clock) g.clock->stop(now);
    g.draw_offer.reset();
    g.takeback_offer.reset();
}

void service::touch(live_game& g, std::int64_t now, effects& fx) {
    ++g.v;
    g.last_seen_ms = std::max(g.last_seen_ms, now);
    if (g.board.over() && !g.ended_at) g.ended_at = opts_.unix_ms_at(now);
    game_view v = make_view(g, now);
    g.claimable_sent = v.claimable;
    fx.changes.push_back({g.id, std::move(v), make_record(g, now)});
}

json service::game_ack(live_game const& g, std::int64_t now, json fields) const {
    fields["game"] = to_json(make_view(g, now));
    return ok_ack(std::move(fields));
}

void service::attach(live_game& g, conn_id const& conn, std::optional<color> as, effects& fx) {
    if (as) {
        g.spectators.erase(conn);
        g.seats[idx(*as)].conns.insert(conn);
    } else {
        g.spectators.insert(conn);
    }
    save_undo(conn);
    conn_games_[conn].insert(g.id);
    fx.subscribe.emplace_back(conn, g.id);
}

void service::refresh_lobby(effects& fx) {
    auto now = lobby();
    if (now == lobby_sent_) return;
    lobby_sent_ = now;
    fx.lobby = std::move(now);
}

std::vector<lobby_entry> service::lobby() const {
    std::vector<live_game const*> open;
    for (auto const& [id, g] : games_)
        if (status(g) == wire::waiting && connected(g, g.creator)) open.push_back(&g);
    std::sort(open.begin(), open.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
    std::vector<lobby_entry> out;
    for (auto const* g : open) {
        std::optional<clock_spec> spec;
        if (g->clock) spec = clock_spec{g->clock->initial_ms(), g->clock->increment_ms()};
        out.push_back({g->id, g->seats[idx(g->creator)].name.value_or(""), g->creator_color, spec});
    }
    return out;
}

std::optional<game_view> service::view(std::string const& id, std::int64_t now) const {
    live_game const* g = find(id);
    if (!g) return std::nullopt;
    return make_view(*g, now);
}

} // namespace kibitz::chess_app
