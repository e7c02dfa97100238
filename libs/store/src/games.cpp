#include "columns.hpp"
#include "connection.hpp"
#include "postgres.hpp"
#include "timed.hpp"

#include <kibitz/store/database.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>

namespace kibitz::store {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The checks the schema cannot make: moves must survive the space-separated column.
std::optional<failure> check_game(game_record const& g) {
    auto invalid = [](std::string why) { return failure{store_error::invalid_argument, why}; };
    if (g.id.empty()) return invalid("game id is empty");
    if (g.status != game_waiting && g.status != game_started && g.status != game_ended) {
        return invalid("unknown game status '" + g.status + "'");
    }
    for (auto const& move : g.moves) {
        if (move.empty() || std::any_of(move.begin(), move.end(), is_space)) {
            return invalid("move '" + move + "' is empty or holds white space");
        }
    }
    return std::nullopt;
}

// A statement used rarely enough not to be cached: prepared here, finalized on destruction.
struct one_off {
    one_off(sqlite3* db, char const* sql) : rc(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr)) {}
    one_off(one_off const&) = delete;
    one_off& operator=(one_off const&) = delete;
    ~one_off() { sqlite3_finalize(stmt); }
    sqlite3_stmt* stmt = nullptr;
    int rc;
};

// Binds the game to save_game's parameters, in schema.cpp's game column order.
void bind_game(detail::query& q, game_record const& g) {
    q.bind(1, g.id);
    q.bind(2, g.v);
    q.bind(3, g.created_at);
    q.bind(4, g.creator_color);
    q.bind(5, g.status);
    q.bind(6, g.result);
    q.bind(7, g.reason);
    q.bind(8, g.white_name);
    q.bind(9, g.black_name);
    q.bind(10, g.white_token);
    q.bind(11, g.black_token);
    q.bind(12, g.start_fen);
    q.bind(13, detail::join_words(g.moves));
    auto const clock = g.clock.value_or(game_clock{});
    auto const when = [&](std::int64_t v) { return g.clock ? std::optional(v) : std::nullopt; };
    q.bind(14, when(clock.initial_ms));
    q.bind(15, when(clock.increment_ms));
    q.bind(16, when(clock.white_ms));
    q.bind(17, when(clock.black_ms));
    q.bind(18, clock.running);
    q.bind(19, clock.running_since_ms);
    q.bind(20, g.draw_offer);
    q.bind(21, g.rematch_offer);
    q.bind(22, g.rematch_id);
    q.bind(23, g.takeback_offer);
    q.bind(24, detail::join_words(g.clock_history));
    q.bind(25, g.white_lag_ms);
    q.bind(26, g.black_lag_ms);
    q.bind(27, g.ended_at);
}

// One row in schema.cpp's game column order.
game_record read_game(detail::query const& q) {
    game_record g;
    g.id = q.text(0);
    g.v = q.int64(1);
    g.created_at = q.int64(2);
    g.creator_color = q.text(3);
    g.status = q.text(4);
    g.result = q.optional_text(5);
    g.reason = q.optional_text(6);
    g.white_name = q.optional_text(7);
    g.black_name = q.optional_text(8);
    g.white_token = q.optional_text(9);
    g.black_token = q.optional_text(10);
    g.start_fen = q.text(11);
    g.moves = detail::split_words(q.text(12));
    if (q.optional_int64(13)) {
        g.clock = game_clock{.initial_ms = q.int64(13),
                             .increment_ms = q.int64(14),
                             .white_ms = q.int64(15),
                             .black_ms = q.int64(16),
                             .running = q.optional_text(17),
                             .running_since_ms = q.optional_int64(18)};
    }
    g.draw_offer = q.optional_text(19);
    g.rematch_offer = q.optional_text(20);
    g.rematch_id = q.optional_text(21);
    g.takeback_offer = q.optional_text(22);
    g.clock_history = detail::split_numbers(q.text(23));
    g.white_lag_ms = q.int64(24);
    g.black_lag_ms = q.int64(25);
    g.ended_at = q.optional_int64(26);
    return g;
}

} // namespace

