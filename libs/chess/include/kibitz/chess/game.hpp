#pragma once

#include <kibitz/chess/move.hpp>
#include <kibitz/chess/position.hpp>
#include <kibitz/chess/types.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::chess {

// Results and end reasons, spelled as on the wire (PROTOCOL.md `Game.result`, `Game.reason`).
namespace wire {
inline constexpr std::string_view white_wins = "1-0";
inline constexpr std::string_view black_wins = "0-1";
inline constexpr std::string_view draw = "1/2-1/2";

inline constexpr std::string_view checkmate = "checkmate";
inline constexpr std::string_view stalemate = "stalemate";
inline constexpr std::string_view threefold = "threefold";
inline constexpr std::string_view fifty_moves = "fifty_moves";
inline constexpr std::string_view insufficient_material = "insufficient_material";
inline constexpr std::string_view timeout = "timeout";
} // namespace wire

// How a game ended: `result` is one of the wire results or empty (an aborted game has none);
// `reason` is a wire reason. Views of static strings or of strings the caller keeps alive.
struct game_result {
    std::string_view result;
    std::string_view reason;

    friend bool operator==(game_result const&, game_result const&) = default;
};

// The win for side `c`: "1-0" or "0-1".
constexpr std::string_view win_for(color c) {
    return c == color::white ? wire::white_wins : wire::black_wins;
}

// The result when side `flagged` runs out of time in `pos`: a draw when the other side has no
// mating material (see has_mating_material), else a win for the other side; reason "timeout".
game_result timeout_result(position const& pos, color flagged);

// A game under the rules: the initial position, the moves played (UCI and SAN), the position
// after them, the position keys for repetition, and the outcome once the rules end the game.
// The rules end it at once (PROTOCOL.md) on checkmate, stalemate, insufficient material,
// threefold repetition (the current position, same side to move, castling rights and legal
// en-passant captures, has occurred three times) and the fifty-move rule (halfmove clock at 100
// or more). A mate on the move that reaches either draw rule is still a mate. Other endings
// (resignation, timeout, agreement, ...) are recorded with finish(). Plain value type.
class game {
public:
    // A game from the standard starting position.
    game();
    // A game from `initial` (its outcome is judged at once: a FEN may be mate already).
    explicit game(position const& initial);

    position const& initial() const { return initial_; }
    position const& current() const { return current_; }
    std::vector<move> const& moves() const { return moves_; }
    // The moves in SAN, as played (with check and mate marks).
    std::vector<std::string> const& san_moves() const { return san_; }
    // The moves in UCI text.
    std::vector<std::string> uci_moves() const;
    // Half-moves played since the initial position.
    int ply() const { return static_cast<int>(moves_.size()); }

    bool over() const { return result_.has_value(); }
    std::optional<game_result> const& result() const { return result_; }

    // How many times the current position has occurred (1 when new).
    int repetitions() const;

    // Plays `m` if the game is not over and `m` is legal; then judges the outcome. Returns false
    // and changes nothing otherwise.
    bool play(move m);
    // Parses `uci` against the current position (parse_uci) and plays it; the move, or nullopt
    // when the game is over or the text names no legal move.
    std::optional<move> play_uci(std::string_view uci);
    // As play_uci, for SAN text (parse_san).
    std::optional<move> play_san(std::string_view san);

    // Ends an ongoing game for a reason outside the board (resignation, agreement, abort, ...).
    // Returns false and changes nothing if the game is already over.
    bool finish(game_result r);
    // Ends an ongoing game because `flagged` ran out of time: finish(timeout_result(...)).
    bool flag(color flagged);

private:
    void judge();

    position initial_;
    position current_;
    std::vector<move> moves_;
    std::vector<std::string> san_;
    std::vector<std::uint64_t> keys_; // keys_[i]: key of the position after i moves
    std::optional<game_result> result_;
};

} // namespace kibitz::chess
