#pragma once

#include <kibitz/engineio/http.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
    // Open TCP connections, HTTP and WebSocket alike: past it, new ones are closed at once.
    std::size_t max_connections = 100000;
    // Open TCP connections from one remote address (HTTP and WebSocket alike; 0: no limit): past
    // it, the new one is closed at once. One address cannot take every slot or descriptor.
    std::size_t max_connections_per_address = 1024;
    util::duration write_timeout{30000}; // a whole response: past it, the connection closes
    // DNS-rebinding defence: Host names admitted besides the loopback ones ("localhost",
    // "*.localhost", 127.x.y.z, "[::1]", any port). The Host check runs when the server is
    // bound to a loopback address, or when this list is not empty; "*" admits any Host.
    // A refused Host gets 403 (Engine.IO's error body on Engine.IO paths).
    std::vector<std::string> allowed_hosts;
    // Out of descriptors (EMFILE): accepting pauses this long, doubling up to 1 s, and the
    // failure is logged at most once per `accept_log_interval`.
    util::duration accept_backoff{50};
    util::duration accept_log_interval{10000};
};

// True when `host` (a Host header: name or address, optional port) names this machine's
// loopback: "localhost", "x.localhost", 127.0.0.0/8 or [::1].
bool is_loopback_host(std::string_view host);

// True when the Host header is admitted for a server bound to a loopback address (or with a
// non-empty list): loopback names, and the names in `allowed` (port ignored; "*" for any).
bool host_allowed(std::string_view host, std::vector<std::string> const& allowed);

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

    // Open connections, HTTP and WebSocket (what http_limits::max_connections counts).
    std::size_t connections_count() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace kibitz::engineio
