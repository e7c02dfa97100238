#pragma once

#include <kibitz/engineio/http.hpp>
#include <kibitz/engineio/http_server.hpp>
#include <kibitz/net/asio.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace kibitz::engineio::detail {

class http_connection;

// Where a connection sends the requests it reads (implemented by http_server).
class http_router {
public:
    virtual ~http_router() = default;
    // The body limit for a request to `path`.
    virtual std::size_t body_limit(std::string_view path) const = 0;
    virtual void route(http_request&& request, std::shared_ptr<http_connection> connection) = 0;
    virtual void on_closed(http_connection* connection) = 0;
};

// One place in http_limits::max_connections, held while it lives: by an HTTP connection, then
// by the WebSocket it becomes, so both kinds count alike.
using connection_slot = std::shared_ptr<void>;

// Called with the TCP socket once the 101 response has gone, the bytes already read past the
// request (the first WebSocket frames may be among them), and the connection's slot.
using upgrade_handler =
    std::function<void(net::tcp::socket, std::string leftover, connection_slot slot)>;

// One HTTP/1.1 connection: reads a request, passes it to the router, writes the response that
// comes back (now or later), and reads the next. One request at a time, so a long-poll parks
// the connection until its response is ready.
class http_connection : public std::enable_shared_from_this<http_connection> {
public:
    http_connection(net::tcp::socket socket, std::shared_ptr<http_router> router,
                    http_limits const& limits, connection_slot slot);
    ~http_connection();

    void start();
    // Writes the response to the current request. Ignored when the connection is gone. A write
    // that does not finish within http_limits::write_timeout closes the connection. The answer
    // to HEAD keeps its headers and Content-Length (the body's size, or the handler's own
    // Content-Length when the body is empty) and sends no body.
    void respond(http_response response);
    // Writes `response` (a 101), then `first_bytes` in the same write (the first WebSocket
    // frame, say), and gives the socket away.
    void upgrade(http_response response, upgrade_handler handler, std::string first_bytes = {});
    // Closes the connection now (server shutdown).
    void close();

    std::string const& remote_address() const { return remote_address_; }
    bool busy() const { return in_request_; }

private:
    void do_read();
    void on_header(net::error_code ec);
    void on_body(net::error_code ec);
    void dispatch();
    void fail_request(int status, std::string_view body);
    void on_write(net::error_code ec, bool keep_alive);
    void linger_close();
    void drain();
    void arm_deadline(util::duration d);
    void on_deadline(net::error_code ec, unsigned generation);

    net::tcp::socket socket_;
    std::shared_ptr<http_router> router_;
    http_limits const& limits_;
    net::beast::flat_buffer buffer_;
    std::optional<net::http::request_parser<net::http::string_body>> parser_;
    std::shared_ptr<net::http::response<net::http::string_body>> response_;
    net::asio::steady_timer deadline_;
    unsigned deadline_generation_ = 0;
    http_request request_;
    std::string remote_address_;
    connection_slot slot_;
    bool head_ = false; // the current request is HEAD
    bool in_request_ = false;
    bool keep_alive_ = true;
    bool closed_ = false;
};

} // namespace kibitz::engineio::detail
