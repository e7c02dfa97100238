#include "session.hpp"

#include <kibitz/engineio/wire.hpp>

namespace kibitz::engineio::detail {

namespace {
http_response polling_response(std::string body) {
    http_response r;
    r.set("Content-Type", "text/plain; charset=UTF-8");
    r.set("Cache-Control", "no-store");
    r.body = std::move(body);
    return r;
}
} // namespace

session::session(net::asio::io_context& ioc, session_owner& owner, std::string id,
                 http_request handshake)
    : owner_(owner), id_(std::move(id)), handshake_(std::move(handshake)),
      heartbeat_(owner.opts().ping_interval, owner.opts().ping_timeout, util::steady_clock::now()),
      timer_(ioc) {
    handshake_.body.clear();
}

session::~session() = default;

void session::start(util::time_point now) {
    heartbeat_ = heartbeat(owner_.opts().ping_interval, owner_.opts().ping_timeout, now);
    arm_timer();
}

void session::attach_websocket(std::shared_ptr<ws_connection> ws) {
    ws_ = std::move(ws);
}

std::string_view session::transport() const {
    return ws_ ? wire::transport_websocket : wire::transport_polling;
}

bool session::writable() const {
    if (!queue_.empty() || state_ != state::open) return false;
    if (ws_) return !ws_->writing();
    return poll_ != nullptr;
}

bool session::send(outgoing_ptr packet, bool droppable) {
    if (state_ != state::open) return false;
    // A volatile packet is dropped rather than queued behind others (socket.io "volatile").
    if (droppable && !writable()) return false;
    queued_bytes_ += packet->size();
    queue_.push_back(std::move(packet));
    if (queued_bytes_ > owner_.opts().max_send_queue_bytes && !overflow_) {
        // A client that does not read is closed, later, never inside this call.
        overflow_ = true;
        net::asio::post(timer_.get_executor(), [self = shared_from_this()] {
            self->finish_close(wire::reason_transport_error, "send queue limit exceeded");
        });
        return true;
    }
    schedule_flush();
    return true;
}

void session::schedule_flush() {
    // Everything queued in this loop turn leaves in one write: the server flushes every
    // session that asked, once, at the end of the turn.
    if (flush_scheduled_) return;
    flush_scheduled_ = true;
    owner_.schedule_flush(shared_from_this());
}

void session::run_scheduled_flush() {
    flush_scheduled_ = false;
    flush_queue();
}

void session::flush() {
    flush_queue();
}

void session::flush_queue() {
    if (state_ == state::closed || queue_.empty()) return;
    if (ws_) {
        if (ws_->writing()) return; // on_ws_drained() calls again
        queued_bytes_ = 0;
        std::vector<outgoing_ptr> batch;
        batch.swap(queue_);
        bool closing = state_ == state::closing;
        ws_->write(std::move(batch));
        if (closing) finish_close(wire::reason_forced_close, "");
        return;
    }
    if (!poll_) return;
    // Engine.IO v4: packets in a polling payload are separated by '\x1e'.
    std::string body;
    bool has_close = false;
    for (std::size_t i = 0; i < queue_.size(); ++i) {
        if (i) body += '\x1e';
        body += queue_[i]->polling();
        has_close = has_close || queue_[i]->type() == packet_type::close;
    }
    queue_.clear();
    queued_bytes_ = 0;
    respond_poll(std::move(body));
    if (has_close) finish_close(wire::reason_forced_close, "");
}

void session::respond_poll(std::string body) {
    auto conn = std::move(poll_);
    poll_.reset();
    if (conn) conn->respond(polling_response(std::move(body)));
}

void session::on_poll_get(std::shared_ptr<http_connection> conn, util::time_point now) {
    if (poll_) {
        // Spec: a second concurrent GET is an error: answer it 400 and end the session.
        conn->respond({400, {}, "", false});
        return finish_close(wire::reason_transport_error, "overlap from client");
    }
    poll_ = std::move(conn);
    if (!check(now)) return;
    // While the WebSocket upgrade is under way, release the client's poll at once (a noop).
    if (upgrading_ && queue_.empty()) return respond_poll("6");
    if (!queue_.empty()) schedule_flush();
}

void session::on_poll_post(std::shared_ptr<http_connection> conn, http_request const& request,
                           http_response response, util::time_point now) {
    if (request.body_too_large) {
        response.status = 413;
        response.close = true;
        conn->respond(std::move(response));
        return finish_close(wire::reason_transport_error, "payload too large");
    }
    // Engine.IO v4 polling carries text only (binary as base64): engine.io refuses the rest.
    auto type = request.header("Content-Type");
    if (type && type->starts_with("application/octet-stream")) {
        response.status = 400;
        conn->respond(std::move(response));
        return finish_close(wire::reason_transport_error, "invalid content");
    }
    // Node's engine.io answers "ok" (text/html) once the body is read.
    response.set("Content-Type", "text/html");
    response.set("Cache-Control", "no-store");
    response.body = "ok";
    conn->respond(std::move(response));
    if (!check(now)) return;
    auto packets = decode_payload(request.body);
    if (!packets) return finish_close(wire::reason_parse_error, "invalid payload");
    auto self = shared_from_this(); // a handler may end the session
    for (auto const& p : *packets) {
        if (state_ == state::closed) return;
        handle_packet(p, now);
    }
}

bool session::check(util::time_point now) {
    // The heartbeat deadline is checked on every request, not only when the timer fires.
    if (state_ == state::closed) return false;
    if (closing_deadline_ && now >= *closing_deadline_) {
        finish_close(wire::reason_forced_close, "");
        return false;
    }
    if (upgrade_deadline_ && now >= *upgrade_deadline_) {
        // The probe did not complete within upgradeTimeout: drop it, keep polling.
        upgrade_deadline_.reset();
        upgrading_ = false;
        if (probe_) probe_->close(ws_close_code::normal);
        probe_.reset();
    }
    switch (heartbeat_.tick(now)) {
    case heartbeat::action::none:
        break;
    case heartbeat::action::send_ping:
        if (state_ == state::open) send(owner_.ping_packet(), false);
        break;
    case heartbeat::action::timed_out:
        finish_close(wire::reason_ping_timeout, "");
        return false;
    }
    arm_timer();
    return true;
}

void session::arm_timer() {
    auto next = heartbeat_.next_deadline();
    if (upgrade_deadline_ && *upgrade_deadline_ < next) next = *upgrade_deadline_;
    if (closing_deadline_ && *closing_deadline_ < next) next = *closing_deadline_;
    if (timer_.expiry() == next) return;
    timer_.expires_at(next);
    timer_.async_wait([self = shared_from_this()](net::error_code ec) { self->on_timer(ec); });
}

void session::on_timer(net::error_code ec) {
    if (ec || state_ == state::closed) return;
    auto now = util::steady_clock::now();
    // A wait may complete slightly early relative to our reading of the clock: re-arm.
    if (now < timer_.expiry()) return arm_timer();
    check(now);
}

void session::handle_packet(packet const& p, util::time_point now) {
    switch (p.type) {
    case packet_type::pong:
        // An unsolicited pong is ignored (it postpones nothing).
        if (heartbeat_.on_pong(now)) arm_timer();
        break;
    case packet_type::message:
        if (on_message_ && state_ == state::open) on_message_(message{p.binary, p.data});
        break;
    case packet_type::close:
        // A poll still pending is released with a noop, as engine.io does.
        if (poll_) respond_poll("6");
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

bool session::can_upgrade() const {
    return state_ == state::open && !ws_ && !probe_ && owner_.opts().allow_upgrades;
}

void session::begin_probe(std::shared_ptr<ws_connection> ws, util::time_point now) {
    probe_ = std::move(ws);
    upgrade_deadline_ = now + owner_.opts().upgrade_timeout;
    arm_timer();
}

void session::handle_probe_packet(packet const& p) {
    // Spec "Upgrade": the client sends "2probe", the server answers "3probe", the client
    // pauses polling and sends "5"; from then on the WebSocket carries everything.
    if (p.type == packet_type::ping && p.data == "probe") {
        // The answer counts against the WebSocket's queue: a peer that repeats the probe and
        // never reads is closed by it (and the probe is gone when this returns).
        probe_->write({make_packet(packet_type::pong, "probe")});
        if (!probe_) return;
        upgrading_ = true;
        if (poll_ && queue_.empty()) respond_poll("6");
        return;
    }
    if (p.type == packet_type::upgrade && upgrading_) return complete_upgrade();
    // Anything else on a probe ends the probe, not the session.
    probe_->close(ws_close_code::normal);
    probe_.reset();
    upgrading_ = false;
    upgrade_deadline_.reset();
}

void session::complete_upgrade() {
    ws_ = std::move(probe_);
    probe_.reset();
    upgrading_ = false;
    upgrade_deadline_.reset();
    // A poll still pending gets a noop so the client's polling ends cleanly.
    if (poll_) respond_poll("6");
    arm_timer();
    flush_queue();
}

void session::on_ws_message(ws_connection& ws, message msg) {
    auto now = util::steady_clock::now();
    if (!check(now)) return;
    std::optional<packet> p;
    if (msg.binary)
        p = packet{packet_type::message, true, std::string(msg.data)};
    else
        p = decode_text_packet(msg.data);
    if (&ws == probe_.get()) {
        if (!p) return finish_close(wire::reason_parse_error, "invalid packet");
        return handle_probe_packet(*p);
    }
    if (&ws != ws_.get()) return;
    if (!p) return finish_close(wire::reason_parse_error, "invalid packet");
    auto self = shared_from_this();
    handle_packet(*p, now);
}

void session::on_ws_closed(ws_connection& ws, bool error, std::string_view description) {
    if (&ws == probe_.get()) {
        probe_.reset();
        upgrading_ = false;
        upgrade_deadline_.reset();
        return;
    }
    if (&ws != ws_.get()) return;
    finish_close(error ? wire::reason_transport_error : wire::reason_transport_close, description);
}

void session::on_ws_drained(ws_connection& ws) {
    if (&ws == ws_.get()) flush_queue();
}

void session::close() {
    if (state_ != state::open) return;
    state_ = state::closing;
    // What is queued goes first; then the transport closes (Node: socket.close() waits drain).
    if (ws_) {
        net::asio::post(timer_.get_executor(), [self = shared_from_this()] {
            if (self->state_ == state::closed) return;
            // The close frame queues behind a write in flight, so nothing sent is cut off.
            if (self->queue_.empty()) return self->finish_close(wire::reason_forced_close, "");
            self->flush_queue();
        });
        return;
    }
    // Polling: the close packet goes with the next poll; without one soon, close anyway.
    queue_.push_back(make_packet(packet_type::close));
    closing_deadline_ = util::steady_clock::now() + owner_.opts().ping_timeout;
    arm_timer();
    schedule_flush();
}

void session::terminate(std::string_view reason, std::string_view description) {
    finish_close(reason, description);
}

void session::finish_close(std::string_view reason, std::string_view description) {
    if (state_ == state::closed) return;
    state_ = state::closed;
    auto self = shared_from_this();
    timer_.cancel();
    queue_.clear();
    queued_bytes_ = 0;
    if (poll_) respond_poll("1");
    if (ws_) ws_->close(ws_close_code::normal);
    if (probe_) probe_->close(ws_close_code::normal);
    owner_.on_session_closed(id_, handshake_.remote_address);
    auto handler = std::move(on_close_);
    on_close_ = nullptr;
    on_message_ = nullptr;
    if (handler) handler(reason, description);
}

} // namespace kibitz::engineio::detail
