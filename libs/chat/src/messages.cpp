#include <kibitz/chat/messages.hpp>
#include <kibitz/chat/text.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/util/json_fields.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace kibitz::chat {
namespace {

using util::field_state;
using util::optional_string;
using util::string_field;

// `room`, "lobby" when absent; false when it is not a string.
bool room_field(json const& obj, std::string& out) {
    out = std::string(wire::default_room);
    return string_field(obj, "room", out) != field_state::wrong;
}

std::optional<client_message> parse_join(json const& p) {
    join_request r;
    if (string_field(p, "name", r.name) != field_state::ok) return std::nullopt;
    if (!room_field(p, r.room) || !optional_string(p, "token", r.token)) return std::nullopt;
    // Tokens the server hands out are 22 characters; a longer one is no token of ours, and it
    // would be kept while the join waits for the store.
    if (r.token && r.token->size() > wire::max_token_length) return std::nullopt;
    return r;
}

std::optional<client_message> parse_leave(json const& p) {
    leave_request r;
    if (string_field(p, "room", r.room) != field_state::ok) return std::nullopt;
    return r;
}

std::optional<client_message> parse_send(json const& p) {
    send_request r;
    if (!room_field(p, r.room)) return std::nullopt;
    if (string_field(p, "text", r.text) != field_state::ok) return std::nullopt;
    if (!optional_string(p, "to", r.to) || !optional_string(p, "from", r.from) ||
        !optional_string(p, "id", r.id))
        return std::nullopt;
    if (r.id && !is_valid_client_id(*r.id)) return std::nullopt;
    if (util::bool_field(p, "action", r.action) == field_state::wrong) return std::nullopt;
    return r;
}

// A message `id` of `edit` and `delete`: a string (0 when it is none of our ids, which nothing
// has) or a positive integer; false for anything else.
bool message_id_field(json const& p, std::int64_t& out) {
    auto it = p.find("id");
    if (it == p.end()) return false;
    if (it->is_string()) {
        out = store::parse_message_id(it->get_ref<std::string const&>()).value_or(0);
        return true;
    }
    if (it->is_number_integer()) {
        out = std::max<std::int64_t>(0, it->get<std::int64_t>());
        return true;
    }
    return false;
}

std::optional<client_message> parse_edit(json const& p) {
    edit_request r;
    if (!message_id_field(p, r.id)) return std::nullopt;
    if (string_field(p, "text", r.text) != field_state::ok) return std::nullopt;
    return r;
}

std::optional<client_message> parse_delete(json const& p) {
    delete_request r;
    if (!message_id_field(p, r.id)) return std::nullopt;
    return r;
}

std::optional<client_message> parse_typing(json const& p) {
    typing_request r;
    if (!room_field(p, r.room) || !optional_string(p, "to", r.to)) return std::nullopt;
    if (util::bool_field(p, "typing", r.typing) != field_state::ok) return std::nullopt;
    return r;
}

// `before`: a server message id, as the string we send or as a positive integer.
bool before_field(json const& p, std::optional<std::int64_t>& out) {
    auto it = p.find("before");
    if (it == p.end() || it->is_null()) return true;
    if (it->is_string()) {
        out = store::parse_message_id(it->get_ref<std::string const&>());
        return out.has_value();
    }
    if (it->is_number_integer() && it->get<std::int64_t>() > 0) {
        out = it->get<std::int64_t>();
        return true;
    }
    return false;
}

// `limit`: any number, clamped into 1..100 (PROTOCOL.md); 50 when absent.
bool limit_field(json const& p, int& out) {
    out = wire::default_history_limit;
    auto it = p.find("limit");
    if (it == p.end() || it->is_null()) return true;
    if (!it->is_number()) return false;
    double const value = it->get<double>();
    if (std::isnan(value)) return false;
    double const clamped = std::clamp(std::floor(value), 1.0, double(wire::max_history_limit));
    out = static_cast<int>(clamped);
    return true;
}

std::optional<client_message> parse_history(json const& p) {
    history_request r;
    if (!room_field(p, r.room) || !before_field(p, r.before) || !limit_field(p, r.limit))
        return std::nullopt;
    return r;
}

json error_object(std::string_view code, std::string_view message) {
    return json{{"code", code}, {"message", message}};
}

json messages_json(std::vector<store::message_record> const& messages) {
    json out = json::array();
    for (auto const& m : messages)
        out.push_back(message_json(m));
    return out;
}

} // namespace

