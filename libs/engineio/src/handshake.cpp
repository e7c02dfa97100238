#include "cookie.hpp"
#include "server_impl.hpp"

#include <kibitz/util/json.hpp>
#include <kibitz/util/log.hpp>
#include <kibitz/util/random.hpp>

#include <exception>

namespace kibitz::engineio {

using detail::session;
using wire::request_error;

namespace {
// A handshake waiting for allow_request_async's answer, and its deadline.
struct pending_handshake {
    explicit pending_handshake(net::asio::io_context& ioc) : deadline(ioc) {}
    http_request req;
    http::exchange_ptr conn;
    http_response base;
    detail::ws_accepted ws;
    net::asio::steady_timer deadline;
    bool answered = false;

    // Answered: what it held goes (the user may keep the answer function for long).
    void release() {
        conn.reset();
        req = {};
        base = {};
        ws = {};
    }
};

// Runs a user hook; an exception is logged and dropped (client input never ends the process).
template<class Fn, class... Args>
bool guarded(std::string_view what, Fn const& fn, Args&&... args) {
    try {
        fn(std::forward<Args>(args)...);
        return true;
    } catch (std::exception const& e) {
        util::log(util::log_level::warn, "engine.io: ", what, " threw: ", e.what());
    } catch (...) {
        util::log(util::log_level::warn, "engine.io: ", what, " threw");
    }
    return false;
}
} // namespace

void server::impl::refuse(http_request const& req, http::exchange& conn, request_error e,
                          http_response base, std::string_view message, int status) const {
    // engine.io answers {"code":N,"message":"..."}: 403 for Forbidden, 400 otherwise.
    base.status = status ? status : e == request_error::forbidden ? 403 : 400;
    base.set("Content-Type", "application/json");
    auto text = message.empty() ? wire::error_message(e) : message;
    json body = {{"code", static_cast<int>(e)}, {"message", text}};
    // allow_request's message is the application's: bytes that are not UTF-8 are replaced.
    base.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    int sent = base.status;
    ++counters_.refused[static_cast<std::size_t>(e)];
    conn.respond(std::move(base));
    if (on_connection_error_)
        guarded("connection_error handler", on_connection_error_,
                connection_error{req, e, text, sent});
}

void server::impl::decorate(http_response& r, http_request const& req,
                            std::optional<std::string_view> new_sid) const {
    // engine.io: the cookie and "initial_headers" on the handshake, "headers" on every answer.
    if (new_sid) {
        if (opts_.cookie.enabled)
            r.headers.emplace_back("Set-Cookie", detail::serialize_cookie(opts_.cookie, *new_sid));
        if (on_initial_headers_)
            guarded("initial_headers hook", on_initial_headers_, r.headers, req);
    }
    if (on_headers_) guarded("headers hook", on_headers_, r.headers, req);
}

http_request server::impl::kept_handshake(http_request&& req) const {
    // What a session keeps of its handshake: no body, and the headers that fit the budget.
    http_request kept;
    kept.method = std::move(req.method);
    kept.target = std::move(req.target);
    kept.path = std::move(req.path);
    kept.query = std::move(req.query);
    kept.remote_address = std::move(req.remote_address);
    kept.received_at = req.received_at;
    kept.secure = req.secure;
    std::size_t budget = opts_.max_handshake_header_bytes;
    for (auto& [name, value] : req.headers) {
        auto cost = name.size() + value.size();
        if (cost > budget) continue;
        budget -= cost;
        kept.headers.emplace_back(std::move(name), std::move(value));
    }
    kept.headers.shrink_to_fit();
    return kept;
}

std::string server::impl::open_packet(std::string const& sid, bool websocket) const {
    nlohmann::ordered_json upgrades = nlohmann::ordered_json::array();
    if (!websocket && opts_.allow_upgrades && opts_.allow_websocket)
        upgrades.push_back("websocket");
    nlohmann::ordered_json o = {{"sid", sid},
                                {"upgrades", upgrades},
                                {"pingInterval", opts_.ping_interval.count()},
                                {"pingTimeout", opts_.ping_timeout.count()},
                                {"maxPayload", opts_.max_payload}};
    return "0" + o.dump();
}

void server::impl::handshake(http_request&& req, http::exchange_ptr conn, bool websocket,
                             http_response base) {
    if (!admit(req, *conn, base)) return;
    detail::ws_accepted ws;
    ws.websocket = websocket;
    if (websocket && !websocket_accept(req, *conn, ws.accept, base, ws.deflate)) return;
    if (opts_.allow_request_async)
        return ask_allow_request_async(std::move(req), std::move(conn), std::move(base),
                                       std::move(ws));
    open_session(std::move(req), std::move(conn), std::move(base), std::move(ws));
}

void server::impl::ask_allow_request_async(http_request&& req, http::exchange_ptr conn,
                                           http_response base, detail::ws_accepted ws) {
    auto p = std::make_shared<pending_handshake>(ioc_);
    p->req = std::move(req);
    p->conn = std::move(conn);
    p->base = std::move(base);
    p->ws = std::move(ws);
    std::weak_ptr<impl> weak = weak_from_this();
    // The request is held until the answer, or until the deadline refuses it.
    p->deadline.expires_after(opts_.allow_request_timeout);
    p->deadline.async_wait([weak, p](net::error_code ec) {
        if (ec || p->answered) return;
        p->answered = true;
        if (auto self = weak.lock())
            self->refuse(p->req, *p->conn, request_error::forbidden, std::move(p->base), {}, 503);
        p->release();
    });
    allow_request_answer answer = [weak, p](std::optional<std::string> refusal) {
        if (p->answered) return;
        p->answered = true;
        p->deadline.cancel();
        auto self = weak.lock();
        if (self && refusal) {
            self->refuse(p->req, *p->conn, request_error::forbidden, std::move(p->base), *refusal);
        } else if (self) {
            // The session's clock starts now, not when the request came.
            p->req.received_at = self->now();
            self->open_session(std::move(p->req), std::move(p->conn), std::move(p->base),
                               std::move(p->ws));
        }
        p->release();
    };
    if (!guarded("allow_request_async", opts_.allow_request_async, p->req, answer))
        answer(std::string(wire::error_message(request_error::forbidden)));
}

void server::impl::open_session(http_request&& req, http::exchange_ptr conn, http_response base,
                                detail::ws_accepted ws) {
    // An answer that comes late may find the server closed or full.
    if (closed_) return refuse(req, *conn, request_error::bad_request, base);
    if (!within_limits(req, *conn, base)) return;
    // Counted only now that every check has passed: a refused handshake leaves no entry.
    ++per_address_[req.remote_address];
    auto sid = util::random_id(128);
    auto now = req.received_at;
    auto open = open_packet(sid, ws.websocket);
    // Over WebSocket the open packet leaves with the 101 response, in one write.
    auto first_frame = ws.websocket ? ws_frame(ws_opcode::text, open) : std::string();
    if (!ws.websocket) {
        base.set("Content-Type", "text/plain; charset=UTF-8");
        base.set("Cache-Control", "no-store");
        base.body = std::move(open);
        decorate(base, req, sid);
    } else {
        decorate(ws.accept, req, sid);
    }
    auto s = std::make_shared<session>(
        ioc_, *this, sid, std::make_shared<http_request const>(kept_handshake(std::move(req))));
    sessions_.emplace(s->id(), s);
    // The heartbeat runs from now on, so a session whose upgrade never completes ends.
    s->start(now);
    if (heartbeats_paused_) s->pause_heartbeat();
    if (!ws.websocket) {
        conn->respond(std::move(base));
        if (on_connection_) on_connection_(s);
        return;
    }
    auto self = shared_from_this();
    auto limits = ws_limits_for(ws.deflate);
    conn->upgrade(
        std::move(ws.accept),
        [self, s, limits](http::upgraded_socket up) {
            if (!s->is_open()) return;
            auto wsc = detail::adopt_websocket(self->ioc_, up, limits);
            if (!wsc) return s->terminate(wire::reason_transport_error, "cannot adopt the socket");
            s->attach_websocket(wsc);
            wsc->start(s.get(), std::move(up.leftover));
            if (self->on_connection_) self->on_connection_(s);
        },
        std::move(first_frame));
}

bool server::impl::admit(http_request const& req, http::exchange& conn, http_response& base) {
    if (closed_) {
        refuse(req, conn, request_error::bad_request, base);
        return false;
    }
    if (req.query_param("EIO").value_or("") != "4") {
        refuse(req, conn, request_error::unsupported_protocol_version, base);
        return false;
    }
    std::optional<std::string> refusal;
    if (opts_.allow_request &&
        !guarded("allow_request", [&] { refusal = opts_.allow_request(req); }))
        refusal = std::string(wire::error_message(request_error::forbidden));
    if (refusal) {
        refuse(req, conn, request_error::forbidden, base, *refusal);
        return false;
    }
    return within_limits(req, conn, base);
}

bool server::impl::within_limits(http_request const& req, http::exchange& conn,
                                 http_response& base) {
    if (opts_.max_sessions && sessions_.size() >= opts_.max_sessions) {
        refuse(req, conn, request_error::forbidden, base, "Server full", 503);
        return false;
    }
    auto it = per_address_.find(req.remote_address);
    if (opts_.max_sessions_per_address && it != per_address_.end() &&
        it->second >= opts_.max_sessions_per_address) {
        refuse(req, conn, request_error::forbidden, base, "Too many sessions");
        return false;
    }
    return true;
}

} // namespace kibitz::engineio
