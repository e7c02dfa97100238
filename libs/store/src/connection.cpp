#include "connection.hpp"

#include <string>

namespace kibitz::store::detail {

failure sqlite_failure(sqlite3* db, int rc, std::string_view doing) {
    std::string message(doing);
    message += ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return failure{std::error_code(rc, sqlite_category()), std::move(message)};
}

failure closed_failure() {
    return failure{store_error::closed, "the database was moved from"};
}

query::~query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

void query::bind(int index, std::int64_t value) noexcept {
    int const rc = sqlite3_bind_int64(stmt_, index, value);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void query::bind(int index, std::string_view value) noexcept {
    // SQLITE_TRANSIENT: SQLite copies the bytes, so `value` need not outlive the step.
    int const rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void query::bind(int index, std::optional<std::string> const& value) noexcept {
    if (value) return bind(index, std::string_view(*value));
    int const rc = sqlite3_bind_null(stmt_, index);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void query::bind(int index, std::optional<std::int64_t> value) noexcept {
    if (value) return bind(index, *value);
    int const rc = sqlite3_bind_null(stmt_, index);
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

int query::step() noexcept {
    if (bind_rc_ != SQLITE_OK) return bind_rc_;
    return sqlite3_step(stmt_);
}

std::int64_t query::int64(int column) const noexcept {
    return sqlite3_column_int64(stmt_, column);
}

std::string query::text(int column) const {
    // Read the bytes before their length: sqlite3_column_bytes after _text is the documented order.
    auto const* bytes = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, column));
    auto const size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
    return bytes != nullptr ? std::string(bytes, size) : std::string();
}

std::optional<std::string> query::optional_text(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return text(column);
}

std::optional<std::int64_t> query::optional_int64(int column) const noexcept {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return int64(column);
}

connection::~connection() {
    for (auto* s : statements)
        sqlite3_finalize(s);
    sqlite3_close(db);
}

result<void> connection::prepare_all() {
    for (std::size_t i = 0; i < stmt_count; ++i) {
        auto const s = static_cast<stmt>(i);
        int const rc = sqlite3_prepare_v3(db, statement_sql(s), -1, SQLITE_PREPARE_PERSISTENT,
                                          &statements[i], nullptr);
        if (rc != SQLITE_OK) return sqlite_failure(db, rc, "preparing a statement");
    }
    return {};
}

result<void> connection::run(stmt s, std::string_view doing) {
    auto q = use(s);
    int const rc = q.step();
    if (rc != SQLITE_DONE) return q.fail(rc, doing);
    return {};
}

transaction::transaction(connection& conn) : conn_(conn), begun_(conn.run(stmt::begin, "BEGIN")) {
    open_ = begun_.ok();
}

transaction::~transaction() {
    // A failed COMMIT may leave the transaction open (SQLITE_BUSY); roll it back so the
    // connection is usable again. The rollback's own failure has nowhere better to go.
    if (open_ && sqlite3_get_autocommit(conn_.db) == 0) (void)conn_.run(stmt::rollback, "ROLLBACK");
}

result<void> transaction::commit() {
    auto r = conn_.run(stmt::commit, "COMMIT");
    if (r.ok()) open_ = false;
    return r;
}

} // namespace kibitz::store::detail
