#include "connection.hpp"
#include "postgres.hpp"
#include "timed.hpp"

#include <kibitz/store/database.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace kibitz::store {
namespace {

// The identity of `name_key` made for `token_hash`, if any.
result<std::optional<std::int64_t>>
find_identity(detail::connection& conn, std::string_view name_key, std::string_view token_hash) {
    auto q = conn.use(detail::stmt::find_identity);
    q.bind(1, token_hash);
    q.bind(2, name_key);
    int const rc = q.step();
    if (rc == SQLITE_ROW) return std::optional<std::int64_t>(q.int64(0));
    if (rc == SQLITE_DONE) return std::optional<std::int64_t>();
    return q.fail(rc, "looking up an identity");
}

result<std::int64_t> insert_identity(detail::connection& conn, std::string_view name_key,
                                     std::string_view token_hash, std::int64_t created_at) {
    auto q = conn.use(detail::stmt::insert_identity);
    q.bind(1, name_key);
    q.bind(2, token_hash);
    q.bind(3, created_at);
    int rc = q.step();
    if (rc != SQLITE_ROW) return q.fail(rc, "storing an identity");
    auto const id = q.int64(0);
    rc = q.step();
    if (rc != SQLITE_DONE) return q.fail(rc, "storing an identity");
    return id;
}

// Marks the identity `id` claimed at `at`.
result<void> touch_identity(detail::connection& conn, std::int64_t id, std::int64_t at) {
    auto q = conn.use(detail::stmt::touch_identity);
    q.bind(1, id);
    q.bind(2, at);
    int const rc = q.step();
    if (rc != SQLITE_DONE) return q.fail(rc, "marking an identity claimed");
    return {};
}

} // namespace

result<identity_claim> database::claim_identity(std::string_view name_key,
                                                std::optional<std::string> const& token_hash,
                                                std::string_view new_token_hash,
                                                std::int64_t created_at) {
    detail::timed const timing(counters_.get(), operation::claim_identity);
    if (pg_) return pg_->claim_identity(name_key, token_hash, new_token_hash, created_at);
    if (!conn_) return detail::closed_failure();
    if (name_key.empty() || new_token_hash.empty())
        return failure{store_error::invalid_argument, "an identity needs a name key and a hash"};
    if (token_hash) {
        auto found = find_identity(*conn_, name_key, *token_hash);
        if (!found) return found.error();
        if (found.value()) {
            if (auto t = touch_identity(*conn_, *found.value(), created_at); !t) return t.error();
            return identity_claim{*found.value(), true};
        }
    }
    // A second claim with the same new hash (a second join of a socket whose first one is still
    // settling) finds the identity the first one made.
    auto earlier = find_identity(*conn_, name_key, new_token_hash);
    if (!earlier) return earlier.error();
    if (earlier.value()) return identity_claim{*earlier.value(), false};
    // One statement: its own transaction, committed (and synced) before this returns.
    auto made = insert_identity(*conn_, name_key, new_token_hash, created_at);
    if (!made) return made.error();
    return identity_claim{made.value(), false};
}

result<std::size_t> database::prune_identities(std::int64_t claimed_before,
                                               std::vector<std::int64_t> const& keep,
                                               std::size_t limit) {
    detail::timed const timing(counters_.get(), operation::prune_identities);
    if (pg_) return pg_->prune_identities(claimed_before, keep, limit);
    if (!conn_) return detail::closed_failure();
    std::string ids = "[";
    for (auto id : keep) {
        if (ids.size() > 1) ids += ',';
        ids += std::to_string(id);
    }
    ids += ']';
    auto q = conn_->use(detail::stmt::prune_identities);
    q.bind(1, claimed_before);
    q.bind(2, ids);
    q.bind(3, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000000)));
    int const rc = q.step();
    if (rc != SQLITE_DONE) return q.fail(rc, "pruning identities");
    return static_cast<std::size_t>(sqlite3_changes(conn_->db));
}

} // namespace kibitz::store
