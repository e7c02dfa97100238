#pragma once

#include <kibitz/http/handler.hpp>
#include <kibitz/http/message.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace kibitz::http {

// Limits every HTTP connection meets, whatever it asks for.
struct limits {
    std::size_t max_header_bytes = 16 * 1024;    // request line and headers: past it, 431
    std::size_t max_header_count = 100;          // header fields: past it, 431
    util::duration header_timeout{10000};        // a whole request head, or an idle keep-alive
    util::duration tls_handshake_timeout{10000}; // TCP accepted to TLS handshake done
    util::duration body_timeout{30000};          // a whole request body
    std::size_t max_body_bytes = 64 * 1024;      // for the fallback's paths: past it, 413
    // Open TCP connections, HTTP and upgraded alike: past it, new ones are closed at once.
    std::size_t max_connections = 100000;
    // Open TCP connections from one remote address (HTTP and upgraded alike; 0: no limit): past
    // it, the new one is closed at once. One address cannot take every slot or descriptor.
    std::size_t max_connections_per_address = 1024;
    util::duration write_timeout{30000}; // a whole response: past it, the connection closes
    // DNS-rebinding defence: Host names admitted besides the loopback ones ("localhost",
    // "*.localhost", 127.x.y.z, "[::1]", any port). The Host check runs when the server is
    // bound to a loopback address, or when this list is not empty; "*" admits any Host.
    // A refused Host gets 403 (the mounted handler's refusal() on its paths).
    std::vector<std::string> allowed_hosts;
    // Out of descriptors (EMFILE): accepting pauses this long, doubling up to 1 s, and the
    // failure is logged at most once per `accept_log_interval`.
    util::duration accept_backoff{50};
    util::duration accept_log_interval{10000};
};

// The HTTP/1.1 server: it accepts TCP connections, reads requests with the limits above, hands
// the paths of mounted handlers to them (an Engine.IO server, say: polling and the WebSocket
// upgrade), and every other request to the fallback (404 without one). One request at a time
// per connection. Single-threaded: run the io_context on one thread.
class server {
public:
    explicit server(boost::asio::io_context& ioc, limits l = {});
    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    // Routes requests whose path starts with `prefix` to `h`, which must outlive this server.
    // The first mount whose prefix matches wins.
    void mount(std::string prefix, handler& h);
    void set_fallback(handler_fn fn);

    // Serves HTTPS (and WSS) instead of HTTP on every port this server listens on: TLS 1.2 and
    // 1.3 with forward-secret AEAD ciphers only (src/tls_context.hpp lists them), the
    // certificate chain and private key read from PEM files. Call before listen().
    // Throws std::runtime_error when a file cannot be used (start-up only).
    void use_tls(std::string cert_file, std::string key_file);
    // Reads the certificate and key files again (SIGHUP): connections accepted from now on use
    // them, open ones keep the ones they started with. On failure the old ones stay and the
    // reason is returned.
    std::optional<std::string> reload_tls();
    bool secure() const;

    // Binds and starts accepting. Port 0 picks a free port; returns the port bound.
    // Throws std::system_error when the address cannot be bound (start-up only).
    std::uint16_t listen(std::string const& host, std::uint16_t port);

    // Stops accepting and closes every HTTP connection (upgraded ones belong to their handler).
    void stop();
    // The graceful form (shutdown): stops accepting; idle keep-alive connections close now,
    // a request being answered (a long-poll) gets its response, then its connection closes.
    // connections_count() falls to zero once the handlers have closed the upgraded ones.
    void drain();

    // Open connections, HTTP and upgraded (what limits::max_connections counts).
    std::size_t connections_count() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace kibitz::http
