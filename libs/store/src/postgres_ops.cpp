// The store's operations on PostgreSQL, with store::database's contracts (database.hpp).

#include "columns.hpp"
#include "postgres.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>

namespace kibitz::store::detail {
namespace {

std::string num(std::int64_t v) {
    return std::to_string(v);
}

pg_param num(std::optional<std::int64_t> v) {
    return v ? pg_param(std::to_string(*v)) : std::nullopt;
}

message_record read_message(pg_rows const& r, int row) {
    message_record m;
    m.id = r.text(row, 0);
    m.room = r.text(row, 1);
    m.from_name = r.text(row, 2);
    m.from_key = r.text(row, 3);
    m.to_name = r.optional_text(row, 4);
    m.to_key = r.optional_text(row, 5);
    m.text = r.text(row, 6);
    m.ts = r.int64(row, 7);
    m.client_id = r.optional_text(row, 8);
    m.action = r.boolean(row, 9);
    m.mentions = split_words(r.text(row, 10));
    m.edited = r.optional_int64(row, 11);
    m.deleted = r.boolean(row, 12);
    return m;
}

game_record read_game(pg_rows const& r, int row) {
    game_record g;
    g.id = r.text(row, 0);
    g.v = r.int64(row, 1);
    g.created_at = r.int64(row, 2);
    g.creator_color = r.text(row, 3);
    g.status = r.text(row, 4);
    g.result = r.optional_text(row, 5);
    g.reason = r.optional_text(row, 6);
    g.white_name = r.optional_text(row, 7);
    g.black_name = r.optional_text(row, 8);
    g.white_token = r.optional_text(row, 9);
    g.black_token = r.optional_text(row, 10);
    g.start_fen = r.text(row, 11);
    g.moves = split_words(r.text(row, 12));
    if (!r.is_null(row, 13)) {
        g.clock = game_clock{.initial_ms = r.int64(row, 13),
                             .increment_ms = r.int64(row, 14),
                             .white_ms = r.int64(row, 15),
                             .black_ms = r.int64(row, 16),
                             .running = r.optional_text(row, 17),
                             .running_since_ms = r.optional_int64(row, 18)};
    }
    g.draw_offer = r.optional_text(row, 19);
    g.rematch_offer = r.optional_text(row, 20);
    g.rematch_id = r.optional_text(row, 21);
    g.takeback_offer = r.optional_text(row, 22);
    g.clock_history = split_numbers(r.text(row, 23));
    g.white_lag_ms = r.int64(row, 24);
    g.black_lag_ms = r.int64(row, 25);
    g.ended_at = r.optional_int64(row, 26);
    return g;
}

std::optional<failure> check_game(game_record const& g) {
    auto invalid = [](std::string why) { return failure{store_error::invalid_argument, why}; };
    if (g.id.empty()) return invalid("game id is empty");
    if (g.status != game_waiting && g.status != game_started && g.status != game_ended)
        return invalid("unknown game status '" + g.status + "'");
    for (auto const& move : g.moves) {
        if (move.empty() || move.find_first_of(" \t\n\r\v\f") != std::string::npos)
            return invalid("move '" + move + "' is empty or holds white space");
    }
    return std::nullopt;
}

constexpr char const* save_game_sql =
    "INSERT INTO games (" KIBITZ_GAME_COLUMNS ") VALUES ($1, $2::bigint, $3::bigint, $4, $5,"
    " $6, $7, $8, $9, $10, $11, $12, $13, $14::bigint, $15::bigint, $16::bigint, $17::bigint,"
    " $18, $19::bigint, $20, $21, $22, $23, $24, $25::bigint, $26::bigint, "
    "$27::bigint)" KIBITZ_GAME_UPSERT;

result<pg_rows> save_one(postgres& pg, game_record const& g) {
    auto const clock = g.clock.value_or(game_clock{});
    auto when = [&](std::int64_t v) { return g.clock ? pg_param(num(v)) : std::nullopt; };
    return pg.exec(save_game_sql, {g.id,
                                   num(g.v),
                                   num(g.created_at),
                                   g.creator_color,
                                   g.status,
                                   g.result,
                                   g.reason,
                                   g.white_name,
                                   g.black_name,
                                   g.white_token,
                                   g.black_token,
                                   g.start_fen,
                                   join_words(g.moves),
                                   when(clock.initial_ms),
                                   when(clock.increment_ms),
                                   when(clock.white_ms),
                                   when(clock.black_ms),
                                   clock.running,
                                   num(clock.running_since_ms),
                                   g.draw_offer,
                                   g.rematch_offer,
                                   g.rematch_id,
                                   g.takeback_offer,
                                   join_words(g.clock_history),
                                   num(g.white_lag_ms),
                                   num(g.black_lag_ms),
                                   num(g.ended_at)});
}

} // namespace

result<inserted_message> postgres::insert_message(message_draft const& d) {
    if (d.to_name.has_value() != d.to_key.has_value())
        return failure{store_error::invalid_argument, "to_name and to_key must come together"};
    // The same client id through another node stores once: the unique index decides.
    auto ins =
        exec("INSERT INTO messages (room, from_name, from_key, to_name, to_key, text, ts,"
             " client_id, action, mentions) VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8,"
             " $9::boolean, $10) ON CONFLICT (from_key, client_id)"
             " WHERE client_id IS NOT NULL DO NOTHING RETURNING " KIBITZ_MESSAGE_COLUMNS,
             {d.room, d.from_name, d.from_key, d.to_name, d.to_key, d.text, num(d.ts), d.client_id,
              std::string(d.action ? "true" : "false"), join_words(d.mentions)});
    if (!ins) return ins.error();
    if (ins->size() == 1) return inserted_message{read_message(ins.value(), 0), false};
    auto found = exec("SELECT " KIBITZ_MESSAGE_COLUMNS " FROM messages"
                      " WHERE from_key = $1 AND client_id = $2",
                      {d.from_key, d.client_id});
    if (!found) return found.error();
    if (found->size() != 1)
        return failure{store_error::query_failed, "a duplicate message vanished"};
    return inserted_message{read_message(found.value(), 0), true};
}

result<std::vector<message_record>> postgres::history(std::string_view room,
                                                      std::string_view viewer_key,
                                                      std::optional<std::int64_t> before,
                                                      std::size_t limit) {
    limit = std::min<std::size_t>(limit, 1000);
    std::vector<message_record> out;
    if (limit == 0) return out;
    auto r =
        exec("SELECT " KIBITZ_MESSAGE_COLUMNS " FROM messages WHERE id IN ("
             " (SELECT id FROM messages WHERE room = $1 AND to_key IS NULL AND id < $3::bigint"
             "  ORDER BY id DESC LIMIT $4::bigint)"
             " UNION ALL"
             " (SELECT id FROM messages WHERE room = $1 AND to_key IS NOT NULL AND from_key = $2"
             "  AND id < $3::bigint ORDER BY id DESC LIMIT $4::bigint)"
             " UNION ALL"
             " (SELECT id FROM messages WHERE room = $1 AND to_key IS NOT NULL AND to_key = $2"
             "  AND id < $3::bigint ORDER BY id DESC LIMIT $4::bigint)"
             ") ORDER BY id DESC LIMIT $4::bigint",
             {std::string(room), std::string(viewer_key),
              num(before.value_or(std::numeric_limits<std::int64_t>::max())),
              num(static_cast<std::int64_t>(limit))});
    if (!r) return r.error();
    for (int i = r->size() - 1; i >= 0; --i)
        out.push_back(read_message(r.value(), i));
    return out;
}

result<changed_message> postgres::change_message(message_change const& c, bool is_delete) {
    return in_transaction([&]() -> result<changed_message> {
        auto found = exec("SELECT " KIBITZ_MESSAGE_COLUMNS " FROM messages WHERE id = $1::bigint"
                          " FOR UPDATE",
                          {num(c.id)});
        if (!found) return found.error();
        if (found->size() == 0) return changed_message{change_outcome::not_found, {}};
        auto m = read_message(found.value(), 0);
        auto const outcome = may_change(m, c);
        if (outcome != change_outcome::changed) return changed_message{outcome, {}};
        if (m.deleted) {
            if (!is_delete) return changed_message{change_outcome::not_found, {}};
            return changed_message{change_outcome::unchanged, std::move(m)};
        }
        std::string mentions;
        for (auto const& r : c.rooms)
            if (r.name == m.room && !m.to_key) mentions = join_words(r.mentions);
        auto updated =
            is_delete ? exec("UPDATE messages SET text = '', mentions = '', deleted = true"
                             " WHERE id = $1::bigint RETURNING " KIBITZ_MESSAGE_COLUMNS,
                             {num(c.id)})
                      : exec("UPDATE messages SET text = $2, edited = $3::bigint, mentions = $4"
                             " WHERE id = $1::bigint RETURNING " KIBITZ_MESSAGE_COLUMNS,
                             {num(c.id), c.text, num(c.edited), mentions});
        if (!updated) return updated.error();
        return changed_message{change_outcome::changed, read_message(updated.value(), 0)};
    });
}

result<identity_claim> postgres::claim_identity(std::string_view name_key,
                                                std::optional<std::string> const& token_hash,
                                                std::string_view new_token_hash,
                                                std::int64_t created_at) {
    if (name_key.empty() || new_token_hash.empty())
        return failure{store_error::invalid_argument, "an identity needs a name key and a hash"};
    auto find = [&](std::string_view hash) -> result<std::optional<std::int64_t>> {
        auto r = exec("SELECT id FROM identities WHERE token_hash = $1 AND name_key = $2",
                      {std::string(hash), std::string(name_key)});
        if (!r) return r.error();
        if (r->size() == 0) return std::optional<std::int64_t>();
        return std::optional<std::int64_t>(r->int64(0, 0));
    };
    if (token_hash) {
        auto found = find(*token_hash);
        if (!found) return found.error();
        if (found.value()) {
            auto touched =
                exec("UPDATE identities SET claimed_at = greatest(claimed_at, $2::bigint)"
                     " WHERE id = $1::bigint",
                     {num(*found.value()), num(created_at)});
            if (!touched) return touched.error();
            return identity_claim{*found.value(), true};
        }
    }
    auto made = exec("INSERT INTO identities (name_key, token_hash, created_at, claimed_at)"
                     " VALUES ($1, $2, $3::bigint, $3::bigint) ON CONFLICT (token_hash) DO NOTHING"
                     " RETURNING id",
                     {std::string(name_key), std::string(new_token_hash), num(created_at)});
    if (!made) return made.error();
    if (made->size() == 1) return identity_claim{made->int64(0, 0), false};
    // A repeated claim with the same new hash: the identity the first one made.
    auto earlier = find(new_token_hash);
    if (!earlier) return earlier.error();
    if (!earlier.value())
        return failure{store_error::invalid_argument, "that token hash belongs to another name"};
    return identity_claim{*earlier.value(), false};
}

result<std::size_t> postgres::prune_identities(std::int64_t claimed_before,
                                               std::vector<std::int64_t> const& keep,
                                               std::size_t limit) {
    std::string ids = "{";
    for (auto id : keep) {
        if (ids.size() > 1) ids += ',';
        ids += std::to_string(id);
    }
    ids += '}';
    auto r = exec("DELETE FROM identities WHERE id IN (SELECT i.id FROM identities i"
                  " WHERE i.claimed_at < $1::bigint AND i.id <> ALL($2::bigint[])"
                  " AND NOT EXISTS (SELECT 1 FROM messages WHERE from_key = '#' || i.id)"
                  " AND NOT EXISTS (SELECT 1 FROM messages WHERE to_key = '#' || i.id)"
                  " ORDER BY i.claimed_at LIMIT $3::bigint)",
                  {num(claimed_before), ids,
                   num(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000000)))});
    if (!r) return r.error();
    return static_cast<std::size_t>(r->changed());
}

