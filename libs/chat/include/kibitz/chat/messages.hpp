#pragma once

#include <kibitz/store/records.hpp>
#include <kibitz/util/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kibitz::chat {

// The typed messages of the /chat namespace (docs/architecture.md rule 6). parse() checks shapes
// and types only (a wrong shape is `bad_request`); what the values mean (a valid name, a room
// the socket is in, a known recipient) is the service's business, with its own error codes.

// `join` {name, room?="lobby", token?}
struct join_request {
    std::string name;
    std::string room;
    std::optional<std::string> token;
};

// `leave` {room}
struct leave_request {
    std::string room;
};

// `message` {room?="lobby", text, to?, from?, id?, action?}; `id` is already checked (1..64
// characters); `action` marks a `/me` message.
struct send_request {
    std::string room;
    std::string text;
    std::optional<std::string> to;
    std::optional<std::string> from;
    std::optional<std::string> id;
    bool action = false;
};

// `edit` {id, text}: `id` is a server message id (0 when the string is none of ours: not_found).
struct edit_request {
    std::int64_t id = 0;
    std::string text;
};

// `delete` {id}
struct delete_request {
    std::int64_t id = 0;
};

// `typing` {room?="lobby", to?, typing: bool}
struct typing_request {
    std::string room;
    std::optional<std::string> to;
    bool typing = false;
};

// `history` {room?="lobby", before?: message id, limit?} with `limit` already clamped to 1..100.
struct history_request {
    std::string room;
    std::optional<std::int64_t> before;
    int limit = 0;
};

using client_message = std::variant<join_request, leave_request, send_request, typing_request,
                                    history_request, edit_request, delete_request>;

// The message for a client event named `event` with its first argument `payload` (null when the
// client sent none). nullopt for an unknown event or a payload of the wrong shape: not an object,
// a required field missing, a field of the wrong type, an `id` outside 1..64 characters, a
// `before` that is not a message id. Optional fields given as null count as absent. Unknown
// fields are ignored. Never throws.
std::optional<client_message> parse(std::string_view event, json const& payload);

// Server to client.

// `message` with a Message {id, room, from, to, text, ts}.
struct message_event {
    store::message_record message;
};

// `users` {room, users}: names sorted case-insensitively.
struct users_event {
    std::string room;
    std::vector<std::string> users;
};

// `user joined` / `user left` {room, name}.
struct presence_event {
    std::string room;
    std::string name;
    bool joined = true;
};

// `typing` {room, from, to, typing}.
struct typing_event {
    std::string room;
    std::string from;
    std::optional<std::string> to;
    bool typing = false;
};

// `message updated` with the whole Message (with `edited`), `message deleted` {id, room}.
struct message_updated_event {
    store::message_record message;
};
struct message_deleted_event {
    std::string id;
    std::string room;
};

using server_message = std::variant<message_event, users_event, presence_event, typing_event,
                                    message_updated_event, message_deleted_event>;

// The event name of a server message, as on the wire.
std::string_view event_name(server_message const& m);
// Its payload.
json to_json(server_message const& m);
// A Message object as PROTOCOL.md spells it, {id, room, from, to: name or null, text, ts,
// mentions: [name]}, with `action: true` for a `/me` message and `edited: ts` once edited; a
// deleted message is the tombstone {id, room, from, ts, deleted: true}.
json message_json(store::message_record const& m);

// Acks. Each returns the single ack argument.
json ok_reply();
json error_reply(std::string_view code, std::string_view message);
// `rate_limited` with error.retry_after_ms; `what` says what there was too much of.
json rate_limited_reply(std::int64_t retry_after_ms,
                        std::string_view what = "too many messages in a short time");
json join_reply(std::string const& name, std::string const& token, std::string const& room,
                std::vector<std::string> const& users,
                std::vector<store::message_record> const& history);
json message_reply(store::message_record const& m);
json history_reply(std::vector<store::message_record> const& messages);

} // namespace kibitz::chat
