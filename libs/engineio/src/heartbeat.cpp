#include <kibitz/engineio/heartbeat.hpp>

namespace kibitz::engineio {

heartbeat::action heartbeat::tick(util::time_point now) {
    if (pong_deadline_) return now >= *pong_deadline_ ? action::timed_out : action::none;
    if (now < next_ping_) return action::none;
    // Engine.IO v4: the server pings, and the client must answer within pingTimeout.
    pong_deadline_ = now + timeout_;
    return action::send_ping;
}

void heartbeat::on_pong(util::time_point now) {
    pong_deadline_.reset();
    next_ping_ = now + interval_;
}

} // namespace kibitz::engineio
