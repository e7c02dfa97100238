// Games to and from the store's rows (store::game_record), their clocks included.
#include <kibitz/chess/fen.hpp>
#include <kibitz/chess_app/service.hpp>
#include <kibitz/chess_app/wire.hpp>

#include <algorithm>
#include <array>
#include <vector>

namespace kibitz::chess_app {

namespace {

using chess::color;

std::optional<std::string> text_or_none(std::string_view s) {
    if (s.empty()) return std::nullopt;
    return std::string(s);
}

std::optional<std::string> color_or_none(std::optional<color> c) {
    if (!c) return std::nullopt;
    return std::string(color_name(*c));
}

std::optional<color> color_from(std::optional<std::string> const& s) {
    if (s == wire::white) return color::white;
    if (s == wire::black) return color::black;
    return std::nullopt;
}

// game_result holds views: a stored string maps back to the constant that spells it.
std::optional<std::string_view> intern(std::string_view s) {
    static constexpr std::string_view known[] = {
        chess::wire::white_wins,  chess::wire::black_wins,
        chess::wire::draw,        chess::wire::checkmate,
        chess::wire::stalemate,   chess::wire::threefold,
        chess::wire::fifty_moves, chess::wire::insufficient_material,
        chess::wire::timeout,     wire::resign_reason,
        wire::agreement,          wire::aborted,
        wire::abandoned};
    for (auto k : known)
        if (k == s) return k;
    return std::nullopt;
}

// The clock of a stored game, from its saved figures: a running side's time was saved as of the
// start of its turn, and its clock restarts at `now_ms` (a restart never charges the outage).
chess::fischer_clock restored_clock(store::game_clock const& saved, color turn, int plies,
                                    bool ended, std::int64_t now_ms) {
    return chess::fischer_clock::restore(saved.initial_ms, saved.increment_ms,
                                         {.white_ms = saved.white_ms,
                                          .black_ms = saved.black_ms,
                                          .turn = turn,
                                          .moves = plies,
                                          .running_since_ms = now_ms,
                                          .stopped = ended});
}

// The per-ply clock history of a stored game with a clock. A row saved before takebacks (no
// history, or one that does not match the moves) gets, for every ply, the time its mover has
// now: a takeback then moves no clock but the turn.
std::vector<std::int64_t> history_of(store::game_record const& rec, color turn) {
    if (rec.clock_history.size() == rec.moves.size()) return rec.clock_history;
    auto const& c = *rec.clock;
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < rec.moves.size(); ++i) {
        // Counted back from the end: the last ply was played by the side not to move.
        bool const by_turn = (rec.moves.size() - i) % 2 == 0;
        color const mover = by_turn ? turn : ~turn;
        out.push_back(mover == color::white ? c.white_ms : c.black_ms);
    }
    return out;
}

} // namespace

store::game_record service::make_record(live_game const& g, std::int64_t now) const {
    store::game_record r;
    r.id = g.id;
    r.v = g.v;
    r.created_at = g.created_at;
    r.creator_color = g.creator_color;
    r.status = std::string(status(g));
    if (auto const& res = g.board.result()) {
        r.result = text_or_none(res->result);
        r.reason = text_or_none(res->reason);
    }
    r.white_name = g.seats[0].name;
    r.black_name = g.seats[1].name;
    // Only the hashes of the tokens are stored.
    if (g.seats[0].name) r.white_token = g.seats[0].token_hash;
    if (g.seats[1].name) r.black_token = g.seats[1].token_hash;
    r.start_fen = chess::to_fen(g.board.initial());
    r.moves = g.board.uci_moves();
    if (g.clock) {
        store::game_clock c;
        c.initial_ms = g.clock->initial_ms();
        c.increment_ms = g.clock->increment_ms();
        // A running side's time is saved as of the start of its turn.
        auto const running = g.clock->running();
        std::int64_t const at = running ? g.last_move_ms : now;
        c.white_ms = g.clock->remaining(color::white, at);
        c.black_ms = g.clock->remaining(color::black, at);
        c.running = color_or_none(running);
        if (running) c.running_since_ms = opts_.unix_ms_at(g.last_move_ms);
        r.clock = c;
    }
    r.draw_offer = color_or_none(g.draw_offer);
    r.rematch_offer = color_or_none(g.rematch_offer);
    r.rematch_id = g.rematch_id;
    r.takeback_offer = color_or_none(g.takeback_offer);
    r.clock_history = g.clock_history;
    r.white_lag_ms = g.lag_credit_ms[0];
    r.black_lag_ms = g.lag_credit_ms[1];
    r.ended_at = g.ended_at;
    return r;
}

