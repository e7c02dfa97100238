#include "columns.hpp"
#include "connection.hpp"

#include <kibitz/store/database.hpp>

#include <array>
#include <string>

namespace kibitz::store {
namespace {

// The schema, as migrations applied in order. Migration i brings the file from
// PRAGMA user_version i to i + 1. Append only: never edit a migration that has shipped.
constexpr std::array<char const*, 7> migrations = {
    // 1: chat messages. The rowid is the server message id (AUTOINCREMENT: never reused). A
    // client id is unique per sender key; the three partial indexes serve the three ways a
    // viewer may see a message (public, sent by the viewer, sent to the viewer).
    R"sql(
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    from_name TEXT NOT NULL,
    from_key TEXT NOT NULL,
    to_name TEXT,
    to_key TEXT,
    text TEXT NOT NULL,
    ts INTEGER NOT NULL,
    client_id TEXT,
    CHECK ((to_name IS NULL) = (to_key IS NULL))
);
CREATE UNIQUE INDEX messages_client_id ON messages (from_key, client_id)
    WHERE client_id IS NOT NULL;
CREATE INDEX messages_public ON messages (room, id) WHERE to_key IS NULL;
CREATE INDEX messages_private_from ON messages (room, from_key, id) WHERE to_key IS NOT NULL;
CREATE INDEX messages_private_to ON messages (room, to_key, id) WHERE to_key IS NOT NULL;
)sql",
    // 2: chess games, one row per game, replaced on every change (moves as space-separated
    // UCI). The clock columns are all NULL for a game without a clock.
    R"sql(
CREATE TABLE games (
    id TEXT PRIMARY KEY NOT NULL,
    v INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    creator_color TEXT NOT NULL CHECK (creator_color IN ('white', 'black', 'random')),
    status TEXT NOT NULL CHECK (status IN ('waiting', 'started', 'ended')),
    result TEXT,
    reason TEXT,
    white_name TEXT,
    black_name TEXT,
    white_token TEXT,
    black_token TEXT,
    start_fen TEXT NOT NULL,
    moves TEXT NOT NULL,
    initial_ms INTEGER,
    increment_ms INTEGER,
    white_ms INTEGER,
    black_ms INTEGER,
    running TEXT CHECK (running IN ('white', 'black')),
    running_since INTEGER,
    draw_offer TEXT CHECK (draw_offer IN ('white', 'black')),
    rematch_offer TEXT CHECK (rematch_offer IN ('white', 'black')),
    rematch_id TEXT,
    CHECK ((initial_ms IS NULL) = (increment_ms IS NULL)),
    CHECK ((running IS NULL) = (running_since IS NULL))
) WITHOUT ROWID;
CREATE INDEX games_active ON games (created_at, id) WHERE status IN ('waiting', 'started');
)sql",
    // 3: chat identities. A name's identity is the token handed out when it was first taken;
    // only the token's SHA-256 is stored. Messages from then on carry "#<id>" as from_key and
    // to_key; the case-folded name keys of older rows match no identity, so nobody who takes a
    // name later reads the private messages of its earlier holders.
    R"sql(
CREATE TABLE identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_key TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
)sql",
    // 4 (chess): game ids become lower-case (PROTOCOL.md: `a-z 0-9 _ -`, so that `game:<id>` is
    // a /chat room). Each game whose id has upper-case letters gets its lower-cased id, or, when
    // that is taken (by a game already lower-case or by another renamed one), the lower-cased id
    // with a random suffix; `game_aliases` keeps old id -> new id for old links and tokens, and
    // `rematch_id` follows. Depends on the games table only.
    R"sql(
