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
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kibitz::chess_app {

// A connection as the service knows it: the Socket.IO socket id.
using conn_id = std::string;

struct service_options {
    // How long a disconnected player must have been gone before the opponent's `claim` succeeds.
    std::int64_t claim_grace_ms = 30000;
    // Caps on what clients can make the service hold (each refusal is `too_many_games` or
    // `too_many_spectators`): games in memory (ended and idle ones are dropped first: they stay
    // in the store), waiting games in total, per creating connection and per creator's address
    // (address_of: so one address holding many connections cannot take every waiting slot),
    // games one connection is in (seated or watching), spectators of one game.
    std::size_t max_games = 10000;
    std::size_t max_open_games = 500;
    std::size_t max_open_per_creator = 3;
    std::size_t max_open_per_address = 30;
    std::size_t max_games_per_conn = 32;
    std::size_t max_spectators = 500;
    // A waiting game whose creator has been gone this long is removed, from memory and store.
    std::int64_t waiting_grace_ms = 120000;
    // A game nobody has been in for this long (ended, or both players gone) leaves memory; it
    // stays in the store, and `join`, `pgn` and the HTTP PGN find it there. A game still being
    // played ends first (service::end_deserted), so none is left "started" with nobody to
    // finish it.
    std::int64_t idle_ms = 600000;
    // Lag compensation (docs/chess_app.md): a move is charged its thinking time minus the
    // mover's estimated one-way lag (half the smoothed heartbeat round trip, rtt_ms), at most
    // this much per move and this much in all per game and player. 0 turns it off.
    std::int64_t max_lag_credit_per_move_ms = 250;
    std::int64_t max_lag_credit_per_game_ms = 5000;
    // The smoothed round trip (ms) of a connection, measured by the shell from the Engine.IO
    // heartbeat (nullopt: not measured yet). Read when a move is charged and a Game is built;
    // none by default.
    std::function<std::optional<std::int64_t>(conn_id const&)> rtt_ms{};
    // The remote address of a connection, for max_open_per_address (none: not counted).
    std::function<std::string(conn_id const&)> address_of{};
    // The Unix time (ms) of the steady instant `steady_ms`, for what is stored (a game's
    // `created_at`, a running clock's `running_since`). The identity by default (one scale).
    std::function<std::int64_t(std::int64_t steady_ms)> unix_ms_at{};
    // Fresh game ids (`a-z 0-9`, 16 characters by default) and seat tokens; random by default.
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
// `deleted` lists games to delete from the store (waiting games expired by tick()).
struct effects {
    std::vector<std::pair<conn_id, std::string>> subscribe;
    std::vector<game_change> changes;
    std::vector<std::pair<conn_id, std::string>> rematches; // (socket, new game id)
    std::optional<std::vector<lobby_entry>> lobby;
    std::vector<std::string> deleted;
};

// The SHA-256 of a seat token as the service keeps and stores it (64 hexadecimal digits).
std::string hash_token(std::string_view token);

// The /chess game service: every game, seat, clock and spectator, as a pure state machine
// (docs/architecture.md rules 1 and 5). Time comes in as `now_ms` on every call, in steady
// milliseconds of the process (util::steady_ms()): clocks, grace periods and expiry run on it, so
// a step of the wall clock moves none of them; Unix time appears only in the stored records
// (service_options::unix_ms_at). Nothing here reads a clock, sets a timer or does I/O. The shell
// asks next_wakeup() when to call tick().
// Every change of a game raises its `v` by exactly one and appears once in effects::changes.
// Single-threaded: the owner (the io_context thread) serialises calls.
//
// Ack after commit: the shell wraps the calls of one batch in begin() ... commit() or
// rollback(). Between begin() and the end, every game and connection entry a call touches is
// copied before its first change, so rollback() puts the whole state back as it was at begin()
// (the shell then replays the batch's disconnects); commit() drops the copies.
// What the chess app counts for GET /metrics (service::counters()): the games in memory by
// status, and the moves played since start (committed: a rolled-back batch's do not count).
struct counters {
    std::size_t waiting = 0;
    std::size_t started = 0;
    std::size_t ended = 0;
    std::uint64_t moves_played = 0;
};

class service {
public:
    explicit service(service_options opts = {});

    void begin();
    void commit();
    void rollback();

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
    // The ids of the games in memory.
    std::vector<std::string> ids() const;
    // Lets game `id` go from memory (another node of a cluster owns it now): nothing is sent
    // or stored. Call it outside a batch.
    void forget(std::string const& id) { drop(id); }
    // Takes a stored game back: in progress ones (status waiting/started) come back with nobody
    // connected, as one change (v + 1) that the caller saves; ended ones unchanged, for viewing,
    // rematch and PGN. The running clock restarts at `now_ms` with the time the side to move
    // had when its turn began (a restart never charges the outage). False for a record whose
    // FEN or moves do not replay, or an id already known.
    // Also false when memory is full (max_games) and no idle game can make room.
    bool restore(store::game_record const& rec, std::int64_t now_ms, effects& fx);

    // The PGN of a known game.
    std::optional<std::string> pgn(std::string const& id) const;
    // The PGN of a stored game, without keeping it (nullopt when the record does not replay).
    std::optional<std::string> pgn_of(store::game_record const& rec) const;
    // Games in memory.
    std::size_t size() const { return games_.size(); }
    // Games by status and moves played (one pass over the games in memory).
    chess_app::counters counters() const;
    // The waiting games whose creator is connected, oldest first.
    std::vector<lobby_entry> lobby() const;
    // The Game as of `now_ms`.
    std::optional<game_view> view(std::string const& id, std::int64_t now_ms) const;

private:
    // `token_hash` is what is stored; `token` is the token itself once this process has seen
    // it (made it, or a join presented it), so that a seated socket asking again gets it back.
    struct seat {
        std::optional<std::string> name;
        std::string token_hash;
        std::string token;
        std::set<conn_id> conns;
        std::int64_t gone_since_ms = 0;
    };
    struct live_game {
        std::string id;
        std::uint64_t seq = 0;         // creation order, for the lobby
        std::int64_t last_seen_ms = 0; // the last time a socket joined or left, or it changed
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
        std::optional<chess::color> takeback_offer;
        // Per ply, the mover's time left just after it (for takebacks); empty without a clock.
        std::vector<std::int64_t> clock_history;
        std::array<std::int64_t, 2> lag_credit_ms{}; // granted so far, per colour
        std::optional<std::int64_t> ended_at;        // Unix ms, once over
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
    json on_takeback(conn_id const& conn, takeback_request const& r, std::int64_t now, effects& fx);
    // Takes back the last move of `offerer` (two plies when it is to move, one otherwise): the
    // board replays the moves before, the clocks come back from clock_history as they were
    // at the start of that turn, restarting at `now`; offers are cleared.
    void take_back(live_game& g, chess::color offerer, std::int64_t now);
    // Plays a legal move at `now` on the clocks, with the lag credit of `conn`.
    void clock_move(live_game& g, conn_id const& conn, std::int64_t now);
    // The estimated one-way lag of `conn` (ms): half its round trip (options' rtt_ms).
    std::optional<std::int64_t> lag_of(conn_id const& conn) const;
    // Whether `conn` is in max_games_per_conn games already.
    bool conn_full(conn_id const& conn) const;
    // Waiting games whose creator is connected from `address`.
    std::size_t open_from(std::string const& address) const;
    // Why `conn`, not yet in `g`, may not be added to it (as a spectator when `spectator`).
    std::optional<json> attach_refusal(live_game const& g, conn_id const& conn,
                                       bool spectator) const;
    // Room for one more game in memory (drops the longest-idle game nobody is in if need be).
    bool make_room();
    // Removes the waiting game whose creator has been gone longest (memory and store).
    bool expire_one_waiting(effects& fx);
    void drop(std::string const& id);
    bool attached(live_game const& g) const;
    std::optional<std::int64_t> expiry(live_game const& g) const;
    std::optional<live_game> build(store::game_record const& rec, std::int64_t now) const;
    std::string pgn_text(live_game const& g) const;

    // The game, copied first into the open batch's undo log (every change goes through here).
    live_game* find(std::string const& id);
    void save_undo(live_game const& g);
    void save_undo(conn_id const& conn);
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
    void end_deserted(live_game& g, std::int64_t now);
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
    std::uint64_t seq_ = 0;
    std::unordered_map<conn_id, std::set<std::string>> conn_games_;
    std::vector<lobby_entry> lobby_sent_;

    // The undo log of the open batch: each touched game and connection entry as it was before
    // (nullopt: it did not exist).
    struct undo_log {
        bool open = false;
        std::map<std::string, std::optional<live_game>> games;
        std::map<conn_id, std::optional<std::set<std::string>>> conns;
        std::vector<lobby_entry> lobby_sent;
        std::uint64_t seq = 0;
        std::uint64_t moves_played = 0;
    };
    undo_log undo_;
    std::uint64_t moves_played_ = 0;
};

} // namespace kibitz::chess_app
