#pragma once

#include <kibitz/http/handler.hpp>
#include <kibitz/http/message.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>

#include <memory>
#include <string_view>

namespace kibitz::http::detail {

class connection;

// Where a connection sends the requests it reads (implemented by server).
class router {
public:
    virtual ~router() = default;
    // The body limit for a request to `path`.
    virtual std::size_t body_limit(std::string_view path) const = 0;
    virtual void route(request&& req, std::shared_ptr<connection> conn) = 0;
    virtual void on_closed(connection* conn) = 0;
    // The server is shutting down (server::drain): answer the request in progress, then close.
    virtual bool draining() const = 0;
};

// One HTTP/1.1 connection: reads a request, passes it to the router, writes the response that
// comes back (now or later), and reads the next. One request at a time, so a long-poll parks
// the connection until its response is ready. Over plain TCP or TLS (connection.cpp holds one
// implementation for both, a template on the stream: plain TCP runs the code it ran before).
class connection : public exchange {
public:
    // Starts: over TLS the handshake first, then the first request.
    virtual void start() = 0;
    // Closes the connection now (server shutdown). No callbacks after this.
    virtual void close() = 0;
    // Closes now when no request is being answered; otherwise after its response (drain).
    virtual void close_when_idle() = 0;
};

std::shared_ptr<connection> make_connection(net::tcp::socket socket, std::shared_ptr<router> r,
                                            limits const& l, connection_slot slot);
// A TLS connection: `tls` holds the accepted socket and the server's current context. A
// client that has not finished its handshake within limits::tls_handshake_timeout is closed;
// one that speaks plain HTTP gets a 400 in plain text, then the connection closes.
std::shared_ptr<connection> make_tls_connection(std::shared_ptr<net::tls_socket> tls,
                                                std::shared_ptr<router> r, limits const& l,
                                                connection_slot slot);

} // namespace kibitz::http::detail
