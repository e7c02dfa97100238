#include <kibitz/chess/fen.hpp>
#include <kibitz/chess/movegen.hpp>
#include <kibitz/chess/pgn.hpp>
#include <kibitz/chess/uci.hpp>
#include <kibitz/chess_app/service.hpp>
#include <kibitz/chess_app/wire.hpp>

#include <ctime>

namespace kibitz::chess_app {

namespace {

using chess::color;

std::size_t idx(color c) {
    return static_cast<std::size_t>(c);
}

// "YYYY.MM.DD" (UTC) for the PGN Date tag.
std::string pgn_date(std::int64_t unix_ms) {
    std::time_t const t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    if (!gmtime_r(&t, &tm)) return "????.??.??";
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y.%m.%d", &tm);
    return buf;
}

// PGN TimeControl (PGN standard 9.6.1): "initial+increment" in seconds, "-" without a clock.
std::string time_control(std::optional<chess::fischer_clock> const& c) {
    if (!c) return "-";
    auto secs = [](std::int64_t ms) {
        return ms % 1000 == 0 ? std::to_string(ms / 1000) : std::to_string(ms / 1000.0);
    };
    return secs(c->initial_ms()) + "+" + secs(c->increment_ms());
}

std::string termination(std::string_view reason) {
    if (reason.empty()) return "unterminated";
    if (reason == chess::wire::timeout) return "time forfeit";
    if (reason == wire::abandoned) return "abandoned";
    return "normal";
}

} // namespace

game_view service::make_view(live_game const& g, std::int64_t now) const {
    game_view v;
    v.id = g.id;
    v.v = g.v;
    v.status = status(g);
    if (auto const& r = g.board.result()) {
        v.result = r->result;
        v.reason = r->reason;
    }
    v.fen = chess::to_fen(g.board.current());
    v.moves = g.board.uci_moves();
    v.san = g.board.san_moves();
    v.turn = g.board.current().side_to_move();
    if (g.clock) {
        clock_view c;
        c.white_ms = g.clock->remaining(color::white, now);
        c.black_ms = g.clock->remaining(color::black, now);
        c.increment_ms = g.clock->increment_ms();
        c.initial_ms = g.clock->initial_ms();
        c.running = g.clock->running();
        v.clock = c;
    }
    v.white = g.seats[0].name;
    v.black = g.seats[1].name;
    v.white_connected = connected(g, color::white);
    v.black_connected = connected(g, color::black);
    v.spectators = static_cast<std::int64_t>(g.spectators.size());
    v.draw_offer = g.draw_offer;
    v.rematch_offer = g.rematch_offer;
    v.rematch = g.rematch_id;
    v.claimable = claimable(g, now);
    for (color c : {color::white, color::black}) {
        seat const& s = g.seats[idx(c)];
        if (!s.name || !s.conns.empty()) continue;
        (c == color::white ? v.white_away_ms : v.black_away_ms) =
            std::max<std::int64_t>(0, now - s.gone_since_ms);
    }
    v.claim_grace_ms = opts_.claim_grace_ms;
    v.takeback = g.takeback_offer;
    for (color c : {color::white, color::black}) {
        // A seat's lag: the lowest estimate among its sockets.
        std::optional<std::int64_t> lag;
        for (auto const& k : g.seats[idx(c)].conns)
            if (auto l = lag_of(k); l && (!lag || *l < *lag)) lag = l;
        (c == color::white ? v.white_lag_ms : v.black_lag_ms) = lag;
    }
    if (started(g))
        for (auto m : chess::legal_moves(g.board.current()))
            v.legal.push_back(chess::to_uci(m));
    return v;
}

std::optional<std::string> service::pgn(std::string const& id) const {
    live_game const* g = find(id);
    if (!g) return std::nullopt;
    return pgn_text(*g);
}

std::string service::pgn_text(live_game const& game) const {
    live_game const* g = &game;
    chess::pgn_tags tags;
    tags.event = "Kibitz game";
    tags.site = "Kibitz";
    tags.date = pgn_date(g->created_at);
    tags.white = g->seats[0].name.value_or("?");
    tags.black = g->seats[1].name.value_or("?");
    tags.extra.emplace_back("GameId", g->id);
    tags.extra.emplace_back("TimeControl", time_control(g->clock));
    auto const& r = g->board.result();
    tags.extra.emplace_back("Termination", termination(r ? r->reason : std::string_view{}));
    return chess::to_pgn(g->board, tags);
}

} // namespace kibitz::chess_app
