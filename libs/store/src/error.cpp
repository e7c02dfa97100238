#include <kibitz/store/result.hpp>

#include <sqlite3.h>

namespace kibitz::store {
namespace {

class store_category_impl final : public std::error_category {
public:
    char const* name() const noexcept override { return "kibitz.store"; }

    std::string message(int ev) const override {
        switch (static_cast<store_error>(ev)) {
        case store_error::invalid_argument:
            return "invalid argument";
        case store_error::schema_too_new:
            return "database schema is newer than this program";
        case store_error::not_wal:
            return "database cannot use write-ahead logging";
        case store_error::closed:
            return "database is closed";
        case store_error::job_failed:
            return "store job failed";
        case store_error::unavailable:
            return "database unavailable";
        case store_error::query_failed:
            return "database statement failed";
        }
        return "unknown store error";
    }
};

class sqlite_category_impl final : public std::error_category {
public:
    char const* name() const noexcept override { return "sqlite"; }

    std::string message(int ev) const override { return sqlite3_errstr(ev); }
};

} // namespace

std::error_category const& store_category() noexcept {
    static store_category_impl const category;
    return category;
}

std::error_code make_error_code(store_error e) noexcept {
    return {static_cast<int>(e), store_category()};
}

std::error_category const& sqlite_category() noexcept {
    static sqlite_category_impl const category;
    return category;
}

} // namespace kibitz::store
