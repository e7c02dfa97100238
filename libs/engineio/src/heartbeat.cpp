#include <kibitz/engineio/heartbeat.hpp>

namespace kibitz::engineio {

heartbeat::action heartbeat::tick(util::time_point now) {
    if (pong_deadline_) return now >= *pong_deadline_ ? action::timed_out : action::none;
    if (now < next_ping_) return action::none;
    // Engine.IO v4: the server pings, and the client must answer within pingTimeout. The
    // deadline counts from when the ping was due, so a late timer does not extend it; a ping
    // that goes out after that moment (the loop stalled) still gets a whole timeout.
    pong_deadline_ = next_ping_ + timeout_;
    if (*pong_deadline_ <= now) pong_deadline_ = now + timeout_;
    ping_sent_ = now;
    return action::send_ping;
}

bool heartbeat::on_pong(util::time_point now) {
    // An unsolicited pong neither postpones the next ping nor proves that the client reads:
    // a client that sends pongs on its own schedule is pinged on ours all the same.
    if (!pong_deadline_) return false;
    pong_deadline_.reset();
    next_ping_ = now + interval_;
    auto const sample = std::chrono::duration_cast<util::duration>(now - ping_sent_);
    rtt_ = rtt_ ? *rtt_ + (sample - *rtt_) / 8 : sample;
    return true;
}

} // namespace kibitz::engineio