result<bool> database::save_game(game_record const& game) {
    detail::timed const timing(counters_.get(), operation::save_game);
    if (pg_) return pg_->save_game(game);
    if (!conn_) return detail::closed_failure();
    if (auto bad = check_game(game)) return std::move(*bad);
    auto q = conn_->use(detail::stmt::save_game);
    bind_game(q, game);
    int const rc = q.step();
    if (rc != SQLITE_DONE) return q.fail(rc, "saving game " + game.id);
    // The upsert's WHERE skipped the update when the stored v is higher: no row changed.
    return sqlite3_changes(conn_->db) > 0;
}

result<std::optional<game_record>> database::load_game(std::string_view id) {
    detail::timed const timing(counters_.get(), operation::load_game);
    if (pg_) return pg_->load_game(id);
    if (!conn_) return detail::closed_failure();
    std::string current(id);
    {
        auto q = conn_->use(detail::stmt::load_game);
        q.bind(1, id);
        int const rc = q.step();
        if (rc == SQLITE_ROW) return std::optional<game_record>(read_game(q));
        if (rc != SQLITE_DONE) return q.fail(rc, "loading a game");
    }
    // An id from before the lower-case rewrite (migration 3) names the game by its alias.
    auto alias = find_game_alias(id);
    if (!alias) return alias.error();
    if (!alias.value()) return std::optional<game_record>();
    auto q = conn_->use(detail::stmt::load_game);
    q.bind(1, *alias.value());
    int const rc = q.step();
    if (rc == SQLITE_ROW) return std::optional<game_record>(read_game(q));
    if (rc == SQLITE_DONE) return std::optional<game_record>();
    return q.fail(rc, "loading a game by its old id");
}

