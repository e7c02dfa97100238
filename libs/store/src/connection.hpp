#pragma once

// The private SQLite layer of the store: the open connection, its cached prepared statements,
// a statement-use guard and a transaction guard. Only the store's sources include sqlite3.h.

#include <kibitz/store/result.hpp>

#include <sqlite3.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::store::detail {

// The statements prepared once at open (their SQL is in schema.cpp).
enum class stmt : std::uint8_t {
    begin,
    commit,
    rollback,
    insert_message,
    find_by_client_id,
    history,
    find_message,
    edit_message,
    delete_message,
    save_game,
    load_game,
    load_active_games,
    find_identity,
    insert_identity,
    touch_identity,
    prune_identities,
    count_
};

inline constexpr std::size_t stmt_count = static_cast<std::size_t>(stmt::count_);

// The SQL text of a cached statement.
char const* statement_sql(stmt s) noexcept;

// A failure carrying SQLite's code and, when `db` is given, its last error message.
failure sqlite_failure(sqlite3* db, int rc, std::string_view doing);

// The failure of any call on a moved-from database.
failure closed_failure();

// One use of a cached prepared statement: binds parameters (1-based), steps, reads columns
// (0-based). Resets the statement and clears its bindings on destruction, so the cache hands it
// out again clean. A failed bind is remembered and returned by the next step().
class query {
public:
    query(sqlite3* db, sqlite3_stmt* statement) noexcept : db_(db), stmt_(statement) {}
    query(query const&) = delete;
    query& operator=(query const&) = delete;
    ~query();

    void bind(int index, std::int64_t value) noexcept;
    void bind(int index, std::string_view value) noexcept;
    void bind(int index, std::string const& value) noexcept {
        bind(index, std::string_view(value));
    }
    void bind(int index, std::optional<std::string> const& value) noexcept;
    void bind(int index, std::optional<std::int64_t> value) noexcept;

    // SQLITE_ROW, SQLITE_DONE, or an error code.
    int step() noexcept;

    std::int64_t int64(int column) const noexcept;
    std::string text(int column) const;
    std::optional<std::string> optional_text(int column) const;
    std::optional<std::int64_t> optional_int64(int column) const noexcept;

    // The failure for `rc`, with the connection's message.
    failure fail(int rc, std::string_view doing) const { return sqlite_failure(db_, rc, doing); }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
    int bind_rc_ = SQLITE_OK;
};

// The open connection behind a store::database. Finalizes its statements and closes on
// destruction.
struct connection {
    connection() = default;
    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;
    ~connection();

    // Prepares every statement of `stmt` (persistent: they live as long as the connection).
    result<void> prepare_all();

    query use(stmt s) noexcept { return query(db, statements[static_cast<std::size_t>(s)]); }

    // Runs a statement that takes no parameters and returns no rows.
    result<void> run(stmt s, std::string_view doing);

    sqlite3* db = nullptr;
    std::array<sqlite3_stmt*, stmt_count> statements{};
    std::filesystem::path path;
    int schema_version = 0;
};

// BEGIN IMMEDIATE on construction (the write lock is taken at once, so a transaction never
// fails half-way on a lock upgrade); ROLLBACK on destruction unless commit() succeeded.
class transaction {
public:
    explicit transaction(connection& conn);
    transaction(transaction const&) = delete;
    transaction& operator=(transaction const&) = delete;
    ~transaction();

    // Whether BEGIN succeeded.
    result<void> const& begun() const noexcept { return begun_; }

    // COMMIT; with synchronous=FULL the transaction is on disk when this returns success.
    result<void> commit();

private:
    connection& conn_;
    result<void> begun_;
    bool open_ = false;
};

// Runs the migrations the file lacks (schema.cpp), in one transaction.
result<void> migrate(connection& conn);

} // namespace kibitz::store::detail
