#pragma once

#include <kibitz/util/clock.hpp>

#include <optional>

namespace kibitz::engineio {

// The server side of the Engine.IO v4 heartbeat, without timers: the server sends a ping every
// `ping_interval`, and the session is dead when no pong arrives within `ping_timeout` of a ping.
// The I/O shell calls tick() when its timer fires and whenever the client shows activity, and
// re-arms its one timer for next_deadline().
class heartbeat {
public:
    enum class action { none, send_ping, timed_out };

    heartbeat(util::duration ping_interval, util::duration ping_timeout, util::time_point now)
        : interval_(ping_interval), timeout_(ping_timeout), next_ping_(now + ping_interval) {}

    // What is due at `now`: a ping to send (then the pong deadline starts), the end of the
    // session (a pong is overdue), or nothing.
    action tick(util::time_point now);

    // A pong arrived. The answer to our ping: the next ping is due one interval from now, and
    // true. Unsolicited (no ping awaits its answer): ignored, false.
    bool on_pong(util::time_point now);

    // The pong overdue at `now` is let go (the server is draining: nobody is timed out): the
    // next ping is due one interval from now, as after a pong, without a round-trip sample.
    void forgive(util::time_point now) {
        pong_deadline_.reset();
        next_ping_ = now + interval_;
    }

    // The next moment tick() has something to do.
    util::time_point next_deadline() const { return pong_deadline_ ? *pong_deadline_ : next_ping_; }

    bool awaiting_pong() const { return pong_deadline_.has_value(); }

    // The smoothed round trip, ping sent to pong received (RFC 6298's SRTT: the first sample,
    // then srtt += (sample - srtt) / 8); nullopt before the first pong.
    std::optional<util::duration> rtt() const { return rtt_; }

private:
    util::duration interval_;
    util::duration timeout_;
    util::time_point next_ping_;
    std::optional<util::time_point> pong_deadline_;
    util::time_point ping_sent_{};
    std::optional<util::duration> rtt_;
};

} // namespace kibitz::engineio