result<bool> postgres::save_game(game_record const& g) {
    if (auto bad = check_game(g)) return std::move(*bad);
    auto r = save_one(*this, g);
    if (!r) return r.error();
    return r->changed() > 0;
}

result<std::optional<game_record>> postgres::load_game(std::string_view id) {
    auto r = exec("SELECT " KIBITZ_GAME_COLUMNS " FROM games WHERE id = $1"
                  " OR id = (SELECT new_id FROM game_aliases WHERE old_id = $1)"
                  " ORDER BY id = $1 DESC LIMIT 1",
                  {std::string(id)});
    if (!r) return r.error();
    if (r->size() == 0) return std::optional<game_record>();
    return std::optional<game_record>(read_game(r.value(), 0));
}

result<std::optional<std::string>> postgres::find_game_alias(std::string_view old_id) {
    auto r = exec("SELECT new_id FROM game_aliases WHERE old_id = $1", {std::string(old_id)});
    if (!r) return r.error();
    if (r->size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r->text(0, 0));
}

result<void> postgres::save_games(std::vector<game_record> const& games,
                                  std::vector<std::string> const& deleted) {
    for (auto const& g : games)
        if (auto bad = check_game(g)) return std::move(*bad);
    return in_transaction([&]() -> result<void> {
        for (auto const& g : games)
            if (auto r = save_one(*this, g); !r) return r.error();
        for (auto const& id : deleted)
            if (auto r = exec("DELETE FROM games WHERE id = $1", {id}); !r) return r.error();
        return {};
    });
}

