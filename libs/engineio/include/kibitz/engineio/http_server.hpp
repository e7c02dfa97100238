#pragma once

#include <kibitz/engineio/http.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace kibitz::engineio {

class server;

// Limits every HTTP connection meets, whatever it asks for.
struct http_limits {
    std::size_t max_header_bytes = 16 * 1024; // request line and headers: past it, 431
    std::size_t max_header_count = 100;       // header fields: past it, 431
    util::duration header_timeout{10000};     // a whole request head, or an idle keep-alive
    util::duration body_timeout{30000};       // a whole request body
    std::size_t max_body_bytes = 64 * 1024;   // for routes other than Engine.IO: past it, 413
    std::size_t max_connections = 100000;     // open TCP connections: past it, new ones close
};

// The HTTP/1.1 server in front of everything: it accepts TCP connections, reads requests with
// the limits above, hands the paths of mounted Engine.IO servers to them (polling and the
// WebSocket upgrade), and every other request to the fallback handler (404 without one).
// Single-threaded: run the io_context on one thread.
class http_server {
public:
    http_server(boost::asio::io_context& ioc, http_limits limits = {});
    ~http_server();
    http_server(http_server const&) = delete;
    http_server& operator=(http_server const&) = delete;

    // Routes requests whose path starts with eio.opts().path to `eio`, which must outlive this.
    void mount(server& eio);
    void set_fallback(http_handler handler);

    // Binds and starts accepting. Port 0 picks a free port; returns the port bound.
    // Throws std::system_error when the address cannot be bound (start-up only).
    std::uint16_t listen(std::string const& host, std::uint16_t port);

    // Stops accepting and closes every idle connection.
    void stop();

    std::size_t connections_count() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace kibitz::engineio
