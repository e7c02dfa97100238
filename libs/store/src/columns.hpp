// What both backends (SQLite and PostgreSQL) store the same way: the column lists of a message
// and a game row, the update of a stored game by a newer version, the space-separated list
// columns, and the rule of who may change a message. Internal to kibitz::store.
#pragma once

#include <kibitz/store/database.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// The columns of a message row, in the order the readers read them (messages.cpp,
// postgres_ops.cpp).
#define KIBITZ_MESSAGE_COLUMNS                                                                     \
    "id, room, from_name, from_key, to_name, to_key, text, ts, client_id, action, mentions, "      \
    "edited, deleted"
// The columns of a game row, in the order the readers read them (games.cpp, postgres_ops.cpp).
#define KIBITZ_GAME_COLUMNS                                                                        \
    "id, v, created_at, creator_color, status, result, reason, white_name, black_name, "           \
    "white_token, black_token, start_fen, moves, initial_ms, increment_ms, white_ms, black_ms, "   \
    "running, running_since, draw_offer, rematch_offer, rematch_id, takeback_offer, "              \
    "clock_history, white_lag_ms, black_lag_ms, ended_at"
// After an INSERT of a game row: a newer or equal version replaces the stored row, an older one
// changes nothing (the same text in both SQL dialects).
#define KIBITZ_GAME_UPSERT                                                                         \
    " ON CONFLICT (id) DO UPDATE SET v = excluded.v, created_at = excluded.created_at,"            \
    " creator_color = excluded.creator_color, status = excluded.status,"                           \
    " result = excluded.result, reason = excluded.reason, white_name = excluded.white_name,"       \
    " black_name = excluded.black_name, white_token = excluded.white_token,"                       \
    " black_token = excluded.black_token, start_fen = excluded.start_fen,"                         \
    " moves = excluded.moves, initial_ms = excluded.initial_ms,"                                   \
    " increment_ms = excluded.increment_ms, white_ms = excluded.white_ms,"                         \
    " black_ms = excluded.black_ms, running = excluded.running,"                                   \
    " running_since = excluded.running_since, draw_offer = excluded.draw_offer,"                   \
    " rematch_offer = excluded.rematch_offer, rematch_id = excluded.rematch_id,"                   \
    " takeback_offer = excluded.takeback_offer, clock_history = excluded.clock_history,"           \
    " white_lag_ms = excluded.white_lag_ms, black_lag_ms = excluded.black_lag_ms,"                 \
    " ended_at = excluded.ended_at"                                                                \
    " WHERE excluded.v >= games.v"

namespace kibitz::store::detail {

// A list column: the words separated by one space (moves and names hold no white space; the
// game and message checks refuse any that would).
std::string join_words(std::vector<std::string> const& words);
std::string join_words(std::vector<std::int64_t> const& numbers);
std::vector<std::string> split_words(std::string_view text);
// The numbers of a list column (a word that is not one counts as 0).
std::vector<std::int64_t> split_numbers(std::string_view text);

// Whether the author of `c` may change `m`: it is in one of the author's rooms, the author can
// see it (public, or a private message to or from the author), and wrote it.
change_outcome may_change(message_record const& m, message_change const& c);

} // namespace kibitz::store::detail