result<std::optional<std::string>> database::find_game_alias(std::string_view old_id) {
    detail::timed const timing(counters_.get(), operation::find_game_alias);
    if (pg_) return pg_->find_game_alias(old_id);
    if (!conn_) return detail::closed_failure();
    one_off s(conn_->db, "SELECT new_id FROM game_aliases WHERE old_id = ?1");
    if (s.rc != SQLITE_OK) return detail::sqlite_failure(conn_->db, s.rc, "reading game aliases");
    detail::query q(conn_->db, s.stmt);
    q.bind(1, old_id);
    int const rc = q.step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(q.text(0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return q.fail(rc, "reading game aliases");
}

result<void> database::save_games(std::vector<game_record> const& games,
                                  std::vector<std::string> const& deleted) {
    detail::timed const timing(counters_.get(), operation::save_games);
    if (pg_) return pg_->save_games(games, deleted);
    if (!conn_) return detail::closed_failure();
    for (auto const& g : games)
        if (auto bad = check_game(g)) return std::move(*bad);
    detail::transaction tx(*conn_);
    if (!tx.begun()) return tx.begun().error();
    for (auto const& g : games) {
        auto q = conn_->use(detail::stmt::save_game);
        bind_game(q, g);
        int const rc = q.step();
        if (rc != SQLITE_DONE) return q.fail(rc, "saving game " + g.id);
    }
    if (!deleted.empty()) {
        one_off s(conn_->db, "DELETE FROM games WHERE id = ?1");
        if (s.rc != SQLITE_OK) return detail::sqlite_failure(conn_->db, s.rc, "deleting games");
        for (auto const& id : deleted) {
            detail::query q(conn_->db, s.stmt);
            q.bind(1, id);
            int const rc = q.step();
            if (rc != SQLITE_DONE) return q.fail(rc, "deleting game " + id);
        }
    }
    return tx.commit();
}

result<std::size_t>
database::rehash_game_tokens(std::function<std::string(std::string_view)> const& hash) {
    detail::timed const timing(counters_.get(), operation::rehash_game_tokens);
    if (pg_) return pg_->rehash_game_tokens(hash);
    if (!conn_) return detail::closed_failure();
    // Hashes are 64 hexadecimal digits; anything else is a token stored before they were hashed.
    one_off find(conn_->db, "SELECT id, white_token, black_token FROM games"
                            " WHERE length(white_token) <> 64 OR length(black_token) <> 64");
    if (find.rc != SQLITE_OK) return detail::sqlite_failure(conn_->db, find.rc, "finding tokens");
    std::vector<std::array<std::optional<std::string>, 3>> rows;
    {
        detail::query q(conn_->db, find.stmt);
        int rc = SQLITE_ROW;
        while ((rc = q.step()) == SQLITE_ROW)
            rows.push_back({q.text(0), q.optional_text(1), q.optional_text(2)});
        if (rc != SQLITE_DONE) return q.fail(rc, "finding tokens");
    }
    if (rows.empty()) return std::size_t{0};
    one_off set(conn_->db, "UPDATE games SET white_token = ?2, black_token = ?3 WHERE id = ?1");
    if (set.rc != SQLITE_OK) return detail::sqlite_failure(conn_->db, set.rc, "hashing tokens");
    detail::transaction tx(*conn_);
    if (!tx.begun()) return tx.begun().error();
    auto hashed = [&](std::optional<std::string> const& t) -> std::optional<std::string> {
        if (!t || t->size() == 64) return t;
        return hash(*t);
    };
    for (auto const& row : rows) {
        detail::query q(conn_->db, set.stmt);
        q.bind(1, *row[0]);
        q.bind(2, hashed(row[1]));
        q.bind(3, hashed(row[2]));
        int const rc = q.step();
        if (rc != SQLITE_DONE) return q.fail(rc, "hashing tokens");
    }
    if (auto r = tx.commit(); !r) return r.error();
    return rows.size();
}

result<std::vector<game_record>> database::load_active_games() {
    detail::timed const timing(counters_.get(), operation::load_active_games);
    if (pg_) return pg_->load_active_games(std::nullopt);
    if (!conn_) return detail::closed_failure();
    auto q = conn_->use(detail::stmt::load_active_games);
    std::vector<game_record> games;
    int rc = SQLITE_ROW;
    while ((rc = q.step()) == SQLITE_ROW)
        games.push_back(read_game(q));
    if (rc != SQLITE_DONE) return q.fail(rc, "loading the active games");
    return games;
}

result<std::vector<game_record>> database::load_active_games(std::size_t newest) {
    detail::timed const timing(counters_.get(), operation::load_active_games);
    if (pg_) return pg_->load_active_games(newest);
    if (!conn_) return detail::closed_failure();
    one_off s(conn_->db, "SELECT " KIBITZ_GAME_COLUMNS " FROM games"
                         " WHERE status IN ('waiting', 'started')"
                         " ORDER BY created_at DESC, id DESC LIMIT ?1");
    if (s.rc != SQLITE_OK) return detail::sqlite_failure(conn_->db, s.rc, "loading games");
    detail::query q(conn_->db, s.stmt);
    q.bind(1, static_cast<std::int64_t>(
                  std::min<std::size_t>(newest, std::numeric_limits<std::int64_t>::max())));
    std::vector<game_record> games;
    int rc = SQLITE_ROW;
    while ((rc = q.step()) == SQLITE_ROW)
        games.push_back(read_game(q));
    if (rc != SQLITE_DONE) return q.fail(rc, "loading the newest active games");
    std::reverse(games.begin(), games.end());
    return games;
}

result<std::vector<game_record>> database::finished_games(std::optional<game_cursor> const& before,
                                                          std::size_t limit) {
    detail::timed const timing(counters_.get(), operation::finished_games);
    if (pg_) return pg_->finished_games(before, limit);
    if (!conn_) return detail::closed_failure();
    // Row values walk the partial index backwards from the cursor.
    one_off s(conn_->db, "SELECT " KIBITZ_GAME_COLUMNS " FROM games"
                         " WHERE status = 'ended' AND reason <> 'aborted'"
                         " AND (ended_at, id) < (?1, ?2)"
                         " ORDER BY ended_at DESC, id DESC LIMIT ?3");
    if (s.rc != SQLITE_OK) return detail::sqlite_failure(conn_->db, s.rc, "listing games");
    detail::query q(conn_->db, s.stmt);
    // No cursor: from past the newest possible row.
    auto const from = before.value_or(game_cursor{std::numeric_limits<std::int64_t>::max(), ""});
    q.bind(1, from.ended_at);
    q.bind(2, from.id);
    q.bind(3, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000)));
    std::vector<game_record> games;
    int rc = SQLITE_ROW;
    while ((rc = q.step()) == SQLITE_ROW)
        games.push_back(read_game(q));
    if (rc != SQLITE_DONE) return q.fail(rc, "listing the finished games");
    return games;
}

} // namespace kibitz::store
