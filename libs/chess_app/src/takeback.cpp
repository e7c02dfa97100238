// Takebacks (`takeback` offer/accept/decline) and the clock's side of a move: per-ply clock
// history for takebacks, and lag compensation from the heartbeat round trip.
#include <kibitz/chess_app/service.hpp>
#include <kibitz/chess_app/wire.hpp>

#include <algorithm>

namespace kibitz::chess_app {

namespace {

using chess::color;

std::size_t idx(color c) {
    return static_cast<std::size_t>(c);
}

// The side that played ply `i` of `g` (0-based).
color mover_of(chess::game const& g, int i) {
    color const first = g.initial().side_to_move();
    return i % 2 == 0 ? first : ~first;
}

// Whether `c` has a move of its own on the board.
bool has_moved(chess::game const& g, color c) {
    return g.ply() >= 2 || (g.ply() == 1 && mover_of(g, 0) == c);
}

} // namespace

std::optional<std::int64_t> service::lag_of(conn_id const& conn) const {
    auto rtt = opts_.rtt_ms ? opts_.rtt_ms(conn) : std::nullopt;
    if (!rtt) return std::nullopt;
    return std::max<std::int64_t>(0, *rtt) / 2;
}

void service::clock_move(live_game& g, conn_id const& conn, std::int64_t now) {
    if (!g.clock) return;
    color const side = g.clock->turn();
    // The mover's one-way lag is not charged, within the caps per move and per game.
    std::int64_t& granted = g.lag_credit_ms[idx(side)];
    std::int64_t credit =
        std::min({lag_of(conn).value_or(0), opts_.max_lag_credit_per_move_ms,
                  opts_.max_lag_credit_per_game_ms - granted, g.clock->thinking_ms(now)});
    credit = std::max<std::int64_t>(0, credit);
    if (!g.clock->after_move(now, credit)) return;
    granted += credit;
    g.clock_history.push_back(g.clock->remaining(side, now));
}

json service::on_takeback(conn_id const& conn, takeback_request const& r, std::int64_t now,
                          effects& fx) {
    auto [g, c, refusal] = seated_in_live_game(r.game, conn, now, fx);
    if (!g) return refusal;
    bool const theirs = g->takeback_offer == ~c;
    // Offering while the opponent's offer stands accepts it (as for draws).
    if (r.action == offer_action::accept || (r.action == offer_action::offer && theirs)) {
        if (!theirs) return error_ack(wire::no_offer, "there is no takeback offer to accept");
        if (!has_moved(g->board, ~c))
            return error_ack(wire::nothing_to_take_back, "there is no move to take back");
        take_back(*g, ~c, now);
    } else if (r.action == offer_action::decline) {
        if (!theirs) return error_ack(wire::no_offer, "there is no takeback offer to decline");
        g->takeback_offer.reset();
    } else {
        if (g->takeback_offer == c) return game_ack(*g, now);
        if (!has_moved(g->board, c))
            return error_ack(wire::nothing_to_take_back, "you have no move to take back");
        g->takeback_offer = c;
    }
    touch(*g, now, fx);
    return game_ack(*g, now);
}

void service::take_back(live_game& g, color offerer, std::int64_t now) {
    int const plies = g.board.current().side_to_move() == offerer ? 2 : 1;
    int const keep = g.board.ply() - plies;
    chess::game board(g.board.initial());
    for (int i = 0; i < keep; ++i)
        board.play(g.board.moves()[static_cast<std::size_t>(i)]);
    g.board = std::move(board);
    g.draw_offer.reset();
    g.takeback_offer.reset();
    g.last_move_ms = std::max(g.last_move_ms, now);
    if (!g.clock) return;
    // Each side's time as it was after its last move that stays (the initial time before).
    std::array<std::int64_t, 2> left{g.clock->initial_ms(), g.clock->initial_ms()};
    g.clock_history.resize(static_cast<std::size_t>(keep));
    for (int i = 0; i < keep; ++i)
        left[idx(mover_of(g.board, i))] = g.clock_history[static_cast<std::size_t>(i)];
    g.clock = chess::fischer_clock::restore(g.clock->initial_ms(), g.clock->increment_ms(),
                                            {.white_ms = left[idx(color::white)],
                                             .black_ms = left[idx(color::black)],
                                             .turn = g.board.current().side_to_move(),
                                             .moves = keep,
                                             .running_since_ms = g.last_move_ms,
                                             .stopped = false});
}

} // namespace kibitz::chess_app
