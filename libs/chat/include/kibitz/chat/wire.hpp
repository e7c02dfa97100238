#pragma once

#include <cstddef>
#include <string_view>

// The /chat namespace of PROTOCOL.md, spelled exactly as on the wire.
namespace kibitz::chat::wire {

inline constexpr std::string_view namespace_name = "/chat";
inline constexpr std::string_view default_room = "lobby";

// Client to server.
inline constexpr std::string_view event_join = "join";
inline constexpr std::string_view event_leave = "leave";
inline constexpr std::string_view event_message = "message";
inline constexpr std::string_view event_typing = "typing";
inline constexpr std::string_view event_history = "history";
// Additions: a message's author changes its text or deletes it.
inline constexpr std::string_view event_edit = "edit";
inline constexpr std::string_view event_delete = "delete";

// Server to client (`message` and `typing` are spelled as above).
inline constexpr std::string_view event_users = "users";
inline constexpr std::string_view event_user_joined = "user joined";
inline constexpr std::string_view event_user_left = "user left";
inline constexpr std::string_view event_message_updated = "message updated";
inline constexpr std::string_view event_message_deleted = "message deleted";

// Error codes of the acks.
inline constexpr std::string_view error_bad_request = "bad_request";
inline constexpr std::string_view error_name_invalid = "name_invalid";
inline constexpr std::string_view error_name_taken = "name_taken";
inline constexpr std::string_view error_room_invalid = "room_invalid";
inline constexpr std::string_view error_rate_limited = "rate_limited";
inline constexpr std::string_view error_not_joined = "not_joined";
inline constexpr std::string_view error_unknown_recipient = "unknown_recipient";
inline constexpr std::string_view error_text_invalid = "text_invalid";
inline constexpr std::string_view error_forbidden = "forbidden";
// Not in the contract's tables: the store failed (disk full, I/O error, locked past its busy
// timeout) or is overloaded. Nothing was stored.
inline constexpr std::string_view error_unavailable = "unavailable";
// Additions to the contract's tables (`join`): a reserved name (system, admin, ...), and one
// connection in too many rooms or the server at its room limit.
inline constexpr std::string_view error_name_reserved = "name_reserved";
inline constexpr std::string_view error_too_many_rooms = "too_many_rooms";
// `edit` and `delete`: no such message in a room the sender is in.
inline constexpr std::string_view error_not_found = "not_found";

// Limits of PROTOCOL.md.
inline constexpr std::size_t max_name_chars = 24;
inline constexpr std::size_t max_room_chars = 64;
inline constexpr std::size_t max_text_chars = 2000;
inline constexpr std::size_t max_client_id_chars = 64;
// Kibitz's own bound: a `join` token longer than this is `bad_request` (ours are 22 characters).
inline constexpr std::size_t max_token_length = 128;
inline constexpr int default_history_limit = 50;
inline constexpr int max_history_limit = 100;

} // namespace kibitz::chat::wire
