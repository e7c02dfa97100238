#include "connection.hpp"

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
    return m;
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
    int rc = q.step();
    if (rc != SQLITE_ROW) return q.fail(rc, "inserting a message");
    auto m = read_message(q);
    // RETURNING rows come before the statement completes: step to the end.
    rc = q.step();
    if (rc != SQLITE_DONE) return q.fail(rc, "inserting a message");
    return m;
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

result<std::vector<message_record>> database::history(std::string_view room,
                                                      std::string_view viewer_key,
                                                      std::optional<std::int64_t> before,
                                                      std::size_t limit) {
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
