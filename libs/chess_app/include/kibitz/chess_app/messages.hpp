#pragma once

#include <kibitz/chess/types.hpp>
#include <kibitz/util/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The typed messages of the /chess namespace (docs/architecture.md rule 6): what a client may send,
// parsed once into a variant, and what the server sends, turned into JSON in one place.
namespace kibitz::chess_app {

// A clock as given to `create`: both values in milliseconds.
struct clock_spec {
    std::int64_t initial_ms = 0;
    std::int64_t increment_ms = 0;

    bool operator==(clock_spec const&) const = default;
};

enum class offer_action { offer, accept, decline };

struct create_request {
    std::string name;
    std::string color; // "white", "black" or "random"
    std::optional<clock_spec> clock;
};
struct join_request {
    std::string game;
    std::string name;
    std::optional<std::string> token;
};
struct move_request {
    std::string game;
    std::string uci;
    int ply = 0;
};
struct resign_request {
    std::string game;
};
struct draw_request {
    std::string game;
    offer_action action = offer_action::offer;
};
struct abort_request {
    std::string game;
};
struct claim_request {
    std::string game;
};
struct rematch_request {
    std::string game;
    offer_action action = offer_action::offer; // offer or accept
};
struct pgn_request {
    std::string game;
};
struct takeback_request {
    std::string game;
    offer_action action = offer_action::offer;
};

using client_message =
    std::variant<create_request, join_request, move_request, resign_request, draw_request,
                 abort_request, claim_request, rematch_request, pgn_request, takeback_request>;

// The message for `event` with its first argument `payload`, or nullopt when the event is not
// one of the table's, the payload is not an object, a required field is missing or a field has
// the wrong type or range (the ack is then `bad_request`). Unknown fields are ignored. Names must
// pass valid_name(); ids and tokens are strings of 1 to 128 bytes. Never throws.
std::optional<client_message> parse(std::string_view event, json const& payload);

// The game id a message is about (every message but `create` names one).
std::optional<std::string> game_of(client_message const& m);

// A player name by the rules both apps share (kibitz::names): PROTOCOL.md's shape (1 to 24
// letters of any script with their marks, decimal digits, '_', '-', '.'), nothing invisible, not
// a reserved name. Look-alikes are allowed: /chess names need not be unique.
bool valid_name(std::string_view name);

// For people: why `name` is not a valid player name (empty when it is).
std::string_view name_problem(std::string_view name);

// The clock part of a Game, as of the moment it is built.
struct clock_view {
    std::int64_t white_ms = 0;
    std::int64_t black_ms = 0;
    std::int64_t increment_ms = 0;
    std::int64_t initial_ms = 0;
    std::optional<chess::color> running;
};

// PROTOCOL.md `Game`, plus fields a client may ignore: `clock.initial_ms`, `rematch` (the new
// game's id once a rematch was accepted), `claimable` (the colour that may `claim` now),
// `away_ms` (how long each disconnected player has been gone), `claim_grace_ms`, and `legal`
// (the legal moves in UCI while the game is started, so a board can show them), `takeback`
// (the colour whose takeback offer stands) and `lag` (each seat's estimated one-way network
// lag in ms, null when unknown or nobody is seated and connected).
struct game_view {
    std::string id;
    std::int64_t v = 0;
    std::string_view status;
    std::string_view result; // empty: null
    std::string_view reason; // empty: null
    std::string fen;
    std::vector<std::string> moves;
    std::vector<std::string> san;
    chess::color turn = chess::color::white;
    std::optional<clock_view> clock;
    std::optional<std::string> white;
    std::optional<std::string> black;
    bool white_connected = false;
    bool black_connected = false;
    std::int64_t spectators = 0;
    std::optional<chess::color> draw_offer;
    std::optional<chess::color> rematch_offer;
    std::optional<std::string> rematch;
    std::optional<chess::color> claimable;
    std::optional<std::int64_t> white_away_ms;
    std::optional<std::int64_t> black_away_ms;
    std::int64_t claim_grace_ms = 0;
    std::vector<std::string> legal;
    std::optional<chess::color> takeback;
    std::optional<std::int64_t> white_lag_ms;
    std::optional<std::int64_t> black_lag_ms;
};

// One waiting game of the lobby: `color` is the creator's choice as given.
struct lobby_entry {
    std::string id;
    std::string creator;
    std::string color;
    std::optional<clock_spec> clock;

    bool operator==(lobby_entry const&) const = default;
};

struct game_event {
    game_view game;
};
struct lobby_event {
    std::vector<lobby_entry> games;
};
struct rematch_event {
    std::string game;
};

using server_message = std::variant<game_event, lobby_event, rematch_event>;

// The event name and the payload of a server message.
std::string_view event_name(server_message const& m);
json to_json(server_message const& m);
json to_json(game_view const& g);

// Ack payloads: {ok: true, ...fields} and {ok: false, error: {code, message}}.
json ok_ack(json fields = json::object());
json error_ack(std::string_view code, std::string_view message);

std::string_view color_name(chess::color c);

} // namespace kibitz::chess_app
