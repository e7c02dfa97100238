#pragma once

#include <string_view>

// Every string of the /chess namespace, spelled as on the wire (PROTOCOL.md "Namespace /chess").
// The board's own results and reasons (checkmate, stalemate, ..., timeout) are chess::wire's.
namespace kibitz::chess_app::wire {

inline constexpr std::string_view nsp = "/chess";

// Client to server.
inline constexpr std::string_view create = "create";
inline constexpr std::string_view join = "join";
inline constexpr std::string_view move = "move";
inline constexpr std::string_view resign = "resign";
inline constexpr std::string_view draw = "draw";
inline constexpr std::string_view abort = "abort";
inline constexpr std::string_view claim = "claim";
inline constexpr std::string_view rematch = "rematch";
inline constexpr std::string_view pgn = "pgn";
// Addition (docs/chess_app.md): take back the last move of the offerer.
inline constexpr std::string_view takeback = "takeback";

// Server to client (and `rematch`, above, both ways).
inline constexpr std::string_view game = "game";
inline constexpr std::string_view lobby = "lobby";

// Error codes of the acks.
inline constexpr std::string_view bad_request = "bad_request";
inline constexpr std::string_view not_found = "not_found";
inline constexpr std::string_view not_a_player = "not_a_player";
inline constexpr std::string_view not_started = "not_started";
inline constexpr std::string_view not_your_turn = "not_your_turn";
inline constexpr std::string_view illegal_move = "illegal_move";
inline constexpr std::string_view game_over = "game_over";
inline constexpr std::string_view stale_ply = "stale_ply";
inline constexpr std::string_view no_offer = "no_offer";
inline constexpr std::string_view too_late = "too_late";
inline constexpr std::string_view too_early = "too_early";
// Additions (docs/chess_app.md): storage failed, nothing changed; too many requests (with
// error.retry_after_ms); a cap on games or spectators.
inline constexpr std::string_view unavailable = "unavailable";
inline constexpr std::string_view rate_limited = "rate_limited";
inline constexpr std::string_view too_many_games = "too_many_games";
inline constexpr std::string_view too_many_spectators = "too_many_spectators";
// `takeback` offered by a player who has not moved yet (or with nothing left to take back).
inline constexpr std::string_view nothing_to_take_back = "nothing_to_take_back";

// End reasons outside the board rules.
inline constexpr std::string_view resign_reason = "resign";
inline constexpr std::string_view agreement = "agreement";
inline constexpr std::string_view aborted = "aborted";
inline constexpr std::string_view abandoned = "abandoned";

// Colours, seats, status, actions.
inline constexpr std::string_view white = "white";
inline constexpr std::string_view black = "black";
inline constexpr std::string_view random = "random";
inline constexpr std::string_view spectator = "spectator";
inline constexpr std::string_view waiting = "waiting";
inline constexpr std::string_view started = "started";
inline constexpr std::string_view ended = "ended";
inline constexpr std::string_view offer = "offer";
inline constexpr std::string_view accept = "accept";
inline constexpr std::string_view decline = "decline";

} // namespace kibitz::chess_app::wire
