#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::store {

// A chat message as the chat module hands it over, already validated (PROTOCOL.md /chat).
// Senders and recipients come twice: as displayed (`from_name`, `to_name`) and as an opaque key
// (`from_key`, `to_key`), which is what the store compares (for history visibility and client
// ids); the store never folds case or interprets a key. The chat module's keys are identities
// ("#" and an identity id, see identity_claim), so a private message belongs to whoever held the
// token, not to whoever holds the name later; rows written before schema 3 carry case-folded
// name keys, which no identity key equals. `to_name` and `to_key` are both set (private
// message) or both empty (public). `client_id` is the client's own message id, unique per
// `from_key`. `action` marks a `/me` message; `mentions` are the names the chat found
// mentioned (names hold no white space).
struct message_draft {
    std::string room{};
    std::string from_name{};
    std::string from_key{};
    std::optional<std::string> to_name{};
    std::optional<std::string> to_key{};
    std::string text{};
    std::int64_t ts = 0;
    std::optional<std::string> client_id{};
    bool action = false;
    std::vector<std::string> mentions{};

    bool operator==(message_draft const&) const = default;
};

// A stored chat message: its draft's fields, and what the store keeps with them. `id` is the
// server's message id (PROTOCOL.md `Message.id`): the decimal SQLite rowid, rising with every
// insert and never reused, so ids compare as numbers (parse_message_id). `edited` is when the
// text was last changed (ms since the epoch); a `deleted` message is a tombstone: its text and
// mentions are gone, the row keeps its place.
struct message_record : message_draft {
    std::string id{};
    std::optional<std::int64_t> edited{};
    bool deleted = false;

    bool operator==(message_record const&) const = default;
};

// A change to a stored message by its author (database::edit_message, delete_message).
// `rooms` are the rooms the author is in now, each with the names the new text mentions there
// (the chat decides who is mentioned; a private message mentions nobody): a message elsewhere,
// one the author may not see, or a tombstone (for an edit) is not_found, so nobody learns of
// messages they cannot see.
struct message_change {
    struct room {
        std::string name{};
        std::vector<std::string> mentions{};
    };
    std::int64_t id = 0;
    std::string author_key{};
    std::vector<room> rooms{};
    // For an edit: the new text and when.
    std::string text{};
    std::int64_t edited = 0;
};

// What an edit or delete did. `changed`: stored (message is the new row); `unchanged`: a delete
// of a message already deleted by its author (message is the tombstone, nothing to announce);
// `not_found` and `forbidden` (another author's message) changed nothing.
enum class change_outcome { changed, unchanged, not_found, forbidden };
struct changed_message {
    change_outcome outcome = change_outcome::not_found;
    message_record message{};
};

// What insert_message did: stored `message` anew, or (`duplicate`) found the message stored
// earlier under the same (from_key, client_id) and stored nothing.
struct inserted_message {
    message_record message{};
    bool duplicate = false;
};

// The identity behind a chat name (database::claim_identity): `id` is stable across restarts;
// `reused` when the caller's token belonged to this name's earlier identity, else a new identity
// was made for the new token.
struct identity_claim {
    std::int64_t id = 0;
    bool reused = false;
};

// The numeric value of a server message id ("1".."9223372036854775807"); nullopt for anything
// else (a client's `before` that is not one of our ids).
std::optional<std::int64_t> parse_message_id(std::string_view id) noexcept;

// The clock of a game that has one (PROTOCOL.md /chess `clock`). `running` is "white", "black"
// or empty; when set, `running_since_ms` is the epoch time at which that side's clock started
// and `white_ms`/`black_ms` are the times left as of that moment.
struct game_clock {
    std::int64_t initial_ms = 0;
    std::int64_t increment_ms = 0;
    std::int64_t white_ms = 0;
    std::int64_t black_ms = 0;
    std::optional<std::string> running{};
    std::optional<std::int64_t> running_since_ms{};

    bool operator==(game_clock const&) const = default;
};

// Wire spellings of game_record::status (PROTOCOL.md /chess `Game.status`).
inline constexpr std::string_view game_waiting = "waiting";
inline constexpr std::string_view game_started = "started";
inline constexpr std::string_view game_ended = "ended";

// Everything the chess app needs to restore a game after a restart. Colours, status, result and
// reason use PROTOCOL.md's wire spellings; `status` must be one of the three above. `moves` are
// UCI strings (no white space). Seat tokens are stored as given: the chess app may hand over a
// hash of the token instead, the store only keeps and returns the string.
struct game_record {
    std::string id{};
    std::int64_t v = 0;
    std::int64_t created_at = 0;
    std::string creator_color{}; // "white", "black" or "random", as given to `create`
    std::string status{};
    std::optional<std::string> result{};
    std::optional<std::string> reason{};
    std::optional<std::string> white_name{};
    std::optional<std::string> black_name{};
    std::optional<std::string> white_token{};
    std::optional<std::string> black_token{};
    std::string start_fen{};
    std::vector<std::string> moves{};
    std::optional<game_clock> clock{};
    std::optional<std::string> draw_offer{};
    std::optional<std::string> rematch_offer{};
    std::optional<std::string> rematch_id{};
    // The colour whose takeback offer stands (PROTOCOL.md addition `takeback`), else nullopt.
    std::optional<std::string> takeback_offer{};
    // For a game with a clock: per ply, the mover's time left just after that move (increment
    // included), so that a takeback puts both clocks back as they were before the moves it
    // takes back. Empty without a clock; as many entries as `moves` otherwise.
    std::vector<std::int64_t> clock_history{};
    // The lag compensation granted so far in this game to each player (ms; capped per game).
    std::int64_t white_lag_ms = 0;
    std::int64_t black_lag_ms = 0;
    // When the game ended (Unix ms), while `status` is "ended"; games that ended before schema
    // 6 have their `created_at` here.
    std::optional<std::int64_t> ended_at{};

    bool operator==(game_record const&) const = default;
};

// Where a page of finished games (database::finished_games) continues: the last game of the
// previous page, by its end time and id (the order of the list, newest first).
struct game_cursor {
    std::int64_t ended_at = 0;
    std::string id{};

    bool operator==(game_cursor const&) const = default;
};

} // namespace kibitz::store