CREATE TABLE game_aliases (
    old_id TEXT PRIMARY KEY NOT NULL,
    new_id TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO game_aliases (old_id, new_id) SELECT id, lower(id) FROM games WHERE id <> lower(id);
UPDATE game_aliases SET new_id = new_id || '-' || lower(hex(randomblob(8)))
    WHERE new_id IN (SELECT new_id FROM game_aliases GROUP BY new_id HAVING count(*) > 1)
       OR new_id IN (SELECT id FROM games);
UPDATE games SET id = (SELECT new_id FROM game_aliases WHERE old_id = games.id)
    WHERE id IN (SELECT old_id FROM game_aliases);
UPDATE games SET rematch_id = (SELECT new_id FROM game_aliases WHERE old_id = games.rematch_id)
    WHERE rematch_id IN (SELECT old_id FROM game_aliases);
)sql",
    // 5 (chat): `/me` messages, mentions (names separated by spaces), edits and deletes. A
    // deleted message keeps its row (its place in the history) with an empty text.
    R"sql(
ALTER TABLE messages ADD COLUMN action INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN edited INTEGER;
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
)sql",
    // 6 (chat): identities are pruned when nothing refers to them (database::prune_identities):
    // when each was last claimed, and the indexes that find the messages naming one.
    R"sql(
ALTER TABLE identities ADD COLUMN claimed_at INTEGER NOT NULL DEFAULT 0;
UPDATE identities SET claimed_at = created_at;
CREATE INDEX identities_claimed ON identities (claimed_at);
CREATE INDEX messages_from_key ON messages (from_key);
CREATE INDEX messages_to_key ON messages (to_key) WHERE to_key IS NOT NULL;
)sql",
    // 7 (chess): takebacks (the standing offer, and per ply the mover's time left after the
    // move, space-separated, so a takeback restores the clocks), the lag compensation granted
    // per player, and when a game ended, with the index the list of finished games pages over
    // (aborted games are not listed). Games that ended before get their creation time.
    R"sql(
ALTER TABLE games ADD COLUMN takeback_offer TEXT CHECK (takeback_offer IN ('white', 'black'));
ALTER TABLE games ADD COLUMN clock_history TEXT NOT NULL DEFAULT '';
ALTER TABLE games ADD COLUMN white_lag_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE games ADD COLUMN black_lag_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE games ADD COLUMN ended_at INTEGER;
UPDATE games SET ended_at = created_at WHERE status = 'ended';
CREATE INDEX games_finished ON games (ended_at, id) WHERE status = 'ended' AND reason <> 'aborted';
)sql",
};

constexpr std::array<char const*, detail::stmt_count> statements = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "INSERT INTO messages (room, from_name, from_key, to_name, to_key, text, ts, client_id, "
    "action, mentions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "RETURNING " KIBITZ_MESSAGE_COLUMNS,
    "SELECT " KIBITZ_MESSAGE_COLUMNS " FROM messages "
    "WHERE from_key = ?1 AND client_id = ?2 AND client_id IS NOT NULL",
    // ?1 room, ?2 viewer key, ?3 before id, ?4 limit. Each branch walks one partial index
    // backwards from ?3 and stops after ?4 rows; the outer query merges them.
    "SELECT " KIBITZ_MESSAGE_COLUMNS " FROM messages WHERE id IN ("
    " SELECT id FROM (SELECT id FROM messages WHERE room = ?1 AND to_key IS NULL AND id < ?3"
    "  ORDER BY id DESC LIMIT ?4)"
    " UNION ALL"
    " SELECT id FROM (SELECT id FROM messages WHERE room = ?1 AND to_key IS NOT NULL"
    "  AND from_key = ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4)"
    " UNION ALL"
    " SELECT id FROM (SELECT id FROM messages WHERE room = ?1 AND to_key IS NOT NULL"
    "  AND to_key = ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4)"
    ") ORDER BY id DESC LIMIT ?4",
    "SELECT " KIBITZ_MESSAGE_COLUMNS " FROM messages WHERE id = ?1",
    "UPDATE messages SET text = ?2, edited = ?3, mentions = ?4 WHERE id = ?1"
    " RETURNING " KIBITZ_MESSAGE_COLUMNS,
    "UPDATE messages SET text = '', mentions = '', deleted = 1 WHERE id = ?1"
    " RETURNING " KIBITZ_MESSAGE_COLUMNS,
    // A newer or equal version replaces the row; an older one changes nothing.
    "INSERT INTO games (" KIBITZ_GAME_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
    " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
    "?27)" KIBITZ_GAME_UPSERT,
    "SELECT " KIBITZ_GAME_COLUMNS " FROM games WHERE id = ?1",
    "SELECT " KIBITZ_GAME_COLUMNS " FROM games WHERE status IN ('waiting', 'started')"
    " ORDER BY created_at, id",
    "SELECT id FROM identities WHERE token_hash = ?1 AND name_key = ?2",
    "INSERT INTO identities (name_key, token_hash, created_at, claimed_at)"
    " VALUES (?1, ?2, ?3, ?3) RETURNING id",
    "UPDATE identities SET claimed_at = max(claimed_at, ?2) WHERE id = ?1",
    // ?1 claimed before, ?2 a JSON array of the ids to keep, ?3 limit.
    "DELETE FROM identities WHERE id IN (SELECT i.id FROM identities i WHERE i.claimed_at < ?1"
    " AND i.id NOT IN (SELECT value FROM json_each(?2))"
    " AND NOT EXISTS (SELECT 1 FROM messages WHERE from_key = '#' || i.id)"
    " AND NOT EXISTS (SELECT 1 FROM messages WHERE to_key = '#' || i.id)"
    " ORDER BY i.claimed_at LIMIT ?3)",
};

