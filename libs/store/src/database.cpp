#include "connection.hpp"
#include "postgres.hpp"

#include <kibitz/store/database.hpp>

#include <string>
#include <system_error>

namespace kibitz::store {
namespace {

// Reads the one-row answer of a PRAGMA that sets and reports a mode.
result<std::string> pragma_text(sqlite3* db, char const* sql) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    if (rc != SQLITE_OK) return detail::sqlite_failure(db, rc, sql);
    rc = sqlite3_step(s);
    std::string text;
    if (rc == SQLITE_ROW) text = reinterpret_cast<char const*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return detail::sqlite_failure(db, rc, sql);
    return text;
}

// WAL lets readers run beside the writer and makes each commit one append to the log;
// synchronous=FULL fsyncs the log at every commit, so an acked message survives even a power
// cut (NORMAL would survive kill -9 but not a power cut).
result<void> configure(detail::connection& conn, open_options const& options) {
    sqlite3_extended_result_codes(conn.db, 1);
    sqlite3_busy_timeout(conn.db, options.busy_timeout_ms);
    auto const mode = pragma_text(conn.db, "PRAGMA journal_mode = WAL");
    if (!mode) return mode.error();
    if (mode.value() != "wal") {
        return failure{store_error::not_wal, "journal mode is " + mode.value() + ", not wal"};
    }
    if (auto r = pragma_text(conn.db, "PRAGMA synchronous = FULL"); !r) return r.error();
    return {};
}

// Creates the data directory when missing.
result<void> make_directory(std::filesystem::path const& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return failure{ec, "creating " + dir.string() + ": " + ec.message()};
    return {};
}

} // namespace

result<database> database::open(std::filesystem::path const& data_dir, open_options options) {
    if (auto r = make_directory(data_dir); !r) return r.error();
    auto conn = std::make_unique<detail::connection>();
    conn->path = data_dir / database_file_name;
    int const flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int const rc = sqlite3_open_v2(conn->path.c_str(), &conn->db, flags, nullptr);
    if (rc != SQLITE_OK) {
        return detail::sqlite_failure(conn->db, rc, "opening " + conn->path.string());
    }
    if (auto r = configure(*conn, options); !r) return r.error();
    if (auto r = detail::migrate(*conn); !r) return r.error();
    if (auto r = conn->prepare_all(); !r) return r.error();
    return database(std::move(conn));
}

result<database> database::open_postgres(std::string const& url, postgres_options options) {
    auto pg = detail::postgres::open(url, {std::chrono::milliseconds(options.connect_timeout_ms),
                                           std::chrono::milliseconds(options.query_timeout_ms)});
    if (!pg) return pg.error();
    return database(std::move(pg).value());
}

database::database(std::unique_ptr<detail::connection> conn) noexcept : conn_(std::move(conn)) {}
database::database(std::unique_ptr<detail::postgres> pg) noexcept : pg_(std::move(pg)) {}
database::database(database&&) noexcept = default;
database& database::operator=(database&&) noexcept = default;
database::~database() = default;

std::filesystem::path const& database::path() const noexcept {
    static std::filesystem::path const none;
    return conn_ ? conn_->path : none;
}

int database::schema_version() const noexcept {
    if (pg_) return pg_->schema_version();
    return conn_ ? conn_->schema_version : 0;
}

} // namespace kibitz::store
