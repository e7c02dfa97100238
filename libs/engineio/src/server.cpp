#include "session.hpp"
#include "ws_connection.hpp"

#include <kibitz/engineio/server.hpp>
#include <kibitz/engineio/wire.hpp>
#include <kibitz/util/base64.hpp>
#include <kibitz/util/json.hpp>
#include <kibitz/util/log.hpp>
#include <kibitz/util/random.hpp>

#include <sys/socket.h>

#include <unordered_map>

namespace kibitz::engineio {

using detail::session;
using detail::ws_connection;
using detail::ws_limits;

struct server::impl : detail::session_owner, std::enable_shared_from_this<impl> {
    impl(net::asio::io_context& ioc, options o)
        : ioc_(ioc), opts_(std::move(o)), ping_(make_packet(packet_type::ping)) {}

    options const& opts() const override { return opts_; }
    outgoing_ptr const& ping_packet() const override { return ping_; }
    util::time_point now() const override { return util::steady_clock::now(); }

    void schedule_flush(std::shared_ptr<session> s) override {
        // One posted handler per loop turn flushes every session that has something queued.
        flush_list_.push_back(std::move(s));
        if (flush_posted_) return;
        flush_posted_ = true;
        net::asio::post(ioc_, [self = shared_from_this()] { self->flush_all(); });
    }

    void flush_all() {
        flush_posted_ = false;
        std::vector<std::shared_ptr<session>> list;
        list.swap(flush_list_);
        for (auto const& s : list)
            s->run_scheduled_flush();
        // Keep the vector's capacity for the next turn.
        list.clear();
        if (flush_list_.empty()) flush_list_.swap(list);
    }

    void on_session_closed(std::string const& id, std::string const& address) override {
        sessions_.erase(id);
        auto it = per_address_.find(address);
        if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
    }

    void handle(http_request&& req, http::exchange_ptr conn);
    void handle_session(http_request&& req, http::exchange_ptr conn, http_response base);
    void handshake(http_request&& req, http::exchange_ptr conn, bool websocket, http_response base);
    bool admit(http_request const& req, http::exchange& conn, http_response& base);
    // Fills the 101's headers, or answers the refusal itself (400, or 426 for the version).
    bool websocket_accept(http_request const& req, http::exchange& conn, http_response& out,
                          http_response const& base) const;
    bool origin_allowed(http_request const& req) const;
    ws_limits ws_limits_for() const;
    http_request kept_handshake(http_request&& req) const;
    http_response cors_headers(http_request const& req) const;
    std::string open_packet(std::string const& sid, bool websocket) const;
    static void refuse(http::exchange& conn, wire::request_error e, http_response base,
                       std::string_view message = {}, int status = 0);

