#pragma once

// The PostgreSQL side of the store (libpq): one connection with its deadlines and reconnects, and
// the store's operations on it, with the same contracts as store::database's SQLite ones. Only
// the store's sources include libpq-fe.h.

#include <kibitz/store/records.hpp>
#include <kibitz/store/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace kibitz::store::detail {

// The answer of one statement: rows of text values (NULL as nullopt).
class pg_rows {
public:
    explicit pg_rows(pg_result* r) noexcept : r_(r) {}
    pg_rows(pg_rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
    pg_rows& operator=(pg_rows&&) = delete;
    pg_rows(pg_rows const&) = delete;
    ~pg_rows();

    int size() const noexcept;
    // Rows changed by an INSERT, UPDATE or DELETE.
    std::int64_t changed() const noexcept;
    bool is_null(int row, int col) const noexcept;
    std::string text(int row, int col) const;
    std::optional<std::string> optional_text(int row, int col) const;
    std::int64_t int64(int row, int col) const noexcept;
    std::optional<std::int64_t> optional_int64(int row, int col) const noexcept;
    bool boolean(int row, int col) const noexcept;

private:
    pg_result* r_;
};

using pg_param = std::optional<std::string>;

// One libpq connection to `url`, owned by one thread (the store worker's). Every statement has a
// deadline (`query_timeout`): past it the connection is dropped and the statement fails with
// store_error::unavailable, as it does when the server cannot be reached. A dropped connection
// is made again by the next statement, but not before a backoff (250 ms doubling to 5 s) has
// passed since the last failed attempt: in between, statements fail at once, so a queue of jobs
// does not wait a connect timeout each while the database is down.
class postgres {
public:
    struct options {
        std::chrono::milliseconds connect_timeout{3000};
        std::chrono::milliseconds query_timeout{5000};
    };

    // Connects and runs the pending migrations (once across nodes: under an advisory lock).
    static result<std::unique_ptr<postgres>> open(std::string url, options opts);
    postgres(std::string url, options opts);
    postgres(postgres const&) = delete;
    postgres& operator=(postgres const&) = delete;
    ~postgres();

    int schema_version() const noexcept { return schema_version_; }

    result<inserted_message> insert_message(message_draft const& d);
    result<std::vector<message_record>> history(std::string_view room, std::string_view viewer_key,
                                                std::optional<std::int64_t> before,
                                                std::size_t limit);
    result<changed_message> change_message(message_change const& c, bool is_delete);
    result<identity_claim> claim_identity(std::string_view name_key,
                                          std::optional<std::string> const& token_hash,
                                          std::string_view new_token_hash, std::int64_t created_at);
    result<bool> save_game(game_record const& g);
    result<std::optional<game_record>> load_game(std::string_view id);
    result<std::optional<std::string>> find_game_alias(std::string_view old_id);
    result<void> save_games(std::vector<game_record> const& games,
                            std::vector<std::string> const& deleted);
    result<std::size_t>
    rehash_game_tokens(std::function<std::string(std::string_view)> const& hash);
    result<std::vector<game_record>> load_active_games(std::optional<std::size_t> newest);
    result<std::size_t> prune_identities(std::int64_t claimed_before,
                                         std::vector<std::int64_t> const& keep, std::size_t limit);
    result<std::vector<game_record>> finished_games(std::optional<game_cursor> const& before,
                                                    std::size_t limit);

    // Runs `sql` with text parameters ($1, $2, ...; nullopt is NULL).
    result<pg_rows> exec(std::string_view sql, std::initializer_list<pg_param> params = {});

private:
    result<void> connect();
    result<void> migrate();
    result<pg_rows> run(std::string const& sql, std::vector<pg_param> const& params);
    result<void> await_result(std::chrono::steady_clock::time_point deadline);
    failure drop(std::string why);
    template<class F>
    auto in_transaction(F body) -> decltype(body());

    std::string url_;
    options opts_;
    pg_conn* conn_ = nullptr;
    std::chrono::steady_clock::time_point next_attempt_{};
    std::chrono::milliseconds backoff_{0};
    int schema_version_ = 0;
};

// Runs `body` (returning a result) between BEGIN and COMMIT; a failure rolls back.
template<class F>
auto postgres::in_transaction(F body) -> decltype(body()) {
    if (auto r = exec("BEGIN"); !r) return r.error();
    auto outcome = body();
    if (!outcome) {
        if (conn_) (void)exec("ROLLBACK");
        return outcome;
    }
    if (auto r = exec("COMMIT"); !r) return r.error();
    return outcome;
}

} // namespace kibitz::store::detail
