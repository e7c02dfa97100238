#include "server_impl.hpp"
#include "ws_deflate.hpp"

#include <kibitz/util/base64.hpp>
#include <kibitz/util/json.hpp>

#include <sys/socket.h>

namespace kibitz::engineio {

using detail::adopt_websocket;
using detail::choose_coding;
using detail::session;
using detail::ws_connection;
using detail::ws_limits;

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

namespace {
// RFC 7692 section 5: the client's offers, from every Sec-WebSocket-Extensions header; the
// answer, when one is taken, goes into the 101.
bool negotiate_deflate(http_request const& req, http_response& out) {
    std::string offers;
    for (auto const& [name, value] : req.headers) {
        if (!header_name_equals(name, "Sec-WebSocket-Extensions")) continue;
        if (!offers.empty()) offers += ',';
        offers += value;
    }
    auto answer = detail::negotiate_per_message_deflate(offers);
    if (answer) out.set("Sec-WebSocket-Extensions", *answer);
    return answer.has_value();
}
} // namespace

bool server::impl::websocket_accept(http_request const& req, http::exchange& conn,
                                    http_response& out, http_response const& base,
                                    bool& deflate) const {
    // RFC 6455 section 4.4: another version is 426 naming the one we speak.
    auto version = req.header("Sec-WebSocket-Version");
    if (!version || *version != "13") {
        http_response r = base;
        r.set("Sec-WebSocket-Version", "13");
        refuse(req, conn, wire::request_error::bad_request, std::move(r), {}, 426);
        return false;
    }
    // Section 4.2.1: the key is base64 for exactly 16 bytes.
    auto key = req.header("Sec-WebSocket-Key");
    auto decoded = key ? util::base64_decode(*key) : std::nullopt;
    if (!decoded || decoded->size() != 16) {
        refuse(req, conn, wire::request_error::bad_request, base);
        return false;
    }
    out.set("Upgrade", "websocket");
    out.set("Connection", "Upgrade");
    out.set("Sec-WebSocket-Accept", ws_accept_key(*key));
    deflate = opts_.per_message_deflate.enabled && negotiate_deflate(req, out);
    return true;
}

ws_limits server::impl::ws_limits_for(bool deflate) const {
    return {opts_.max_payload,
            opts_.max_frames_per_message,
            opts_.max_send_queue_bytes,
            opts_.write_timeout,
            deflate,
            opts_.per_message_deflate.threshold};
}

namespace detail {
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
} // namespace detail

namespace {
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
    if (!polling && !websocket) return refuse(req, *conn, request_error::unknown_transport, base);
    // The same Origin rule for polling as for WebSocket (CORS alone would let the request in).
    if (!origin_allowed(req)) return refuse(req, *conn, request_error::forbidden, base);
    if (!req.query_param("sid")) {
        if (req.method != "GET")
            return refuse(req, *conn, request_error::bad_handshake_method, base);
        if (websocket && !is_websocket_upgrade(req))
            return refuse(req, *conn, request_error::bad_request, base);
        return handshake(std::move(req), std::move(conn), websocket, std::move(base));
    }
    handle_session(std::move(req), std::move(conn), std::move(base));
}

void server::impl::handle_session(http_request&& req, http::exchange_ptr conn, http_response base) {
    using wire::request_error;
    auto now = req.received_at;
    auto it = sessions_.find(req.query_param("sid").value_or(""));
    if (it == sessions_.end()) return refuse(req, *conn, request_error::unknown_sid, base);
    auto s = it->second; // keep it alive through the call
    if (req.query_param("EIO").value_or("") != "4")
        return refuse(req, *conn, request_error::bad_request, base);
    bool websocket = req.query_param("transport") == wire::transport_websocket;
    if (is_websocket_upgrade(req)) {
        if (!websocket) return refuse(req, *conn, request_error::bad_request, base);
        return upgrade_session(req, std::move(conn), std::move(s), base);
    }
    // Polling requests only on a polling session: once upgraded, GET and POST are refused, as
    // engine.io does (and a "websocket" request without the upgrade is no transport at all).
    if (websocket || s->transport() != wire::transport_polling)
        return refuse(req, *conn, request_error::bad_request, base);
    if (req.method != "GET" && req.method != "POST")
        return refuse(req, *conn, request_error::bad_handshake_method, base);
    decorate(base, req);
    if (req.method == "POST") return s->on_poll_post(std::move(conn), req, std::move(base), now);
    auto coding = opts_.http_compression.enabled ? choose_coding(req.header("Accept-Encoding"))
                                                 : detail::content_coding::identity;
    s->on_poll_get(std::move(conn), std::move(base.headers), coding, now);
}

void server::impl::upgrade_session(http_request const& req, http::exchange_ptr conn,
                                   std::shared_ptr<session> s, http_response const& base) {
    http_response accept;
    bool deflate = false;
    if (!websocket_accept(req, *conn, accept, base, deflate)) return;
    decorate(accept, req);
    auto limits = ws_limits_for(deflate);
    auto now = req.received_at;
    // As engine.io does, a WebSocket that cannot upgrade the session (already upgraded,
    // or another probe under way) completes its handshake and is closed at once.
    bool usable = s->can_upgrade();
    auto& ioc = ioc_;
    conn->upgrade(std::move(accept),
                  [&ioc, s, limits, now, usable](http::upgraded_socket up) {
                      auto ws = adopt_websocket(ioc, up, limits);
                      if (!ws) return;
                      ws->start(nullptr, std::move(up.leftover));
                      if (!usable || !s->can_upgrade()) return ws->close(ws_close_code::normal);
                      ws->set_owner(s.get());
                      s->begin_probe(std::move(ws), now);
                  },
                  {});
}

void server::impl::move_deadline(session& s, std::optional<util::time_point> from,
                                 std::optional<util::time_point> to) {
    if (from) deadlines_.erase({*from, &s});
    if (!to) return;
    deadlines_.emplace(*to, &s);
    if (!firing_ && *to < timer_at_) wait_for_deadline();
}

void server::impl::wait_for_deadline() {
    if (deadlines_.empty()) return;
    timer_at_ = deadlines_.begin()->first;
    timer_.expires_at(timer_at_); // cancels the wait before, which then completes with an error
    timer_.async_wait([w = weak_from_this()](net::error_code ec) {
        auto self = w.lock();
        if (ec || !self) return;
        self->fire_deadlines();
    });
}

void server::impl::fire_deadlines() {
    timer_at_ = util::time_point::max();
    firing_ = true;
    auto now_at = now();
    // A session may move its own or others' deadlines while it handles its own (or close).
    while (!deadlines_.empty() && deadlines_.begin()->first <= now_at) {
        auto* s = deadlines_.begin()->second;
        deadlines_.erase(deadlines_.begin());
        auto keep = s->shared_from_this();
        s->on_deadline();
    }
    firing_ = false;
    wait_for_deadline();
}

server::server(boost::asio::io_context& ioc, options opts)
    : impl_(std::make_shared<impl>(ioc, std::move(opts))) {}

server::~server() {
    close();
}

void server::on_connection(connection_handler fn) {
    // Several run in the order added (Node's "connection" event): one added to the engine of a
    // Socket.IO server never replaces Socket.IO's own.
    if (!impl_->on_connection_) {
        impl_->on_connection_ = std::move(fn);
        return;
    }
    impl_->on_connection_ = [first = std::move(impl_->on_connection_),
                             then = std::move(fn)](socket_ptr const& s) {
        first(s);
        then(s);
    };
}

void server::on_connection_error(connection_error_handler fn) {
    impl_->on_connection_error_ = std::move(fn);
}

void server::on_initial_headers(headers_hook fn) {
    impl_->on_initial_headers_ = std::move(fn);
}

void server::on_headers(headers_hook fn) {
    impl_->on_headers_ = std::move(fn);
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

engineio::counters const& server::counters() const {
    return impl_->counters_;
}

std::size_t server::polling_clients_count() const {
    std::size_t n = 0;
    for (auto const& [id, s] : impl_->sessions_)
        if (s->transport() == wire::transport_polling) ++n;
    return n;
}

void server::pause_heartbeats() {
    impl_->heartbeats_paused_ = true;
    for (auto const& [id, s] : impl_->sessions_)
        s->pause_heartbeat();
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
