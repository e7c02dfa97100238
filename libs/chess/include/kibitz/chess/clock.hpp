#pragma once

#include <kibitz/chess/types.hpp>

#include <array>
#include <cstdint>
#include <optional>

namespace kibitz::chess {

// Fischer-increment clock arithmetic on time points the caller passes in (milliseconds on one
// monotonic scale, for example PROTOCOL.md's Unix ms). No timers and no reading of the time:
// the server asks flag_time() when to wake up and flagged(now) whether a side has lost on time.
//
// The rules (PROTOCOL.md, "Clocks are kept by the server"):
//   - each side starts with `initial_ms`;
//   - no clock runs before each side has made its first move: the first move of each side costs
//     no time, and the clock of the side to move starts when the second move of the game is
//     recorded (in a game from the start position: white's clock starts after black's first
//     move);
//   - after_move(now) stops the mover's clock (deducting the time since it started), adds the
//     increment to the mover (after every move, the first two included), and starts the
//     opponent's clock at `now` when clocks run;
//   - a side has lost on time (flagged) once its remaining time is zero or less while its clock
//     runs.
// Construct it when the game starts; there is no start call, since nothing runs until the second
// move. A time point earlier than the last one recorded counts as no time passing.
// Single-threaded value type; the owner serialises calls.
class fischer_clock {
public:
    // Precondition: initial_ms > 0, increment_ms >= 0 (the server validates client values).
    fischer_clock(std::int64_t initial_ms, std::int64_t increment_ms,
                  color first_to_move = color::white);

    // The figures a clock is taken back from (a stored game): each side's time left (for the
    // side to move, as of `running_since_ms`), the side to move, the moves recorded so far, and
    // whether the clock was stopped for good.
    struct saved_state {
        std::int64_t white_ms = 0;
        std::int64_t black_ms = 0;
        color turn = color::white;
        int moves = 0;
        std::int64_t running_since_ms = 0;
        bool stopped = false;
    };

    // A clock in the state `s`, as though its moves had been recorded: when clocks run (two
    // moves or more, not stopped) the side to move's clock runs from `s.running_since_ms` with
    // the time `s` gives it; otherwise the times stay as given. No replay and no made-up time
    // points. A negative move count counts as none; a side with no time left flags at once.
    static fischer_clock restore(std::int64_t initial_ms, std::int64_t increment_ms,
                                 saved_state const& s);

    // Records a move by the side to move at `now_ms`. Returns false and changes nothing when that
    // side's time had already run out by then (the caller ends the game on time instead), or
    // when the clock is stopped. `credit_ms` (lag compensation, 0 to thinking_ms(now_ms)) is
    // time of this turn not charged to the mover; a credit outside that range is clamped.
    bool after_move(std::int64_t now_ms, std::int64_t credit_ms = 0);

    // How long the side to move has been thinking by `now_ms` (0 while no clock runs).
    std::int64_t thinking_ms(std::int64_t now_ms) const { return elapsed(now_ms); }

    // The time left for `c` at `now_ms`, never below zero.
    std::int64_t remaining(color c, std::int64_t now_ms) const;

    // Whether the side whose clock runs has no time left at `now_ms` (false if no clock runs).
    bool flagged(std::int64_t now_ms) const;

    // The side whose clock runs: none before each side has moved once, and none once stopped.
    std::optional<color> running() const;

    // The time point at which the running side's time runs out, or nullopt when no clock runs:
    // when the server should look again.
    std::optional<std::int64_t> flag_time() const;

    // Stops the clock for good at `now_ms` (the game is over): the running side is charged up to
    // then, and remaining() stays fixed afterwards.
    void stop(std::int64_t now_ms);

    // The side to move as far as the clock knows, and the number of moves recorded.
    color turn() const { return turn_; }
    int moves() const { return moves_; }
    bool stopped() const { return stopped_; }
    std::int64_t initial_ms() const { return initial_ms_; }
    std::int64_t increment_ms() const { return increment_ms_; }

private:
    bool runs() const { return !stopped_ && moves_ >= 2; }
    std::int64_t elapsed(std::int64_t now_ms) const;

    std::int64_t initial_ms_;
    std::int64_t increment_ms_;
    std::array<std::int64_t, 2> left_ms_; // for the running side: as of started_ms_
    std::int64_t started_ms_ = 0;         // when the running side's clock started
    color turn_;
    int moves_ = 0;
    bool stopped_ = false;
};

} // namespace kibitz::chess