#undef KIBITZ_MESSAGE_COLUMNS
#undef KIBITZ_GAME_COLUMNS

// PRAGMA user_version, read inside the migration transaction.
result<int> read_user_version(sqlite3* db) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr);
    if (rc != SQLITE_OK) return detail::sqlite_failure(db, rc, "reading the schema version");
    rc = sqlite3_step(s);
    int const version = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return detail::sqlite_failure(db, rc, "reading the schema version");
    return version;
}

// Runs migration `index` and records the version it reaches (a PRAGMA takes no parameters, so
// the number is formatted into the SQL).
result<void> apply_migration(sqlite3* db, std::size_t index) {
    std::string sql = migrations[index];
    sql += "PRAGMA user_version = " + std::to_string(index + 1) + ";";
    char* error = nullptr;
    int const rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);
    if (rc != SQLITE_OK) {
        return detail::sqlite_failure(db, rc, "migrating to version " + std::to_string(index + 1));
    }
    return {};
}

} // namespace

int latest_schema_version() noexcept {
    return static_cast<int>(migrations.size());
}

namespace detail {

char const* statement_sql(stmt s) noexcept {
    return statements[static_cast<std::size_t>(s)];
}

result<void> migrate(connection& conn) {
    // The write lock first, then the version: two processes opening a new file at once migrate
    // it once.
    char* error = nullptr;
    int rc = sqlite3_exec(conn.db, "BEGIN IMMEDIATE", nullptr, nullptr, &error);
    sqlite3_free(error);
    if (rc != SQLITE_OK) return sqlite_failure(conn.db, rc, "starting the migration");
    auto const version = read_user_version(conn.db);
    auto outcome = [&]() -> result<void> {
        if (!version) return version.error();
        if (version.value() > latest_schema_version()) {
            return failure{store_error::schema_too_new,
                           "schema version " + std::to_string(version.value()) +
                               " is newer than this build's " +
                               std::to_string(latest_schema_version())};
        }
        for (auto i = static_cast<std::size_t>(version.value()); i < migrations.size(); ++i) {
            if (auto r = apply_migration(conn.db, i); !r) return r;
        }
        return {};
    }();
    rc = sqlite3_exec(conn.db, outcome ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
    if (outcome && rc != SQLITE_OK) return sqlite_failure(conn.db, rc, "committing the migration");
    if (outcome) conn.schema_version = latest_schema_version();
    return outcome;
}

} // namespace detail
} // namespace kibitz::store