    net::asio::io_context& ioc_;
    options opts_;
    outgoing_ptr ping_;
    connection_handler on_connection_;
    std::function<bool(http_request const&, http_responder&)> subpath_handler_;
    std::unordered_map<std::string, std::shared_ptr<session>> sessions_;
    std::unordered_map<std::string, std::size_t> per_address_;
    std::vector<std::shared_ptr<session>> flush_list_;
    bool flush_posted_ = false;
    bool closed_ = false;
};

void server::impl::refuse(http::exchange& conn, wire::request_error e, http_response base,
                          std::string_view message, int status) {
    // engine.io answers {"code":N,"message":"..."}: 403 for Forbidden, 400 otherwise.
    base.status = status ? status : e == wire::request_error::forbidden ? 403 : 400;
    base.set("Content-Type", "application/json");
    json body = {{"code", static_cast<int>(e)},
                 {"message", message.empty() ? wire::error_message(e) : message}};
    base.body = body.dump();
    conn.respond(std::move(base));
}

http_response server::impl::cors_headers(http_request const& req) const {
    http_response r;
    auto origin = req.header("Origin");
    if (!origin || opts_.cors.origins.empty()) return r;
    bool any = false, listed = false;
    for (auto const& o : opts_.cors.origins) {
        any = any || o == "*";
        listed = listed || o == *origin;
    }
    if (!any && !listed) return r;
    // Never "*" with credentials: echo the origin instead.
    if (any && !listed && !opts_.cors.credentials) {
        r.set("Access-Control-Allow-Origin", "*");
    } else {
        r.set("Access-Control-Allow-Origin", *origin);
        r.set("Vary", "Origin");
    }
    if (opts_.cors.credentials) r.set("Access-Control-Allow-Credentials", "true");
    return r;
}

bool server::impl::origin_allowed(http_request const& req) const {
    if (opts_.websocket_origins.empty()) return true;
    auto origin = req.header("Origin");
    if (!origin) return true; // not a browser: nothing to protect against
    auto host = req.header("Host");
    for (auto const& o : opts_.websocket_origins) {
        if (o == "*" || o == *origin) return true;
        if (o == "same-origin" && host) {
            auto scheme_end = origin->find("://");
            if (scheme_end != std::string_view::npos && origin->substr(scheme_end + 3) == *host)
                return true;
        }
    }
    return false;
}

bool server::impl::websocket_accept(http_request const& req, http::exchange& conn,
                                    http_response& out, http_response const& base) const {
    // RFC 6455 section 4.4: another version is 426 naming the one we speak.
    auto version = req.header("Sec-WebSocket-Version");
    if (!version || *version != "13") {
        http_response r = base;
        r.set("Sec-WebSocket-Version", "13");
        refuse(conn, wire::request_error::bad_request, std::move(r), {}, 426);
        return false;
    }
    // Section 4.2.1: the key is base64 for exactly 16 bytes.
    auto key = req.header("Sec-WebSocket-Key");
    auto decoded = key ? util::base64_decode(*key) : std::nullopt;
    if (!decoded || decoded->size() != 16) {
        refuse(conn, wire::request_error::bad_request, base);
        return false;
    }
    out.set("Upgrade", "websocket");
    out.set("Connection", "Upgrade");
    out.set("Sec-WebSocket-Accept", ws_accept_key(*key));
    return true;
}

ws_limits server::impl::ws_limits_for() const {
    return {opts_.max_payload, opts_.max_frames_per_message, opts_.max_send_queue_bytes,
            opts_.write_timeout};
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

namespace {
// The socket of an upgrade as a WebSocket transport on `ioc`, not started yet (start it with
// up.leftover). Null when the descriptor cannot be adopted (`up` closes it then).
std::shared_ptr<ws_connection> adopt_websocket(net::asio::io_context& ioc,
                                               http::upgraded_socket& up, ws_limits const& limits) {
    if (up.tls)
        return detail::make_tls_ws_connection(std::move(up.tls), limits, std::move(up.slot));
    sockaddr_storage local{};
    socklen_t size = sizeof local;
    if (::getsockname(up.fd, reinterpret_cast<sockaddr*>(&local), &size) != 0) return nullptr;
    auto protocol = local.ss_family == AF_INET6 ? net::tcp::v6() : net::tcp::v4();
    net::tcp::socket sock(ioc);
    net::error_code ec;
    sock.assign(protocol, up.fd, ec);
    if (ec) return nullptr;
    up.release();
    return detail::make_ws_connection(std::move(sock), limits, std::move(up.slot));
}

bool is_websocket_upgrade(http_request const& req) {
    auto upgrade = req.header("Upgrade");
    if (!upgrade) return false;
    std::string lower(*upgrade);
    for (auto& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower == "websocket";
}
} // namespace

void server::impl::handle(http_request&& req, http::exchange_ptr conn) {
    using wire::request_error;
    if (subpath_handler_ && req.path != opts_.path) {
        http_responder respond = [conn](http_response r) { conn->respond(std::move(r)); };
        if (subpath_handler_(req, respond)) return;
    }
    auto base = cors_headers(req);
    if (req.method == "OPTIONS") {
        // CORS preflight.
        base.status = 204;
        base.set("Access-Control-Allow-Methods", "GET,POST");
        if (auto h = req.header("Access-Control-Request-Headers"))
            base.set("Access-Control-Allow-Headers", *h);
        return conn->respond(std::move(base));
    }
    auto transport = req.query_param("transport").value_or("");
    bool polling = transport == wire::transport_polling && opts_.allow_polling;
    bool websocket = transport == wire::transport_websocket && opts_.allow_websocket;
    if (!polling && !websocket) return refuse(*conn, request_error::unknown_transport, base);
    // The same Origin rule for polling as for WebSocket (CORS alone would let the request in).
    if (!origin_allowed(req)) return refuse(*conn, request_error::forbidden, base);
    if (!req.query_param("sid")) {
        if (req.method != "GET") return refuse(*conn, request_error::bad_handshake_method, base);
        if (websocket && !is_websocket_upgrade(req))
            return refuse(*conn, request_error::bad_request, base);
        return handshake(std::move(req), std::move(conn), websocket, std::move(base));
    }
    handle_session(std::move(req), std::move(conn), std::move(base));
}

void server::impl::handle_session(http_request&& req, http::exchange_ptr conn, http_response base) {
    using wire::request_error;
    auto now = req.received_at;
    auto it = sessions_.find(req.query_param("sid").value_or(""));
    if (it == sessions_.end()) return refuse(*conn, request_error::unknown_sid, base);
    auto s = it->second; // keep it alive through the call
    if (req.query_param("EIO").value_or("") != "4")
        return refuse(*conn, request_error::bad_request, base);
    bool websocket = req.query_param("transport") == wire::transport_websocket;
    if (is_websocket_upgrade(req)) {
        http_response accept;
        if (!websocket) return refuse(*conn, request_error::bad_request, base);
        if (!websocket_accept(req, *conn, accept, base)) return;
        auto limits = ws_limits_for();
        // As engine.io does, a WebSocket that cannot upgrade the session (already upgraded,
        // or another probe under way) completes its handshake and is closed at once.
        bool usable = s->can_upgrade();
        auto& ioc = ioc_;
        return conn->upgrade(std::move(accept),
                             [&ioc, s, limits, now, usable](http::upgraded_socket up) {
                                 auto ws = adopt_websocket(ioc, up, limits);
                                 if (!ws) return;
                                 ws->start(nullptr, std::move(up.leftover));
                                 if (!usable || !s->can_upgrade())
                                     return ws->close(ws_close_code::normal);
                                 ws->set_owner(s.get());
                                 s->begin_probe(std::move(ws), now);
                             },
                             {});
    }
    // Polling requests only on a polling session: once upgraded, GET and POST are refused, as
    // engine.io does (and a "websocket" request without the upgrade is no transport at all).
    if (websocket || s->transport() != wire::transport_polling)
        return refuse(*conn, request_error::bad_request, base);
    if (req.method == "GET") return s->on_poll_get(std::move(conn), now);
    if (req.method == "POST") return s->on_poll_post(std::move(conn), req, std::move(base), now);
    refuse(*conn, request_error::bad_handshake_method, base);
}

void server::impl::handshake(http_request&& req, http::exchange_ptr conn, bool websocket,
                             http_response base) {
    if (!admit(req, *conn, base)) return;
    http_response accept;
    if (websocket && !websocket_accept(req, *conn, accept, base)) return;
    // Counted only now that every check has passed: a refused handshake leaves no entry.
    ++per_address_[req.remote_address];
    auto sid = util::random_id(128);
    auto now = req.received_at;
    auto s = std::make_shared<session>(ioc_, *this, sid, kept_handshake(std::move(req)));
    sessions_.emplace(sid, s);
    auto open = open_packet(sid, websocket);
    if (!websocket) {
        base.set("Content-Type", "text/plain; charset=UTF-8");
        base.set("Cache-Control", "no-store");
        base.body = std::move(open);
        conn->respond(std::move(base));
        s->start(now);
        if (on_connection_) on_connection_(s);
        return;
    }
    // The heartbeat runs from now on, so a session whose upgrade never completes ends.
    s->start(now);
    auto self = shared_from_this();
    auto limits = ws_limits_for();
    // The open packet leaves with the 101 response, in one write.
    auto first_frame = ws_frame(ws_opcode::text, open);
    conn->upgrade(
        std::move(accept),
        [self, s, limits](http::upgraded_socket up) {
            if (!s->is_open()) return;
            auto ws = adopt_websocket(self->ioc_, up, limits);
            if (!ws) return s->terminate(wire::reason_transport_error, "cannot adopt the socket");
            s->attach_websocket(ws);
            ws->start(s.get(), std::move(up.leftover));
            if (self->on_connection_) self->on_connection_(s);
        },
        std::move(first_frame));
}

bool server::impl::admit(http_request const& req, http::exchange& conn, http_response& base) {
    using wire::request_error;
    if (closed_) {
        refuse(conn, request_error::bad_request, base);
        return false;
    }
    if (req.query_param("EIO").value_or("") != "4") {
        refuse(conn, request_error::unsupported_protocol_version, base);
        return false;
    }
    if (opts_.allow_request) {
        if (auto refusal = opts_.allow_request(req)) {
            refuse(conn, request_error::forbidden, base, *refusal);
            return false;
        }
    }
    if (opts_.max_sessions && sessions_.size() >= opts_.max_sessions) {
        refuse(conn, request_error::forbidden, base, "Server full", 503);
        return false;
    }
    auto it = per_address_.find(req.remote_address);
    if (opts_.max_sessions_per_address && it != per_address_.end() &&
        it->second >= opts_.max_sessions_per_address) {
        refuse(conn, request_error::forbidden, base, "Too many sessions");
        return false;
    }
    return true;
}

server::server(boost::asio::io_context& ioc, options opts)
    : impl_(std::make_shared<impl>(ioc, std::move(opts))) {}

server::~server() {
    close();
}

void server::on_connection(connection_handler fn) {
    impl_->on_connection_ = std::move(fn);
}

void server::set_subpath_handler(std::function<bool(http_request const&, http_responder&)> fn) {
    impl_->subpath_handler_ = std::move(fn);
}

options const& server::opts() const {
    return impl_->opts_;
}

std::size_t server::clients_count() const {
    return impl_->sessions_.size();
}

std::size_t server::polling_clients_count() const {
    std::size_t n = 0;
    for (auto const& [id, s] : impl_->sessions_)
        if (s->transport() == wire::transport_polling) ++n;
    return n;
}

void server::close() {
    impl_->closed_ = true;
    // Terminating removes the session from the map: end a copy.
    std::vector<std::shared_ptr<session>> all;
    for (auto const& [id, s] : impl_->sessions_)
        all.push_back(s);
    for (auto const& s : all)
        s->terminate(wire::reason_server_shutting_down, "");
}

std::size_t server::body_limit() const {
    return impl_->opts_.max_payload;
}

void server::handle(http::request&& req, http::exchange_ptr ex) {
    impl_->handle(std::move(req), std::move(ex));
}

http::response server::refusal(int status, std::string_view message) const {
    http_response r{status, {}, {}, false};
    r.set("Content-Type", "application/json");
    r.body = json{{"code", static_cast<int>(wire::request_error::forbidden)}, {"message", message}}
                 .dump();
    return r;
}

} // namespace kibitz::engineio