std::optional<client_message> parse(std::string_view event, json const& payload) {
    if (!payload.is_object()) return std::nullopt;
    if (event == wire::event_join) return parse_join(payload);
    if (event == wire::event_leave) return parse_leave(payload);
    if (event == wire::event_message) return parse_send(payload);
    if (event == wire::event_typing) return parse_typing(payload);
    if (event == wire::event_history) return parse_history(payload);
    if (event == wire::event_edit) return parse_edit(payload);
    if (event == wire::event_delete) return parse_delete(payload);
    return std::nullopt;
}

std::string_view event_name(server_message const& m) {
    struct visitor {
        std::string_view operator()(message_event const&) const { return wire::event_message; }
        std::string_view operator()(users_event const&) const { return wire::event_users; }
        std::string_view operator()(presence_event const& e) const {
            return e.joined ? wire::event_user_joined : wire::event_user_left;
        }
        std::string_view operator()(typing_event const&) const { return wire::event_typing; }
        std::string_view operator()(message_updated_event const&) const {
            return wire::event_message_updated;
        }
        std::string_view operator()(message_deleted_event const&) const {
            return wire::event_message_deleted;
        }
    };
    return std::visit(visitor{}, m);
}

json to_json(server_message const& m) {
    struct visitor {
        json operator()(message_event const& e) const { return message_json(e.message); }
        json operator()(users_event const& e) const {
            return json{{"room", e.room}, {"users", e.users}};
        }
        json operator()(presence_event const& e) const {
            return json{{"room", e.room}, {"name", e.name}};
        }
        json operator()(typing_event const& e) const {
            return json{{"room", e.room},
                        {"from", e.from},
                        {"to", e.to ? json(*e.to) : json(nullptr)},
                        {"typing", e.typing}};
        }
        json operator()(message_updated_event const& e) const { return message_json(e.message); }
        json operator()(message_deleted_event const& e) const {
            return json{{"id", e.id}, {"room", e.room}};
        }
    };
    return std::visit(visitor{}, m);
}

json message_json(store::message_record const& m) {
    if (m.deleted) {
        return json{
            {"id", m.id}, {"room", m.room}, {"from", m.from_name}, {"ts", m.ts}, {"deleted", true}};
    }
    json out{{"id", m.id},
             {"room", m.room},
             {"from", m.from_name},
             {"to", m.to_name ? json(*m.to_name) : json(nullptr)},
             {"text", m.text},
             {"ts", m.ts},
             {"mentions", m.mentions}};
    if (m.action) out["action"] = true;
    if (m.edited) out["edited"] = *m.edited;
    return out;
}

json ok_reply() {
    return json{{"ok", true}};
}

json error_reply(std::string_view code, std::string_view message) {
    return json{{"ok", false}, {"error", error_object(code, message)}};
}

json rate_limited_reply(std::int64_t retry_after_ms, std::string_view what) {
    auto const seconds = std::max<std::int64_t>(1, (retry_after_ms + 999) / 1000);
    auto reply = error_reply(wire::error_rate_limited, std::string(what) + "; try again in " +
                                                           std::to_string(seconds) +
                                                           (seconds == 1 ? " second" : " seconds"));
    reply["error"]["retry_after_ms"] = retry_after_ms;
    return reply;
}

json join_reply(std::string const& name, std::string const& token, std::string const& room,
                std::vector<std::string> const& users,
                std::vector<store::message_record> const& history) {
    return json{{"ok", true},   {"name", name},   {"token", token},
                {"room", room}, {"users", users}, {"history", messages_json(history)}};
}

json message_reply(store::message_record const& m) {
    return json{{"ok", true}, {"message", message_json(m)}};
}

json history_reply(std::vector<store::message_record> const& messages) {
    return json{{"ok", true}, {"messages", messages_json(messages)}};
}

} // namespace kibitz::chat
