#include "postgres.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace kibitz::store::detail {
namespace {

using clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds first_backoff{250};
constexpr std::chrono::milliseconds max_backoff{5000};
// pg_advisory_xact_lock key of the migrations: "kibitz" in ASCII.
constexpr char const* migration_lock = "SELECT pg_advisory_xact_lock(118105098105116122)";

// The schema, as migrations applied in order (version i + 1 after migration i). Append only.
// The same tables and meanings as SQLite's (schema.cpp), in PostgreSQL's types.
constexpr std::array<char const*, 3> migrations = {
    R"sql(
CREATE TABLE messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room text NOT NULL,
    from_name text NOT NULL,
    from_key text NOT NULL,
    to_name text,
    to_key text,
    text text NOT NULL,
    ts bigint NOT NULL,
    client_id text,
    action boolean NOT NULL DEFAULT false,
    mentions text NOT NULL DEFAULT '',
    edited bigint,
    deleted boolean NOT NULL DEFAULT false,
    CHECK ((to_name IS NULL) = (to_key IS NULL))
);
CREATE UNIQUE INDEX messages_client_id ON messages (from_key, client_id)
    WHERE client_id IS NOT NULL;
CREATE INDEX messages_public ON messages (room, id) WHERE to_key IS NULL;
CREATE INDEX messages_private_from ON messages (room, from_key, id) WHERE to_key IS NOT NULL;
CREATE INDEX messages_private_to ON messages (room, to_key, id) WHERE to_key IS NOT NULL;
CREATE TABLE identities (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name_key text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at bigint NOT NULL
);
CREATE TABLE games (
    id text PRIMARY KEY,
    v bigint NOT NULL,
    created_at bigint NOT NULL,
    creator_color text NOT NULL CHECK (creator_color IN ('white', 'black', 'random')),
    status text NOT NULL CHECK (status IN ('waiting', 'started', 'ended')),
    result text,
    reason text,
    white_name text,
    black_name text,
    white_token text,
    black_token text,
    start_fen text NOT NULL,
    moves text NOT NULL,
    initial_ms bigint,
    increment_ms bigint,
    white_ms bigint,
    black_ms bigint,
    running text CHECK (running IN ('white', 'black')),
    running_since bigint,
    draw_offer text CHECK (draw_offer IN ('white', 'black')),
    rematch_offer text CHECK (rematch_offer IN ('white', 'black')),
    rematch_id text,
    CHECK ((initial_ms IS NULL) = (increment_ms IS NULL)),
    CHECK ((running IS NULL) = (running_since IS NULL))
);
CREATE INDEX games_active ON games (created_at, id) WHERE status IN ('waiting', 'started');
CREATE TABLE game_aliases (old_id text PRIMARY KEY, new_id text NOT NULL);
)sql",
    // 2 (chat): identities are pruned when nothing refers to them (prune_identities).
    R"sql(
ALTER TABLE identities ADD COLUMN claimed_at bigint NOT NULL DEFAULT 0;
UPDATE identities SET claimed_at = created_at;
CREATE INDEX identities_claimed ON identities (claimed_at);
CREATE INDEX messages_from_key ON messages (from_key);
CREATE INDEX messages_to_key ON messages (to_key) WHERE to_key IS NOT NULL;
)sql",
    // 3 (chess, SQLite's 7): takebacks, lag compensation granted, when a game ended.
    R"sql(
ALTER TABLE games ADD COLUMN takeback_offer text CHECK (takeback_offer IN ('white', 'black'));
ALTER TABLE games ADD COLUMN clock_history text NOT NULL DEFAULT '';
ALTER TABLE games ADD COLUMN white_lag_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE games ADD COLUMN black_lag_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE games ADD COLUMN ended_at bigint;
UPDATE games SET ended_at = created_at WHERE status = 'ended';
CREATE INDEX games_finished ON games (ended_at, id) WHERE status = 'ended' AND reason <> 'aborted';
)sql",
};

failure unavailable(std::string why) {
    return failure{store_error::unavailable, std::move(why)};
}

std::string first_line(char const* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

} // namespace

// ---- pg_rows ----

pg_rows::~pg_rows() {
    if (r_) PQclear(r_);
}

int pg_rows::size() const noexcept {
    return r_ ? PQntuples(r_) : 0;
}

std::int64_t pg_rows::changed() const noexcept {
    if (!r_) return 0;
    std::int64_t n = 0;
    char const* text = PQcmdTuples(r_);
    std::from_chars(text, text + std::strlen(text), n);
    return n;
}

bool pg_rows::is_null(int row, int col) const noexcept {
    return PQgetisnull(r_, row, col) != 0;
}

std::string pg_rows::text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col),
                       static_cast<std::size_t>(PQgetlength(r_, row, col)));
}

std::optional<std::string> pg_rows::optional_text(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return text(row, col);
}

std::int64_t pg_rows::int64(int row, int col) const noexcept {
    std::int64_t v = 0;
    char const* s = PQgetvalue(r_, row, col);
    std::from_chars(s, s + PQgetlength(r_, row, col), v);
    return v;
}

std::optional<std::int64_t> pg_rows::optional_int64(int row, int col) const noexcept {
    if (is_null(row, col)) return std::nullopt;
    return int64(row, col);
}

bool pg_rows::boolean(int row, int col) const noexcept {
    return PQgetvalue(r_, row, col)[0] == 't';
}

// ---- the connection ----

postgres::postgres(std::string url, options opts) : url_(std::move(url)), opts_(opts) {}

