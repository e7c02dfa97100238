#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace kibitz::store {

// The store's own reasons for refusing work (PostgreSQL's as unavailable or query_failed, with
// the server's message). SQLite's reasons come in sqlite_category() and
// file-system ones (creating the data directory) in std::generic_category().
enum class store_error : std::uint8_t {
    invalid_argument = 1, // a record the schema cannot hold (see each function's contract)
    schema_too_new,       // the file was migrated by a newer Kibitz than this one
    not_wal,              // the file system refused WAL mode, so durability cannot be promised
    closed,               // the database was moved from
    job_failed,           // a worker job threw; the exception's what() is in the message
    unavailable,          // PostgreSQL cannot be reached, or did not answer in time
    query_failed,         // PostgreSQL refused a statement (its message and SQLSTATE follow)
};

// "kibitz.store": the category of store_error.
std::error_category const& store_category() noexcept;
std::error_code make_error_code(store_error e) noexcept;

// "sqlite": values are SQLite extended result codes (SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE,
// SQLITE_NOTADB, ...), messages are sqlite3_errstr's.
std::error_category const& sqlite_category() noexcept;

// Why an operation failed: a code to branch on and a message for the log (SQLite's own
// sqlite3_errmsg text when it comes from SQLite, with what the store was doing).
struct failure {
    std::error_code code;
    std::string message;
};

// The value of an operation or its failure, like C++23 std::expected<T, failure>. value() on a
// failure and error() on a value are caller bugs (asserted).
template<class T>
class result {
public:
    result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    result(failure f) : state_(std::in_place_index<1>, std::move(f)) {}

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(state_);
    }
    T const& value() const& {
        assert(ok());
        return std::get<0>(state_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(state_));
    }
    T* operator->() { return &value(); }
    T const* operator->() const { return &value(); }

    failure const& error() const& {
        assert(!ok());
        return std::get<1>(state_);
    }

private:
    std::variant<T, failure> state_;
};

// Success without a value, or a failure.
template<>
class result<void> {
public:
    result() = default;
    result(failure f) : failure_(std::move(f)) {}

    bool ok() const noexcept { return !failure_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }

    failure const& error() const& {
        assert(!ok());
        return *failure_;
    }

private:
    std::optional<failure> failure_;
};

} // namespace kibitz::store

template<>
struct std::is_error_code_enum<kibitz::store::store_error> : std::true_type {};
