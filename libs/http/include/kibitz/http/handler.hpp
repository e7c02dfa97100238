#pragma once

#include <kibitz/http/message.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace kibitz::net {
struct tls_socket; // kibitz/net/tls.hpp: a TLS stream and its context
}

namespace kibitz::http {

// One place under limits::max_connections (server.hpp), held while it lives: by an HTTP
// connection, then by whatever the connection is upgraded to, so both kinds count alike.
using connection_slot = std::shared_ptr<void>;

// A connected TCP socket given away by an upgrade: a descriptor the receiver now owns (the
// destructor closes it unless release() took it), the bytes already read past the request
// (the first WebSocket frames may be among them), and the connection's slot, to keep for as
// long as the socket stays open. Over TLS, `tls` holds the stream instead (with its socket and
// the state of the session) and `fd` is -1; `leftover` is then decrypted bytes.
struct upgraded_socket {
    int fd = -1;
    std::string leftover;
    connection_slot slot;
    std::shared_ptr<net::tls_socket> tls;

    upgraded_socket(int descriptor, std::string bytes, connection_slot s);
    upgraded_socket(std::shared_ptr<net::tls_socket> stream, std::string bytes, connection_slot s);
    ~upgraded_socket();
    upgraded_socket(upgraded_socket&& other) noexcept;
    upgraded_socket& operator=(upgraded_socket&& other) noexcept;
    upgraded_socket(upgraded_socket const&) = delete;
    upgraded_socket& operator=(upgraded_socket const&) = delete;

    // The descriptor, now the caller's to close; -1 is left behind.
    int release();
};

using upgrade_handler = std::function<void(upgraded_socket)>;

// One request and the connection it came on, as a handler holds it. The connection reads
// nothing more until the handler answers: keep the pointer to answer later (a long-poll).
// Dropping it unanswered closes the connection. Every call is on the io_context thread.
class exchange {
public:
    virtual ~exchange() = default;

    // Writes the response (the answer to HEAD keeps the headers and Content-Length, the body's
    // size or the handler's own Content-Length when the body is empty, and sends no body).
    // Once per request; later calls, and calls after the connection closed, are ignored.
    // A write that does not finish within limits::write_timeout closes the connection.
    virtual void respond(response r) = 0;

    // Takes the connection over: writes a "101 Switching Protocols" head with the headers of
    // `switching` (its status and body are not used), then `first_bytes` in the same write,
    // and hands the socket to `on_upgraded`. When the write fails or times out the connection
    // closes and `on_upgraded` is not called. Instead of respond(), once.
    virtual void upgrade(response switching, upgrade_handler on_upgraded,
                         std::string first_bytes) = 0;
};

using exchange_ptr = std::shared_ptr<exchange>;

// What a server mounts at a path prefix (server::mount): it gets every request whose path
// starts with the prefix, the WebSocket upgrades among them. See docs/library.md, "Embedding:
// the HTTP handler interface".
class handler {
public:
    virtual ~handler() = default;

    // The largest request body this handler reads. A longer body is not read: the request
    // arrives with body_too_large set (answer it, 413 say; the connection then closes).
    virtual std::size_t body_limit() const = 0;

    // Serves one request: answer through `ex`, now or later, with respond() or upgrade().
    virtual void handle(request&& req, exchange_ptr ex) = 0;

    // The answer to a request under this handler's prefix that the server refuses before it
    // gets there (a Host not allowed: 403). The default is `message` as text/plain.
    virtual response refusal(int status, std::string_view message) const;
};

} // namespace kibitz::http