postgres::~postgres() {
    if (conn_) PQfinish(conn_);
}

result<std::unique_ptr<postgres>> postgres::open(std::string url, options opts) {
    auto pg = std::make_unique<postgres>(std::move(url), opts);
    if (auto r = pg->connect(); !r) return r.error();
    if (auto r = pg->migrate(); !r) return r.error();
    return pg;
}

failure postgres::drop(std::string why) {
    if (conn_) {
        why += ": " + first_line(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
    }
    backoff_ = first_backoff;
    next_attempt_ = clock::now();
    return unavailable(std::move(why));
}

result<void> postgres::connect() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return {};
    if (conn_) {
        PQfinish(conn_);
        conn_ = nullptr;
    }
    auto const now = clock::now();
    if (now < next_attempt_) return unavailable("PostgreSQL is unreachable; retrying shortly");
    auto const timeout = std::to_string(std::max<std::int64_t>(
        1, std::chrono::ceil<std::chrono::seconds>(opts_.connect_timeout).count()));
    std::array<char const*, 4> keys = {"dbname", "connect_timeout", "application_name", nullptr};
    std::array<char const*, 4> values = {url_.c_str(), timeout.c_str(), "kibitz", nullptr};
    conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        std::string why = "connecting to PostgreSQL";
        if (conn_) why += ": " + first_line(PQerrorMessage(conn_));
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        backoff_ = backoff_.count() == 0 ? first_backoff : std::min(backoff_ * 2, max_backoff);
        next_attempt_ = now + backoff_;
        return unavailable(std::move(why));
    }
    backoff_ = std::chrono::milliseconds{0};
    // Nothing the server says should reach stderr; notices are not errors.
    PQsetNoticeProcessor(
        conn_, [](void*, char const*) {}, nullptr);
    return {};
}

result<pg_rows> postgres::exec(std::string_view sql, std::initializer_list<pg_param> params) {
    return run(std::string(sql), std::vector<pg_param>(params));
}

// Waits until PQgetResult will not block: the statement is sent and its next result read.
result<void> postgres::await_result(clock::time_point deadline) {
    for (;;) {
        int const flushed = PQflush(conn_);
        if (flushed < 0) return drop("sending a statement");
        if (flushed == 0 && !PQisBusy(conn_)) return {};
        auto const left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return drop("PostgreSQL did not answer in time");
        pollfd fd{PQsocket(conn_), static_cast<short>(POLLIN | (flushed ? POLLOUT : 0)), 0};
        int const n = ::poll(&fd, 1, static_cast<int>(left.count()));
        if (n < 0 && errno != EINTR) return drop("waiting for PostgreSQL");
        if (n > 0 && (fd.revents & POLLIN) && !PQconsumeInput(conn_))
            return drop("reading from PostgreSQL");
    }
}

// Sends the statement and waits for its answer with poll(), at most query_timeout.
result<pg_rows> postgres::run(std::string const& sql, std::vector<pg_param> const& params) {
    if (auto r = connect(); !r) return r.error();
    std::vector<char const*> values;
    values.reserve(params.size());
    for (auto const& p : params)
        values.push_back(p ? p->c_str() : nullptr);
    // Without parameters, the simple protocol (a migration holds several statements).
    int const sent = values.empty()
                         ? PQsendQuery(conn_, sql.c_str())
                         : PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                             nullptr, values.data(), nullptr, nullptr, 0);
    if (!sent) return drop("sending a statement");
    auto const deadline = clock::now() + opts_.query_timeout;
    // Every result is awaited with the deadline: a migration's later statements answer later,
    // and PQgetResult would block for them.
    PGresult* last = nullptr;
    for (;;) {
        if (auto ready = await_result(deadline); !ready) {
            if (last) PQclear(last);
            return ready.error();
        }
        PGresult* r = PQgetResult(conn_);
        if (!r) break;
        if (last) PQclear(last);
        last = r;
    }
    pg_rows rows(last);
    auto const status = last ? PQresultStatus(last) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
    if (PQstatus(conn_) != CONNECTION_OK) return drop("the connection to PostgreSQL was lost");
    char const* state = last ? PQresultErrorField(last, PG_DIAG_SQLSTATE) : nullptr;
    return failure{store_error::query_failed,
                   first_line(last ? PQresultErrorMessage(last) : PQerrorMessage(conn_)) +
                       (state ? std::string(" (SQLSTATE ") + state + ")" : std::string())};
}

result<void> postgres::migrate() {
    auto body = [this]() -> result<void> {
        if (auto r = exec(migration_lock); !r) return r.error();
        if (auto r = exec("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
            !r)
            return r.error();
        auto v = exec("SELECT max(version) FROM schema_version");
        if (!v) return v.error();
        int version = v->is_null(0, 0) ? 0 : static_cast<int>(v->int64(0, 0));
        if (version > static_cast<int>(migrations.size()))
            return failure{store_error::schema_too_new,
                           "schema version " + std::to_string(version) +
                               " is newer than this build's " + std::to_string(migrations.size())};
        for (auto i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
            if (auto r = exec(migrations[i]); !r) return r.error();
        }
        if (auto r = exec("DELETE FROM schema_version"); !r) return r.error();
        auto const latest = std::to_string(migrations.size());
        if (auto r = exec("INSERT INTO schema_version (version) VALUES ($1::integer)", {latest});
            !r)
            return r.error();
        schema_version_ = static_cast<int>(migrations.size());
        return {};
    };
    return in_transaction(body);
}

} // namespace kibitz::store::detail