result<std::size_t>
postgres::rehash_game_tokens(std::function<std::string(std::string_view)> const& hash) {
    return in_transaction([&]() -> result<std::size_t> {
        auto rows =
            exec("SELECT id, white_token, black_token FROM games"
                 " WHERE length(white_token) <> 64 OR length(black_token) <> 64 FOR UPDATE");
        if (!rows) return rows.error();
        auto hashed = [&](std::optional<std::string> const& t) -> pg_param {
            if (!t || t->size() == 64) return t;
            return hash(*t);
        };
        for (int i = 0; i < rows->size(); ++i) {
            auto r = exec("UPDATE games SET white_token = $2, black_token = $3 WHERE id = $1",
                          {rows->text(i, 0), hashed(rows->optional_text(i, 1)),
                           hashed(rows->optional_text(i, 2))});
            if (!r) return r.error();
        }
        return static_cast<std::size_t>(rows->size());
    });
}

result<std::vector<game_record>> postgres::load_active_games(std::optional<std::size_t> newest) {
    auto const limit =
        newest ? std::min<std::size_t>(*newest, std::numeric_limits<std::int64_t>::max())
               : std::size_t{std::numeric_limits<std::int64_t>::max()};
    auto r = exec("SELECT * FROM (SELECT " KIBITZ_GAME_COLUMNS " FROM games"
                  " WHERE status IN ('waiting', 'started')"
                  " ORDER BY created_at DESC, id DESC LIMIT $1::bigint) newest"
                  " ORDER BY created_at, id",
                  {num(static_cast<std::int64_t>(limit))});
    if (!r) return r.error();
    std::vector<game_record> games;
    for (int i = 0; i < r->size(); ++i)
        games.push_back(read_game(r.value(), i));
    return games;
}

result<std::vector<game_record>> postgres::finished_games(std::optional<game_cursor> const& before,
                                                          std::size_t limit) {
    // No cursor: from past the newest possible row.
    auto const from = before.value_or(game_cursor{std::numeric_limits<std::int64_t>::max(), ""});
    auto r = exec("SELECT " KIBITZ_GAME_COLUMNS " FROM games"
                  " WHERE status = 'ended' AND reason <> 'aborted'"
                  " AND (ended_at, id) < ($1::bigint, $2)"
                  " ORDER BY ended_at DESC, id DESC LIMIT $3::bigint",
                  {num(from.ended_at), from.id,
                   num(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000)))});
    if (!r) return r.error();
    std::vector<game_record> games;
    for (int i = 0; i < r->size(); ++i)
        games.push_back(read_game(r.value(), i));
    return games;
}

#undef KIBITZ_MESSAGE_COLUMNS
#undef KIBITZ_GAME_COLUMNS

} // namespace kibitz::store::detail
