#pragma once

#include "session.hpp"
#include "ws_connection.hpp"

#include <kibitz/engineio/server.hpp>
#include <kibitz/engineio/wire.hpp>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kibitz::engineio {

namespace detail {
// A handshake's transport: polling, or a WebSocket whose 101 (`accept`) is ready.
struct ws_accepted {
    bool websocket = false;
    bool deflate = false; // permessage-deflate negotiated
    http_response accept;
};
} // namespace detail

// The server's state and the steps of a request: routing and transports in server.cpp, the
// handshake (admission, hooks, the new session) in handshake.cpp.
struct server::impl : detail::session_owner, std::enable_shared_from_this<impl> {
    impl(net::asio::io_context& ioc, options o)
        : ioc_(ioc), opts_(std::move(o)), ping_(make_packet(packet_type::ping)) {}

    options const& opts() const override { return opts_; }
    outgoing_ptr const& ping_packet() const override { return ping_; }
    util::time_point now() const override { return util::steady_clock::now(); }
    engineio::counters& counters() override { return counters_; }

    void schedule_flush(std::shared_ptr<detail::session> s) override {
        // One posted handler per loop turn flushes every session that has something queued.
        flush_list_.push_back(std::move(s));
        if (flush_posted_) return;
        flush_posted_ = true;
        net::asio::post(ioc_, [self = shared_from_this()] { self->flush_all(); });
    }

    void flush_all() {
        flush_posted_ = false;
        std::vector<std::shared_ptr<detail::session>> list;
        list.swap(flush_list_);
        for (auto const& s : list)
            s->run_scheduled_flush();
        // Keep the vector's capacity for the next turn.
        list.clear();
        if (flush_list_.empty()) flush_list_.swap(list);
    }

    void move_deadline(detail::session& s, std::optional<util::time_point> from,
                       std::optional<util::time_point> to) override;
    // The server's one timer: fires every session deadline that has passed, then waits for
    // the next one.
    void wait_for_deadline();
    void fire_deadlines();

    void on_session_closed(std::string const& id, std::string const& address) override {
        sessions_.erase(id);
        auto it = per_address_.find(address);
        if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
    }

    void handle(http_request&& req, http::exchange_ptr conn);
    void handle_session(http_request&& req, http::exchange_ptr conn, http_response base);
    void upgrade_session(http_request const& req, http::exchange_ptr conn,
                         std::shared_ptr<detail::session> s, http_response const& base);
    // handshake.cpp: a request without a session id, and what answers it.
    void handshake(http_request&& req, http::exchange_ptr conn, bool websocket, http_response base);
    void ask_allow_request_async(http_request&& req, http::exchange_ptr conn, http_response base,
                                 detail::ws_accepted ws);
    void open_session(http_request&& req, http::exchange_ptr conn, http_response base,
                      detail::ws_accepted ws);
    bool admit(http_request const& req, http::exchange& conn, http_response& base);
    bool within_limits(http_request const& req, http::exchange& conn, http_response& base);
    // Runs the headers hooks on a response to `req`; with `new_sid`, the handshake's (the
    // cookie option and initial_headers first).
    void decorate(http_response& r, http_request const& req,
                  std::optional<std::string_view> new_sid = std::nullopt) const;
    // Fills the 101's headers, or answers the refusal itself (400, or 426 for the version).
    // `deflate`: permessage-deflate was negotiated (the 101 answers it).
    bool websocket_accept(http_request const& req, http::exchange& conn, http_response& out,
                          http_response const& base, bool& deflate) const;
    bool origin_allowed(http_request const& req) const;
    detail::ws_limits ws_limits_for(bool deflate) const;
    http_request kept_handshake(http_request&& req) const;
    http_response cors_headers(http_request const& req) const;
    std::string open_packet(std::string const& sid, bool websocket) const;
    // Answers with engine.io's error body and tells on_connection_error_.
    void refuse(http_request const& req, http::exchange& conn, wire::request_error e,
                http_response base, std::string_view message = {}, int status = 0) const;

    net::asio::io_context& ioc_;
    options opts_;
    outgoing_ptr ping_;
    connection_handler on_connection_;
    connection_error_handler on_connection_error_;
    headers_hook on_initial_headers_;
    headers_hook on_headers_;
    std::function<bool(http_request const&, http_responder&)> subpath_handler_;
    // Every open session's deadline (heartbeat, upgrade, close), earliest first, and the one
    // timer set at the first of them (`timer_at_`; max: not waiting). Before sessions_: a
    // session destroyed with the server still finds the set.
    std::set<std::pair<util::time_point, detail::session*>> deadlines_;
    net::asio::steady_timer timer_{ioc_};
    util::time_point timer_at_ = util::time_point::max();
    bool firing_ = false;
    // Keyed by a view of the session's own id.
    std::unordered_map<std::string_view, std::shared_ptr<detail::session>> sessions_;
    std::unordered_map<std::string, std::size_t> per_address_;
    std::vector<std::shared_ptr<detail::session>> flush_list_;
    bool flush_posted_ = false;
    bool closed_ = false;
    bool heartbeats_paused_ = false; // pause_heartbeats(): new sessions too
    // mutable: refuse() is const and counts.
    mutable engineio::counters counters_;
};

namespace detail {
// The socket of an upgrade as a WebSocket transport on `ioc`, not started yet (start it with
// up.leftover). Null when the descriptor cannot be adopted (`up` closes it then).
std::shared_ptr<ws_connection> adopt_websocket(net::asio::io_context& ioc,
                                               http::upgraded_socket& up, ws_limits const& limits);
} // namespace detail

} // namespace kibitz::engineio
