#pragma once

#include <kibitz/engineio/counters.hpp>
#include <kibitz/engineio/options.hpp>
#include <kibitz/engineio/socket.hpp>
#include <kibitz/engineio/wire.hpp>
#include <kibitz/http/handler.hpp>

#include <cstddef>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace kibitz::engineio {

using connection_handler = std::function<void(socket_ptr)>;

// A request the server refused (Node's "connection_error" event): the request, its engine.io
// error code, the message its body carries (wire::error_message(code), or allow_request's own)
// and the HTTP status. Valid during the call only.
struct connection_error {
    http_request const& req;
    wire::request_error code;
    std::string_view message;
    int status;
};
using connection_error_handler = std::function<void(connection_error const&)>;

// Adds or changes the headers of a response the server is about to send for `req` (Node's
// "initial_headers" and "headers" events): push Set-Cookie lines, say.
using headers_hook = std::function<void(header_list& headers, http_request const& req)>;

// An Engine.IO v4 server (spec: socketio/engine.io-protocol): the handshake, HTTP long-polling,
// WebSocket, the upgrade between them, heartbeats and limits. It is an http::handler: mount
// it at opts().path on an http::server (or any server that speaks kibitz/http/handler.hpp).
// All of its state belongs to the thread running `ioc`.
class server final : public http::handler {
public:
    server(boost::asio::io_context& ioc, options opts);
    ~server() override;
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    // Called for every new session, before any of its messages. Several handlers run in the
    // order added (socketio::server adds the first: io.engine().on_connection adds another).
    void on_connection(connection_handler fn);

    // Called for every request refused with an engine.io error body (bad transport, unknown
    // sid, allow_request's refusal, limits...). An exception it throws is logged and dropped.
    void on_connection_error(connection_error_handler fn);
    // initial_headers: the handshake's response (the polling open packet, or the 101 of a
    // WebSocket opened without a session). headers: that one and every later response of a
    // session (polling GET and POST answers, the 101 of an upgrade); refusals get neither.
    // They run in that order, after the cookie option's Set-Cookie. An exception is logged
    // and the response goes as it stood.
    void on_initial_headers(headers_hook fn);
    void on_headers(headers_hook fn);

    // Gets first look at every request below the path other than the path itself (Socket.IO
    // serves its client bundle there); returns true when it answered.
    void set_subpath_handler(std::function<bool(http_request const&, http_responder&)> fn);

    options const& opts() const;
    std::size_t clients_count() const;
    // The sessions on HTTP long-polling now (not upgraded to WebSocket); counted on each call.
    std::size_t polling_clients_count() const;
    // Upgrades, refusals, volatile drops, slow-client closes so far (counters.hpp).
    engineio::counters const& counters() const;

    // Closes every session (reason "server shutting down") and refuses new ones.
    void close();
    // The graceful shutdown's first step: from now on no session is closed for a missing pong
    // (those opened later neither), so nobody is timed out while the server drains; pings go
    // on (clients time the server out without them), and every other deadline and limit
    // stays. For good.
    void pause_heartbeats();

    // http::handler: requests under opts().path. Bodies up to opts().max_payload; a refused
    // request gets Engine.IO's error body ({"code":4,"message":...}).
    std::size_t body_limit() const override;
    void handle(http::request&& req, http::exchange_ptr ex) override;
    http::response refusal(int status, std::string_view message) const override;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace kibitz::engineio
