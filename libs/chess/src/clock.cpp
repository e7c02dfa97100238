#include <kibitz/chess/clock.hpp>

#include <algorithm>

namespace kibitz::chess {

fischer_clock::fischer_clock(std::int64_t initial_ms, std::int64_t increment_ms,
                             color first_to_move)
    : initial_ms_(initial_ms), increment_ms_(increment_ms), left_ms_{initial_ms, initial_ms},
      turn_(first_to_move) {}

fischer_clock fischer_clock::restore(std::int64_t initial_ms, std::int64_t increment_ms,
                                     saved_state const& s) {
    fischer_clock c(initial_ms, increment_ms, s.turn);
    c.left_ms_ = {s.white_ms, s.black_ms};
    c.moves_ = std::max(0, s.moves);
    c.started_ms_ = s.running_since_ms;
    c.stopped_ = s.stopped;
    return c;
}

std::int64_t fischer_clock::elapsed(std::int64_t now_ms) const {
    return runs() ? std::max<std::int64_t>(0, now_ms - started_ms_) : 0;
}

bool fischer_clock::after_move(std::int64_t now_ms, std::int64_t credit_ms) {
    if (stopped_ || flagged(now_ms)) return false;
    std::int64_t const used = elapsed(now_ms);
    std::int64_t& mover = left_ms_[index(turn_)];
    mover = mover - (used - std::clamp<std::int64_t>(credit_ms, 0, used)) + increment_ms_;
    turn_ = ~turn_;
    ++moves_;
    // The clocks start with the second move; afterwards time never runs backwards.
    if (runs()) started_ms_ = moves_ == 2 ? now_ms : std::max(now_ms, started_ms_);
    return true;
}

std::int64_t fischer_clock::remaining(color c, std::int64_t now_ms) const {
    std::int64_t const left = left_ms_[index(c)] - (c == turn_ ? elapsed(now_ms) : 0);
    return std::max<std::int64_t>(0, left);
}

bool fischer_clock::flagged(std::int64_t now_ms) const {
    return runs() && left_ms_[index(turn_)] - elapsed(now_ms) <= 0;
}

std::optional<color> fischer_clock::running() const {
    if (!runs()) return std::nullopt;
    return turn_;
}

std::optional<std::int64_t> fischer_clock::flag_time() const {
    if (!runs()) return std::nullopt;
    return started_ms_ + left_ms_[index(turn_)];
}

void fischer_clock::stop(std::int64_t now_ms) {
    if (stopped_) return;
    left_ms_[index(turn_)] = remaining(turn_, now_ms);
    stopped_ = true;
}

} // namespace kibitz::chess
