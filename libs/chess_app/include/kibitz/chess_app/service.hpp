#pragma once

#include <kibitz/chess/clock.hpp>
#include <kibitz/chess/game.hpp>
#include <kibitz/chess_app/messages.hpp>
#include <kibitz/store/records.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kibitz::chess_app {

// A connection as the service knows it: the Socket.IO socket id.
using conn_id = std::string;

struct service_options {
    // How long a disconnected player must have been gone before the opponent's `claim` succeeds.
    std::int64_t claim_grace_ms = 30000;
    // Fresh game ids (URL-safe, at least 8 characters) and seat tokens; random by default.
    std::function<std::string()> new_game_id;
    std::function<std::string()> new_token;
    // The colour of a "random" creator: true is white. Random by default.
    std::function<bool()> coin;
};

// One change of one game: the Game to send to every socket of the game, and the row to save.
struct game_change {
    std::string id;
    game_view game;
    store::game_record record;
};

// What the I/O shell must do after the service handled something, in this order: put the
// sockets in `subscribe` into their games' rooms, send each change to its game's room and save
// it, send `rematch` events, and send the lobby to everyone when `lobby` is set.
struct effects {
    std::vector<std::pair<conn_id, std::string>> subscribe;
    std::vector<game_change> changes;
    std::vector<std::pair<conn_id, std::string>> rematches; // (socket, new game id)
    std::optional<std::vector<lobby_entry>> lobby;
};

// The /chess game service: every game, seat, clock and spectator, as a pure state machine
// (ARCHITECTURE.md rules 1 and 5). Time comes in as `now_ms` (Unix ms) on every call; nothing
// here reads a clock, sets a timer or does I/O. The shell asks next_wakeup() when to call tick().
// Every change of a game raises its `v` by exactly one and appears once in effects::changes.
// Single-threaded: the owner (the io_context thread) serialises calls.
class service {
public:
    explicit service(service_options opts = {});

    // Handles one parsed client message from `conn`; returns the ack payload. Unknown game ids
    // answer not_found: the shell may load the game from the store first (knows()/restore()).
    json handle(conn_id const& conn, client_message const& msg, std::int64_t now_ms, effects& fx);
    // The connection is gone: seats lose it, spectator counts drop, the lobby may change.
    void disconnect(conn_id const& conn, std::int64_t now_ms, effects& fx);
    // Ends games whose running side's time is out and updates who may claim. Call it at
    // next_wakeup() (early or late calls are harmless).
    void tick(std::int64_t now_ms, effects& fx);
    // The earliest time at which tick() has something to do.
    std::optional<std::int64_t> next_wakeup() const;

    bool knows(std::string const& id) const { return games_.count(id) != 0; }
    // Takes a stored game back: in progress ones (status waiting/started) come back with nobody
    // connected, as one change (v + 1) that the caller saves; ended ones unchanged, for viewing,
    // rematch and PGN. The running clock restarts at `now_ms` with the time the side to move
    // had when its turn began (a restart never charges the outage). False for a record whose
    // FEN or moves do not replay, or an id already known.
    bool restore(store::game_record const& rec, std::int64_t now_ms, effects& fx);

    // The PGN of a known game.
    std::optional<std::string> pgn(std::string const& id) const;
    // The waiting games whose creator is connected, oldest first.
    std::vector<lobby_entry> lobby() const;
    // The Game as of `now_ms`.
    std::optional<game_view> view(std::string const& id, std::int64_t now_ms) const;

private:
    struct seat {
        std::optional<std::string> name;
        std::string token;
        std::set<conn_id> conns;
        std::int64_t gone_since_ms = 0;
    };
    struct live_game {
        std::string id;
        std::int64_t v = 0;
        std::int64_t created_at = 0;
        std::string creator_color;
        chess::color creator = chess::color::white;
        chess::game board;
        std::optional<chess::fischer_clock> clock;
        std::int64_t last_move_ms = 0;
        std::array<seat, 2> seats;
        std::set<conn_id> spectators;
        std::optional<chess::color> draw_offer;
        std::optional<chess::color> rematch_offer;
        std::optional<std::string> rematch_id;
        std::optional<chess::color> claimable_sent;
        // The final times of an ended game restored from the store (its clock is not rebuilt).
        std::optional<std::array<std::int64_t, 2>> final_ms;
    };

    json on_create(conn_id const& conn, create_request const& r, std::int64_t now, effects& fx);
    json on_join(conn_id const& conn, join_request const& r, std::int64_t now, effects& fx);
    json on_move(conn_id const& conn, move_request const& r, std::int64_t now, effects& fx);
    json on_resign(conn_id const& conn, resign_request const& r, std::int64_t now, effects& fx);
    json on_draw(conn_id const& conn, draw_request const& r, std::int64_t now, effects& fx);
    json on_abort(conn_id const& conn, abort_request const& r, std::int64_t now, effects& fx);
    json on_claim(conn_id const& conn, claim_request const& r, std::int64_t now, effects& fx);
    json on_rematch(conn_id const& conn, rematch_request const& r, std::int64_t now, effects& fx);
    json on_pgn(pgn_request const& r);

    live_game* find(std::string const& id);
    live_game const* find(std::string const& id) const;
    // The seat `conn` holds in `g` (white first when it holds both).
    std::optional<chess::color> seat_of(live_game const& g, conn_id const& conn) const;
    // The checks resign, draw and claim start with: the game exists, `conn` holds a seat, the
    // game has not ended (a flag due by `now` ends it first). Null game and the error ack when
    // one fails.
    struct seated {
        live_game* g = nullptr;
        chess::color c = chess::color::white;
        json refusal;
    };
    seated seated_in_live_game(std::string const& id, conn_id const& conn, std::int64_t now,
                               effects& fx);
    // Whether the game is in progress (both seated, not over) / waiting / ended.
    static bool started(live_game const& g);
    static std::string_view status(live_game const& g);
    bool connected(live_game const& g, chess::color c) const;
    std::optional<chess::color> claimable(live_game const& g, std::int64_t now) const;
    // Ends the game on time if the running side's flag has fallen by `now`; true if it did.
    bool flag_if_due(live_game& g, std::int64_t now);
    void finish(live_game& g, chess::game_result r, std::int64_t now);

    // Records one change of `g`: v + 1, the Game and the row for the shell.
    void touch(live_game& g, std::int64_t now, effects& fx);
    json game_ack(live_game const& g, std::int64_t now, json fields = json::object()) const;
    void attach(live_game& g, conn_id const& conn, std::optional<chess::color> as, effects& fx);
    void refresh_lobby(effects& fx);
    live_game& make_game(std::string creator_color, chess::color creator, std::int64_t now,
                         std::optional<clock_spec> clock);

    game_view make_view(live_game const& g, std::int64_t now) const;
    store::game_record make_record(live_game const& g, std::int64_t now) const;

    service_options opts_;
    std::map<std::string, live_game> games_;
    std::vector<std::string> order_; // game ids by creation, for the lobby
    std::unordered_map<conn_id, std::set<std::string>> conn_games_;
    std::vector<lobby_entry> lobby_sent_;
};

} // namespace kibitz::chess_app
