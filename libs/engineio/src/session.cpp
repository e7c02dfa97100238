#include "session.hpp"

#include <kibitz/engineio/wire.hpp>

#include <exception>

namespace kibitz::engineio::detail {

namespace {
http_response polling_response(header_list headers, std::string body, content_coding coding,
                               http_compression_options const& compression) {
    http_response r;
    r.headers = std::move(headers); // CORS and the headers hook's, from the GET
    r.set("Content-Type", "text/plain; charset=UTF-8");
    r.set("Cache-Control", "no-store");
    r.body = std::move(body);
    compress_response(r, coding, compression);
    return r;
}
} // namespace

session::session(net::asio::io_context& ioc, session_owner& owner, std::string id,
                 std::shared_ptr<http_request const> handshake)
    : owner_(owner), machine_(owner.opts(), owner.ping_packet()), ioc_(ioc), id_(std::move(id)),
      handshake_(std::move(handshake)) {}

session::~session() {
    // Only a session destroyed while open still has a deadline (a close cancels it first).
    if (due_) owner_.move_deadline(*this, due_, std::nullopt);
}

void session::start(util::time_point now) {
    machine_.start(now);
    run();
}

void session::attach_websocket(std::shared_ptr<ws_connection> ws) {
    ws_ = std::move(ws);
    machine_.attach_websocket();
}

std::string_view session::transport() const {
    return machine_.websocket() ? wire::transport_websocket : wire::transport_polling;
}

bool session::send(outgoing_ptr packet, bool droppable) {
    // Only a droppable packet asks whether the WebSocket is busy: a broadcast to many sessions
    // touches no connection object.
    auto result = machine_.send(std::move(packet), droppable, droppable && ws_busy());
    if (result == send_result::queued_flush) owner_.schedule_flush(shared_from_this());
    if (droppable && result == send_result::dropped) ++owner_.counters().volatile_drops;
    run();
    return result != send_result::dropped;
}

void session::pause_heartbeat() {
    machine_.pause_heartbeat();
}

void session::run_scheduled_flush() {
    machine_.flush_due(ws_busy());
    run();
}

void session::flush() {
    machine_.flush(ws_busy());
    run();
}

session::polling_state& session::polling() {
    if (!polling_) polling_ = std::make_unique<polling_state>();
    return *polling_;
}

void session::on_poll_get(http::exchange_ptr conn, header_list headers, content_coding coding,
                          util::time_point now) {
    auto& p = polling();
    p.request = std::move(conn);
    http_response base{200, std::move(headers), {}, false};
    p.request_headers = &base;
    p.request_coding = coding;
    machine_.poll_get(now);
    run();
    p.request.reset();
    p.request_headers = nullptr;
}

void session::on_poll_post(http::exchange_ptr conn, http_request const& request,
                           http_response headers, util::time_point now) {
    auto& p = polling();
    p.request = std::move(conn);
    p.request_headers = &headers;
    machine_.poll_post(request.body_too_large, request.header("Content-Type"), request.body, now);
    run();
    p.request.reset();
    p.request_headers = nullptr;
}

bool session::can_upgrade() const {
    return machine_.can_upgrade();
}

void session::begin_probe(std::shared_ptr<ws_connection> ws, util::time_point now) {
    polling().probe = std::move(ws);
    machine_.probe_opened(now);
    run();
}

void session::on_ws_message(ws_connection& ws, message msg) {
    auto now = owner_.now();
    // Not running: this event's actions are applied by the run() below, while msg.data is
    // still valid, so a message is delivered as a view of it.
    bool stable = !running_;
    if (&ws == probe())
        machine_.ws_message(ws_role::probe, msg.binary, msg.data, ws.writing(), now, stable);
    else if (&ws == ws_.get())
        machine_.ws_message(ws_role::transport, msg.binary, msg.data, ws.writing(), now, stable);
    run();
}

void session::on_ws_closed(ws_connection& ws, bool error, std::string_view description) {
    if (&ws == probe()) machine_.ws_closed(ws_role::probe, error, description);
    if (&ws == ws_.get()) machine_.ws_closed(ws_role::transport, error, description);
    run();
}

void session::on_ws_drained(ws_connection& ws) {
    if (&ws != ws_.get()) return;
    machine_.ws_drained();
    run();
}

void session::close() {
    machine_.close(owner_.now());
    run();
}

void session::terminate(std::string_view reason, std::string_view description) {
    machine_.terminate(reason, description);
    run();
}

void session::run() {
    // Most sends queue behind a flush already asked for: nothing to apply, nothing to pay.
    if (running_ || !machine_.has_actions()) return;
    // Held from the first action that may drop the session (the owner forgets a closed one; a
    // handler may let go of it); taken only then, so a flush costs no reference count.
    std::shared_ptr<session> self;
    session_action a; // taken from the machine, one at a time
    running_ = true;
    // Cleared however the loop ends, so a handler that throws does not stall the session; then
    // the deliveries left own their bytes (a view of a message would not outlive the event).
    struct guard {
        session& s;
        int exceptions = std::uncaught_exceptions();
        ~guard() {
            s.running_ = false;
            if (std::uncaught_exceptions() > exceptions) s.machine_.own_views();
        }
    } g{*this};
    while (machine_.next(a)) {
        using kind = session_action::kind;
        if (!self && (a.what == kind::closed || a.what == kind::deliver)) self = shared_from_this();
        apply(a);
    }
}

void session::apply(session_action& a) {
    using kind = session_action::kind;
    switch (a.what) {
    case kind::deliver:
        if (on_message_) on_message_(message{a.binary, a.in_view ? a.reason : a.body});
        break;
    case kind::schedule_flush:
        owner_.schedule_flush(shared_from_this());
        break;
    case kind::post:
        if (a.work == deferred::overflow_close) ++owner_.counters().slow_client_closes;
        net::asio::post(ioc_, [self = shared_from_this(), work = a.work] {
            self->machine_.posted(work, self->ws_busy());
            self->run();
        });
        break;
    case kind::arm_timer:
        arm_timer(a.at);
        break;
    case kind::cancel_timer:
        arm_timer(std::nullopt);
        break;
    case kind::closed: {
        owner_.on_session_closed(id_, handshake_->remote_address);
        auto handler = std::move(on_close_);
        on_close_ = nullptr;
        on_message_ = nullptr;
        if (handler) handler(a.reason, a.body);
        break;
    }
    default:
        apply_transport(a);
    }
}

void session::apply_transport(session_action& a) {
    using kind = session_action::kind;
    switch (a.what) {
    case kind::answer_request:
        return answer_request(a.status);
    case kind::hold_poll: {
        auto& p = polling();
        p.poll = std::move(p.request);
        p.poll_coding = p.request_coding;
        if (p.request_headers) p.poll_headers = std::move(p.request_headers->headers);
        break;
    }
    case kind::respond_poll:
        return respond_poll(std::move(a.body));
    case kind::write_ws:
        if (ws_) ws_->write(a.batch);
        machine_.reuse_batch(a.batch);
        break;
    case kind::write_probe:
        if (auto* probe = this->probe()) probe->write(a.batch);
        machine_.reuse_batch(a.batch);
        break;
    case kind::promote_probe:
        ++owner_.counters().upgrades;
        if (polling_) ws_ = std::move(polling_->probe);
        break;
    case kind::close_ws:
        if (ws_) ws_->close(ws_close_code::normal);
        break;
    case kind::close_probe:
        if (!polling_) break;
        if (auto probe = std::move(polling_->probe)) probe->close(ws_close_code::normal);
        break;
    default:
        break;
    }
}

void session::answer_request(int status) {
    // A POST is answered "ok" (text/html, as Node's engine.io); 413 also closes the connection.
    http_response r;
    auto* p = polling_.get();
    if (p && p->request_headers) r = std::move(*p->request_headers);
    r.status = status;
    r.close = status == 413;
    if (status == 200) {
        r.set("Content-Type", "text/html");
        r.set("Cache-Control", "no-store");
        r.body = "ok";
    }
    if (!p) return;
    if (auto conn = std::move(p->request)) conn->respond(std::move(r));
}

void session::respond_poll(std::string body) {
    if (!polling_) return;
    auto& p = *polling_;
    if (auto conn = std::move(p.poll))
        conn->respond(polling_response(std::move(p.poll_headers), std::move(body), p.poll_coding,
                                       owner_.opts().http_compression));
    p.poll_headers.clear();
}

void session::arm_timer(std::optional<util::time_point> at) {
    if (at == due_) return;
    owner_.move_deadline(*this, due_, at);
    due_ = at;
}

void session::on_deadline() {
    due_.reset();
    if (machine_.is_closed()) return;
    machine_.timer_fired(owner_.now());
    run();
}

} // namespace kibitz::engineio::detail
