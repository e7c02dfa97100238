#pragma once

#include <kibitz/store/records.hpp>
#include <kibitz/util/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The list of recent finished games (HTTP GET /chess/games.json, the /chess/games page): the
// page cursor and the JSON of one page. Pure.
namespace kibitz::chess_app {

// Games per page: `limit` when not given, and the most a page may hold.
inline constexpr std::size_t game_list_default_limit = 20;
inline constexpr std::size_t game_list_max_limit = 100;

// The cursor as it appears in `before` and `next`: "<ended_at>.<id>". nullopt for anything
// else (a negative or overlong number, an id that is not 1..128 of `a-z A-Z 0-9 _ -`).
std::optional<store::game_cursor> parse_game_cursor(std::string_view text);
std::string game_cursor_text(store::game_cursor const& c);

// `limit` as given in the query: 1..game_list_max_limit, else nullopt.
std::optional<std::size_t> parse_game_limit(std::string_view text);

// {games: [{id, white, black, result, reason, clock, time_control, ended_at, plies, url, pgn}],
//  next}: `next` is the cursor of the last game when the page is full (there may be more),
// else null. `clock` is {initial_ms, increment_ms} or null; `time_control` the PGN's.
json game_list_json(std::vector<store::game_record> const& games, std::size_t limit);

} // namespace kibitz::chess_app
