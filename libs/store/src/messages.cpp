#include "columns.hpp"
#include "connection.hpp"
#include "postgres.hpp"
#include "timed.hpp"

#include <kibitz/store/database.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>

namespace kibitz::store {
namespace {

constexpr std::size_t max_history = 1000;

// One row in schema.cpp's message column order.
message_record read_message(detail::query const& q) {
    message_record m;
    m.id = std::to_string(q.int64(0));
    m.room = q.text(1);
    m.from_name = q.text(2);
    m.from_key = q.text(3);
    m.to_name = q.optional_text(4);
    m.to_key = q.optional_text(5);
    m.text = q.text(6);
    m.ts = q.int64(7);
    m.client_id = q.optional_text(8);
    m.action = q.int64(9) != 0;
    m.mentions = detail::split_words(q.text(10));
    m.edited = q.optional_int64(11);
    m.deleted = q.int64(12) != 0;
    return m;
}

// Steps a statement that returns one message row (a RETURNING or a lookup by id) to its end.
result<std::optional<message_record>> one_message(detail::query& q, std::string_view doing) {
    int rc = q.step();
    if (rc == SQLITE_DONE) return std::optional<message_record>();
    if (rc != SQLITE_ROW) return q.fail(rc, doing);
    auto m = read_message(q);
    // RETURNING rows come before the statement completes: step to the end.
    rc = q.step();
    if (rc != SQLITE_DONE) return q.fail(rc, doing);
    return std::optional<message_record>(std::move(m));
}

result<std::optional<message_record>> find_message(detail::connection& conn, std::int64_t id) {
    auto q = conn.use(detail::stmt::find_message);
    q.bind(1, id);
    return one_message(q, "looking up a message");
}

// Loads message `c.id`, checks detail::may_change (a tombstone counts as not found for an edit, as
// already done for a delete) and, when allowed, runs `update` on it, all in one transaction.
template<class Update>
result<changed_message> change(detail::connection& conn, message_change const& c, bool is_delete,
                               Update update) {
    detail::transaction tx(conn);
    if (!tx.begun()) return tx.begun().error();
    auto found = find_message(conn, c.id);
    if (!found) return found.error();
    if (!found.value()) return changed_message{change_outcome::not_found, {}};
    auto& m = *found.value();
    auto const outcome = detail::may_change(m, c);
    if (outcome != change_outcome::changed) return changed_message{outcome, {}};
    if (m.deleted) {
        if (!is_delete) return changed_message{change_outcome::not_found, {}};
        return changed_message{change_outcome::unchanged, std::move(m)};
    }
    auto updated = update(conn, m);
    if (!updated) return updated.error();
    if (!updated.value()) return changed_message{change_outcome::not_found, {}};
    if (auto r = tx.commit(); !r) return r.error();
    return changed_message{change_outcome::changed, std::move(*updated.value())};
}

// The message stored earlier by `from_key` under `client_id`, if any.
result<std::optional<message_record>>
find_by_client_id(detail::connection& conn, std::string_view from_key, std::string_view client_id) {
    auto q = conn.use(detail::stmt::find_by_client_id);
    q.bind(1, from_key);
    q.bind(2, client_id);
    int const rc = q.step();
    if (rc == SQLITE_ROW) return std::optional<message_record>(read_message(q));
    if (rc == SQLITE_DONE) return std::optional<message_record>();
    return q.fail(rc, "looking up a client message id");
}

result<message_record> insert_row(detail::connection& conn, message_draft const& d) {
    auto q = conn.use(detail::stmt::insert_message);
    q.bind(1, d.room);
    q.bind(2, d.from_name);
    q.bind(3, d.from_key);
    q.bind(4, d.to_name);
    q.bind(5, d.to_key);
    q.bind(6, d.text);
    q.bind(7, d.ts);
    q.bind(8, d.client_id);
    q.bind(9, std::int64_t{d.action ? 1 : 0});
    q.bind(10, detail::join_words(d.mentions));
    auto row = one_message(q, "inserting a message");
    if (!row) return row.error();
    if (!row.value()) return failure{store_error::invalid_argument, "the insert returned no row"};
    return std::move(*row.value());
}

} // namespace

std::optional<std::int64_t> parse_message_id(std::string_view id) noexcept {
    if (id.empty() || id.front() == '0') return std::nullopt;
    std::int64_t value = 0;
    auto const [end, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
    if (ec != std::errc() || end != id.data() + id.size()) return std::nullopt;
    if (value <= 0) return std::nullopt;
    return value;
}

result<inserted_message> database::insert_message(message_draft const& draft) {
    detail::timed const timing(counters_.get(), operation::insert_message);
    if (pg_) return pg_->insert_message(draft);
    if (!conn_) return detail::closed_failure();
    if (draft.to_name.has_value() != draft.to_key.has_value()) {
        return failure{store_error::invalid_argument, "to_name and to_key must come together"};
    }
    detail::transaction tx(*conn_);
    if (!tx.begun()) return tx.begun().error();
    if (draft.client_id) {
        auto found = find_by_client_id(*conn_, draft.from_key, *draft.client_id);
        if (!found) return found.error();
        if (found.value()) return inserted_message{std::move(*found.value()), true};
    }
    auto stored = insert_row(*conn_, draft);
    if (!stored) return stored.error();
    if (auto r = tx.commit(); !r) return r.error();
    return inserted_message{std::move(stored).value(), false};
}

result<changed_message> database::edit_message(message_change const& c) {
    detail::timed const timing(counters_.get(), operation::edit_message);
    if (pg_) return pg_->change_message(c, false);
    if (!conn_) return detail::closed_failure();
    return change(*conn_, c, false, [&c](detail::connection& conn, message_record const& m) {
        std::string mentions;
        for (auto const& r : c.rooms)
            if (r.name == m.room && !m.to_key) mentions = detail::join_words(r.mentions);
        auto q = conn.use(detail::stmt::edit_message);
        q.bind(1, c.id);
        q.bind(2, c.text);
        q.bind(3, c.edited);
        q.bind(4, mentions);
        return one_message(q, "editing a message");
    });
}

result<changed_message> database::delete_message(message_change const& c) {
    detail::timed const timing(counters_.get(), operation::delete_message);
    if (pg_) return pg_->change_message(c, true);
    if (!conn_) return detail::closed_failure();
    return change(*conn_, c, true, [&c](detail::connection& conn, message_record const&) {
        auto q = conn.use(detail::stmt::delete_message);
        q.bind(1, c.id);
        return one_message(q, "deleting a message");
    });
}

result<std::vector<message_record>> database::history(std::string_view room,
                                                      std::string_view viewer_key,
                                                      std::optional<std::int64_t> before,
                                                      std::size_t limit) {
    detail::timed const timing(counters_.get(), operation::history);
    if (pg_) return pg_->history(room, viewer_key, before, limit);
    if (!conn_) return detail::closed_failure();
    limit = std::min(limit, max_history);
    std::vector<message_record> messages;
    if (limit == 0) return messages;
    auto q = conn_->use(detail::stmt::history);
    q.bind(1, room);
    q.bind(2, viewer_key);
    q.bind(3, before.value_or(std::numeric_limits<std::int64_t>::max()));
    q.bind(4, static_cast<std::int64_t>(limit));
    int rc = SQLITE_ROW;
    while ((rc = q.step()) == SQLITE_ROW)
        messages.push_back(read_message(q));
    if (rc != SQLITE_DONE) return q.fail(rc, "reading history");
    // Newest first from the query, oldest first on the wire.
    std::reverse(messages.begin(), messages.end());
    return messages;
}

} // namespace kibitz::store
