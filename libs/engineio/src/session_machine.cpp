#include "session_machine.hpp"

#include <kibitz/engineio/wire.hpp>

namespace kibitz::engineio::detail {

using kind = session_action::kind;

session_machine::session_machine(options const& opts, outgoing_ptr ping)
    : opts_(opts), ping_(std::move(ping)),
      heartbeat_(opts.ping_interval, opts.ping_timeout, util::time_point{}) {}

void session_machine::start(util::time_point now) {
    heartbeat_ = heartbeat(opts_.ping_interval, opts_.ping_timeout, now);
    arm_timer();
}

session_action& session_machine::emit(kind k) {
    // Nothing pending: the action goes in the slot inside the machine (most events have one).
    if (!has_actions()) {
        // Taken with next(), so its body and batch are moved-from: empty them, keep the rest
        // (fields another kind does not read).
        first_.what = k;
        first_.body.clear();
        first_.batch.clear();
        first_.binary = false;
        first_.in_view = false;
        has_first_ = true;
        return first_;
    }
    auto& a = more_.emplace_back();
    a.what = k;
    return a;
}

bool session_machine::next(session_action& out) {
    // first_, when present, is older than everything in more_.
    if (has_first_) {
        has_first_ = false;
        out = std::move(first_);
        return true;
    }
    if (next_ < more_.size()) {
        out = std::move(more_[next_++]);
        return true;
    }
    more_.clear(); // keeps the capacity for the next event
    next_ = 0;
    return false;
}

void session_machine::reuse_batch(std::vector<outgoing_ptr>& batch) {
    batch.clear();
    // A burst to a slow reader (thousands of frames in one write) is not kept at its high-water
    // mark: only a batch of ordinary size becomes the next queue.
    if (batch.capacity() > kept_queue_capacity) return std::vector<outgoing_ptr>().swap(batch);
    if (queue_.empty() && queue_.capacity() < batch.capacity()) queue_.swap(batch);
}

bool session_machine::writable(bool ws_busy) const {
    if (!queue_.empty() || state_ != state::open) return false;
    if (has_ws_) return !ws_busy;
    return poll_pending_;
}

send_result session_machine::send(outgoing_ptr packet, bool droppable, bool ws_busy) {
    // A session past its send-queue limit is about to close: nothing more is kept for it.
    if (state_ != state::open || overflow_) return send_result::dropped;
    // A volatile packet is dropped rather than queued behind others (socket.io "volatile").
    if (droppable && !writable(ws_busy)) return send_result::dropped;
    queued_bytes_ += packet->size();
    queue_.push_back(std::move(packet));
    if (queued_bytes_ > opts_.max_send_queue_bytes && !overflow_) {
        // A client that does not read is closed, later, never inside this call.
        overflow_ = true;
        emit(kind::post).work = deferred::overflow_close;
        return send_result::queued;
    }
    // Everything queued in this loop turn leaves in one write: the owner flushes every session
    // that asked, once, at the end of the turn.
    if (flush_scheduled_) return send_result::queued;
    flush_scheduled_ = true;
    return send_result::queued_flush;
}

void session_machine::flush_due(bool ws_busy) {
    flush_scheduled_ = false;
    flush_queue(ws_busy);
}

void session_machine::flush_queue(bool ws_busy) {
    if (state_ == state::closed || queue_.empty()) return;
    if (has_ws_) {
        if (ws_busy) return; // ws_drained() calls again
        queued_bytes_ = 0;
        emit(kind::write_ws).batch.swap(queue_);
        if (state_ == state::closing) finish_close(wire::reason_forced_close, "");
        return;
    }
    if (!poll_pending_) return;
    // Engine.IO v4: packets in a polling payload are separated by '\x1e'.
    auto& a = emit(kind::respond_poll);
    bool has_close = false;
    for (std::size_t i = 0; i < queue_.size(); ++i) {
        if (i) a.body += '\x1e';
        a.body += queue_[i]->polling();
        has_close = has_close || queue_[i]->type() == packet_type::close;
    }
    poll_pending_ = false;
    queue_.clear();
    if (queue_.capacity() > kept_queue_capacity) std::vector<outgoing_ptr>().swap(queue_);
    queued_bytes_ = 0;
    if (has_close) finish_close(wire::reason_forced_close, "");
}

void session_machine::respond_poll(packet_type type) {
    // A one-packet payload without data: "6" (noop) or "1" (close).
    poll_pending_ = false;
    emit(kind::respond_poll).body.push_back(static_cast<char>(type));
}

void session_machine::poll_get(util::time_point now) {
    if (state_ == state::closed) {
        emit(kind::answer_request).status = 400;
        return;
    }
    if (poll_pending_) {
        // Spec: a second concurrent GET is an error: answer it 400 and end the session.
        emit(kind::answer_request).status = 400;
        return finish_close(wire::reason_transport_error, "overlap from client");
    }
    poll_pending_ = true;
    emit(kind::hold_poll);
    if (!check(now)) return;
    // While the WebSocket upgrade is under way, release the client's poll at once (a noop).
    if (upgrading_ && queue_.empty()) return respond_poll(packet_type::noop);
    if (!queue_.empty() && !flush_scheduled_) {
        flush_scheduled_ = true;
        emit(kind::schedule_flush);
    }
}

void session_machine::poll_post(bool body_too_large, std::optional<std::string_view> content_type,
                                std::string_view body, util::time_point now) {
    if (body_too_large) {
        emit(kind::answer_request).status = 413;
        return finish_close(wire::reason_transport_error, "payload too large");
    }
    // Engine.IO v4 polling carries text only (binary as base64): engine.io refuses the rest.
    if (content_type && content_type->starts_with("application/octet-stream")) {
        emit(kind::answer_request).status = 400;
        return finish_close(wire::reason_transport_error, "invalid content");
    }
    // Node's engine.io answers "ok" once the body is read.
    emit(kind::answer_request).status = 200;
    if (!check(now)) return;
    auto packets = decode_payload(body);
    if (!packets) return finish_close(wire::reason_parse_error, "invalid payload");
    for (auto& p : *packets) {
        if (state_ == state::closed) return;
        handle_packet(p, now);
    }
}

bool session_machine::check(util::time_point now) {
    // The heartbeat deadline is checked on every request, not only when the timer fires.
    if (state_ == state::closed) return false;
    if (closing_deadline_ && now >= *closing_deadline_) {
        finish_close(wire::reason_forced_close, "");
        return false;
    }
    if (upgrade_deadline_ && now >= *upgrade_deadline_) {
        // The probe did not complete within upgradeTimeout: drop it, keep polling.
        end_probe();
    }
    switch (heartbeat_.tick(now)) {
    case heartbeat::action::none:
        break;
    case heartbeat::action::send_ping:
        if (state_ == state::open && send(ping_, false, false) == send_result::queued_flush)
            emit(kind::schedule_flush);
        break;
    case heartbeat::action::timed_out:
        // Draining (pause_heartbeat): the pings go on, so clients keep their own timers happy.
        if (heartbeat_paused_) {
            heartbeat_.forgive(now);
            break;
        }
        finish_close(wire::reason_ping_timeout, "");
        return false;
    }
    arm_timer();
    return true;
}

void session_machine::arm_timer() {
    auto next = heartbeat_.next_deadline();
    if (upgrade_deadline_ && *upgrade_deadline_ < next) next = *upgrade_deadline_;
    if (closing_deadline_ && *closing_deadline_ < next) next = *closing_deadline_;
    if (armed_ == next) return;
    armed_ = next;
    emit(kind::arm_timer).at = next;
}

void session_machine::pause_heartbeat() {
    heartbeat_paused_ = true;
}

void session_machine::timer_fired(util::time_point now) {
    if (state_ == state::closed) return;
    // The wait is over: whatever is due now is done, and the timer is armed again.
    armed_.reset();
    check(now);
}

void session_machine::handle_packet(packet& p, util::time_point now) {
    switch (p.type) {
    case packet_type::pong:
        // An unsolicited pong is ignored (it postpones nothing).
        if (heartbeat_.on_pong(now)) arm_timer();
        break;
    case packet_type::message:
        if (state_ != state::open) break;
        {
            auto& a = emit(kind::deliver);
            a.binary = p.binary;
            a.body = std::move(p.data);
        }
        break;
    case packet_type::close:
        // A poll still pending is released with a noop, as engine.io does.
        if (poll_pending_) respond_poll(packet_type::noop);
        finish_close(wire::reason_transport_close, "client closed");
        break;
    case packet_type::ping:
        // Engine.IO v4: pings go from server to client only (except the upgrade probe).
        finish_close(wire::reason_transport_error, "invalid heartbeat direction");
        break;
    case packet_type::open:
    case packet_type::upgrade:
    case packet_type::noop:
        break;
    }
}

bool session_machine::can_upgrade() const {
    return state_ == state::open && !has_ws_ && !has_probe_ && opts_.allow_upgrades;
}

void session_machine::probe_opened(util::time_point now) {
    has_probe_ = true;
    upgrade_deadline_ = now + opts_.upgrade_timeout;
    arm_timer();
}

void session_machine::end_probe() {
    if (has_probe_) emit(kind::close_probe);
    has_probe_ = false;
    upgrading_ = false;
    upgrade_deadline_.reset();
}

void session_machine::handle_probe_packet(packet const& p, bool busy) {
    // Spec "Upgrade": the client sends "2probe", the server answers "3probe", the client
    // pauses polling and sends "5"; from then on the WebSocket carries everything.
    if (p.type == packet_type::ping && p.data == "probe") {
        // The answer counts against the WebSocket's queue: a peer that repeats the probe and
        // never reads is closed by it (ws_closed reports it, and the probe ends).
        emit(kind::write_probe).batch.push_back(make_packet(packet_type::pong, "probe"));
        upgrading_ = true;
        if (poll_pending_ && queue_.empty()) respond_poll(packet_type::noop);
        return;
    }
    if (p.type != packet_type::upgrade || !upgrading_) return end_probe();
    // Anything else on a probe ends the probe, not the session. The upgrade completes:
    has_probe_ = false;
    has_ws_ = true;
    upgrading_ = false;
    upgrade_deadline_.reset();
    emit(kind::promote_probe);
    // A poll still pending gets a noop so the client's polling ends cleanly.
    if (poll_pending_) respond_poll(packet_type::noop);
    arm_timer();
    flush_queue(busy);
}

void session_machine::ws_message(ws_role from, bool binary, std::string_view data, bool busy,
                                 util::time_point now, bool stable) {
    if (from == ws_role::probe ? !has_probe_ : !has_ws_) return;
    if (!check(now)) return;
    if (from == ws_role::probe && !has_probe_) return; // the upgrade timed out just now
    bool message = binary || (!data.empty() && data[0] == static_cast<char>(packet_type::message));
    if (stable && from == ws_role::transport && message) {
        // The common case, a message on the transport: handed on as a view, no copy.
        if (state_ != state::open) return;
        auto& a = emit(kind::deliver);
        a.binary = binary;
        a.in_view = true;
        a.reason = binary ? data : data.substr(1);
        return;
    }
    std::optional<packet> p;
    if (binary)
        p = packet{packet_type::message, true, std::string(data)};
    else
        p = decode_text_packet(data);
    if (!p) return finish_close(wire::reason_parse_error, "invalid packet");
    if (from == ws_role::probe) return handle_probe_packet(*p, busy);
    handle_packet(*p, now);
}

void session_machine::own_views() {
    auto own = [](session_action& a) {
        if (a.what != kind::deliver || !a.in_view) return;
        a.body = std::string(a.reason);
        a.reason = {};
        a.in_view = false;
    };
    if (has_first_) own(first_);
    for (auto i = next_; i < more_.size(); ++i)
        own(more_[i]);
}

void session_machine::ws_closed(ws_role from, bool error, std::string_view description) {
    if (from == ws_role::probe) {
        if (!has_probe_) return;
        has_probe_ = false;
        upgrading_ = false;
        upgrade_deadline_.reset();
        emit(kind::close_probe);
        return;
    }
    if (!has_ws_) return;
    finish_close(error ? wire::reason_transport_error : wire::reason_transport_close, description);
}

void session_machine::ws_drained() {
    flush_queue(false);
}

void session_machine::close(util::time_point now) {
    if (state_ != state::open) return;
    leave_open();
    state_ = state::closing;
    // What is queued goes first; then the transport closes (Node: socket.close() waits drain).
    if (has_ws_) {
        emit(kind::post).work = deferred::close_after_drain;
        return;
    }
    // Polling: the close packet goes with the next poll; without one soon, close anyway.
    queue_.push_back(make_packet(packet_type::close));
    closing_deadline_ = now + opts_.ping_timeout;
    arm_timer();
    if (!flush_scheduled_) {
        flush_scheduled_ = true;
        emit(kind::schedule_flush);
    }
}

void session_machine::posted(deferred work, bool ws_busy) {
    if (state_ == state::closed) return;
    if (work == deferred::overflow_close)
        return finish_close(wire::reason_transport_error, "send queue limit exceeded");
    // The close frame queues behind a write in flight, so nothing sent is cut off.
    if (queue_.empty()) return finish_close(wire::reason_forced_close, "");
    flush_queue(ws_busy);
}

void session_machine::terminate(std::string_view reason, std::string_view description) {
    finish_close(reason, description);
}

void session_machine::leave_open() {
    // A handler that closes the session receives nothing after that: deliveries not yet
    // applied are cancelled.
    if (has_first_ && first_.what == kind::deliver) first_ = session_action{};
    for (auto i = next_; i < more_.size(); ++i)
        if (more_[i].what == kind::deliver) more_[i] = session_action{};
}

void session_machine::finish_close(std::string_view reason, std::string_view description) {
    if (state_ == state::closed) return;
    if (state_ == state::open) leave_open();
    state_ = state::closed;
    armed_.reset();
    emit(kind::cancel_timer);
    queue_.clear();
    queued_bytes_ = 0;
    if (poll_pending_) respond_poll(packet_type::close);
    if (has_ws_) emit(kind::close_ws);
    if (has_probe_) emit(kind::close_probe);
    has_probe_ = false;
    auto& a = emit(kind::closed);
    a.reason = reason;
    a.body = description;
}

} // namespace kibitz::engineio::detail
