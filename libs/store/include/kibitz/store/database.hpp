#pragma once

#include <kibitz/store/counters.hpp>
#include <kibitz/store/records.hpp>
#include <kibitz/store/result.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::store {

namespace detail {
struct connection;
class postgres;
} // namespace detail

// How to open the database.
struct open_options {
    // How long a statement waits for a lock held by another connection (another process on the
    // same file) before failing with SQLITE_BUSY.
    int busy_timeout_ms = 5000;
};

// How to reach PostgreSQL (database::open_postgres).
struct postgres_options {
    // Connecting waits at most this long (libpq's connect_timeout, whole seconds).
    int connect_timeout_ms = 3000;
    // A statement that has no answer within this is given up: the connection is dropped and
    // the call fails with store_error::unavailable.
    int query_timeout_ms = 5000;
};

// The newest schema version this build knows (PRAGMA user_version after open).
int latest_schema_version() noexcept;

// The file name of the database inside the data directory.
inline constexpr std::string_view database_file_name = "kibitz.db";

// One SQLite connection to `<data dir>/kibitz.db`: the synchronous core of the store.
//
// Durability: WAL journal with synchronous=FULL, so a function that returned success has its
// transaction on disk: neither kill -9 nor a power cut loses it. Every statement is prepared once
// at open and reused. Not thread-safe: one thread at a time uses a database (the opener at
// start-up, then the store::worker's thread); moving it hands it over. Every failure is a value
// (result<...>); nothing throws except std::bad_alloc.
class database {
public:
    // Creates `data_dir` (and parents) when missing, opens or creates kibitz.db in it, sets WAL
    // and synchronous=FULL, and runs the pending schema migrations in one transaction (none when
    // the file is current, so opening is idempotent). Fails with a generic_category code when the
    // directory cannot be made, an sqlite_category code when the file cannot be opened or is not
    // a database, store_error::schema_too_new or store_error::not_wal.
    static result<database> open(std::filesystem::path const& data_dir, open_options options = {});

    // The same store on PostgreSQL: `url` is a libpq connection URI or string of an existing,
    // possibly empty database. Creates the tables when missing, once even when several nodes
    // open the database at the same moment (the migrations run under an advisory lock). Every
    // function below keeps its contract; in addition any of them may fail with
    // store_error::unavailable (the server cannot be reached or did not answer within
    // `query_timeout_ms`; the next call connects again, after a short backoff) or
    // store_error::query_failed. COMMIT has returned before a function reports success
    // (synchronous_commit as the server sets it, on by default). A client id is unique per
    // sender across every node sharing the database.
    static result<database> open_postgres(std::string const& url, postgres_options options = {});

    database(database&&) noexcept;
    database& operator=(database&&) noexcept;
    ~database();

    // The path of the database file (empty on PostgreSQL).
    std::filesystem::path const& path() const noexcept;

    // The schema version of the open file (latest_schema_version() after a successful open).
    int schema_version() const noexcept;

    // Stores a chat message in one transaction and returns it with its server id. When
    // `draft.client_id` is set and a message from `draft.from_key` with that client id exists
    // (also one stored before a restart), stores nothing and returns the existing message with
    // duplicate = true, even if its room or text differ. Fails with store_error::invalid_argument
    // when exactly one of to_name/to_key is set, or with the SQLite error.
    result<inserted_message> insert_message(message_draft const& draft);

    // Changes the text of message `change.id` to `change.text` (with `edited` and `mentions`),
    // in one transaction, when its author `change.author_key` may (message_change): otherwise
    // not_found or forbidden, and nothing changes. A tombstone is not_found.
    result<changed_message> edit_message(message_change const& change);

    // Makes message `change.id` a tombstone (text and mentions emptied, `deleted` set), under
    // the same rules as edit_message; a message already deleted by its author is `unchanged`.
    result<changed_message> delete_message(message_change const& change);

    // The last `limit` messages of `room` with an id below `before` (all when empty) that the
    // viewer with name key `viewer_key` may see (public ones, and private ones from or to the
    // viewer), oldest first. `limit` above 1000 counts as 1000; 0 gives nothing. Each kind of
    // visibility has its own index, so a room of any size costs O(limit log n).
    result<std::vector<message_record>> history(std::string_view room, std::string_view viewer_key,
                                                std::optional<std::int64_t> before,
                                                std::size_t limit);