std::optional<service::live_game> service::build(store::game_record const& rec,
                                                 std::int64_t now) const {
    auto start = chess::parse_fen(rec.start_fen);
    if (!start) return std::nullopt;
    live_game g;
    g.board = chess::game(*start.value);
    for (auto const& m : rec.moves)
        if (!g.board.play_uci(m)) return std::nullopt;
    bool const ended = rec.status == wire::ended;
    if (ended && !g.board.over()) {
        auto result = intern(rec.result.value_or(""));
        auto reason = intern(rec.reason.value_or(""));
        if (!reason || (rec.result && !result)) return std::nullopt;
        g.board.finish({result.value_or(std::string_view{}), *reason});
    }
    g.id = rec.id;
    g.v = rec.v;
    g.created_at = rec.created_at;
    g.creator_color = rec.creator_color;
    g.last_move_ms = now;
    g.last_seen_ms = now;
    std::array<std::optional<std::string>, 2> names{rec.white_name, rec.black_name};
    std::array<std::optional<std::string>, 2> tokens{rec.white_token, rec.black_token};
    for (std::size_t s = 0; s < 2; ++s) {
        g.seats[s].name = names[s];
        // A token stored before tokens were hashed (not 64 digits) is hashed now.
        std::string t = tokens[s].value_or("");
        g.seats[s].token_hash = t.size() == 64 || t.empty() ? t : hash_token(t);
        g.seats[s].gone_since_ms = now;
    }
    // The creator of a waiting game is the one seated player.
    g.creator = rec.white_name ? color::white : color::black;
    if (rec.clock) {
        color const first = g.board.initial().side_to_move();
        color const turn = g.board.ply() % 2 == 0 ? first : ~first;
        g.clock = restored_clock(*rec.clock, turn, g.board.ply(), ended, now);
        g.clock_history = history_of(rec, turn);
    }
    g.draw_offer = color_from(rec.draw_offer);
    g.rematch_offer = color_from(rec.rematch_offer);
    g.rematch_id = rec.rematch_id;
    g.takeback_offer = color_from(rec.takeback_offer);
    g.lag_credit_ms = {std::max<std::int64_t>(0, rec.white_lag_ms),
                       std::max<std::int64_t>(0, rec.black_lag_ms)};
    g.ended_at = rec.ended_at;
    if (ended && !g.ended_at) g.ended_at = rec.created_at;
    return g;
}

bool service::restore(store::game_record const& rec, std::int64_t now, effects& fx) {
    if (knows(rec.id)) return false;
    auto g = build(rec, now);
    if (!g || !make_room()) return false;
    g->seq = ++seq_;
    if (undo_.open) undo_.games.emplace(rec.id, std::nullopt);
    auto [it, inserted] = games_.emplace(rec.id, std::move(*g));
    // Nobody is connected any more: a change (v + 1) for games in progress.
    if (rec.status != wire::ended) touch(it->second, now, fx);
    return inserted;
}

std::optional<std::string> service::pgn_of(store::game_record const& rec) const {
    auto g = build(rec, rec.created_at);
    if (!g) return std::nullopt;
    return pgn_text(*g);
}

} // namespace kibitz::chess_app