    // The identity of the chat name with key `name_key` for a joiner that gave a token whose
    // SHA-256 (hex) is `token_hash`, or none. When an identity of that name was made for that
    // token, returns it (reused); otherwise stores a new identity for `new_token_hash` (the
    // hash of the token the server hands out) at `created_at` (ms since the epoch) and returns
    // it; when an identity of that name already has `new_token_hash` (a repeated claim),
    // returns that one (not reused). Only hashes are stored; a hash is found through a unique
    // index. Every claim, made or reused, marks the identity claimed at `created_at`. Fails with
    // store_error::invalid_argument for an empty key or new hash, or with the SQLite error.
    result<identity_claim> claim_identity(std::string_view name_key,
                                          std::optional<std::string> const& token_hash,
                                          std::string_view new_token_hash, std::int64_t created_at);

    // Deletes at most `limit` identities last claimed before `claimed_before` (ms since the
    // epoch) that no message names (as "#<id>" in from_key or to_key, chat::identity_key) and
    // that are not in `keep` (the identities present now), oldest claim first; returns how many.
    // Such an identity has no history to protect: its token, offered later, simply gets a new
    // identity. One statement, so one transaction.
    result<std::size_t> prune_identities(std::int64_t claimed_before,
                                         std::vector<std::int64_t> const& keep, std::size_t limit);

    // Inserts or replaces the game with `game.id`, unless the stored one has a higher `v`: then
    // nothing changes and the result is false (a late save never takes `v` back). An equal `v`
    // replaces. One statement, so one transaction. Fails with store_error::invalid_argument for
    // an empty id, an unknown status or a move that is empty or holds white space, or with the
    // SQLite error (a CHECK on colours and clock fields).
    result<bool> save_game(game_record const& game);

    // The game with `id`, or nullopt when there is none. An id a game had before migration 3
    // made ids lower-case finds the game too (the record carries its current id).
    result<std::optional<game_record>> load_game(std::string_view id);

    // The current id of the game that had `old_id` before migration 3, or nullopt.
    result<std::optional<std::string>> find_game_alias(std::string_view old_id);

    // Saves `games` (as save_game does, a lower `v` changing nothing) and deletes the games with
    // the ids in `deleted`, in one transaction: all of it is on disk, or none of it.
    result<void> save_games(std::vector<game_record> const& games,
                            std::vector<std::string> const& deleted);

    // Replaces every seat token that is not 64 characters long (stored before tokens were
    // hashed) by `hash(token)`, in one transaction; returns how many games it rewrote.
    result<std::size_t>
    rehash_game_tokens(std::function<std::string(std::string_view)> const& hash);

    // The games whose status is "waiting" or "started", oldest first: what the chess app
    // restores at start-up.
    result<std::vector<game_record>> load_active_games();
    // The same, only the `newest` most recently created of them (still oldest first).
    result<std::vector<game_record>> load_active_games(std::size_t newest);

    // Finished games for the list of recent games: status "ended" and not aborted, newest end
    // first (ties by id, descending), only those after `before` in that order when given, at
    // most `limit` of them (above 1000 counts as 1000; 0 gives nothing). A partial index on
    // (ended_at, id) makes a page cost O(limit log n) wherever it starts.
    result<std::vector<game_record>> finished_games(std::optional<game_cursor> const& before,
                                                    std::size_t limit);

    // How long each operation took (counters.hpp), shared: it outlives this database (the
    // binary reads it while the worker owns the database).
    std::shared_ptr<store::counters const> counters() const noexcept { return counters_; }

private:
    explicit database(std::unique_ptr<detail::connection> conn) noexcept;
    explicit database(std::unique_ptr<detail::postgres> pg) noexcept;

    std::unique_ptr<detail::connection> conn_; // SQLite, or
    std::unique_ptr<detail::postgres> pg_;     // PostgreSQL
    std::shared_ptr<store::counters> counters_ = std::make_shared<store::counters>();
};

} // namespace kibitz::store
