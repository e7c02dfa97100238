#pragma once

#include <kibitz/engineio/options.hpp>
#include <kibitz/engineio/socket.hpp>

#include <cstddef>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace kibitz::engineio {

namespace detail {
class http_connection;
}

using connection_handler = std::function<void(socket_ptr)>;

// An Engine.IO v4 server (spec: socketio/engine.io-protocol): the handshake, HTTP long-polling,
// WebSocket, the upgrade between them, heartbeats and limits. It serves the requests an
// http_server routes to its path. All of its state belongs to the thread running `ioc`.
class server {
public:
    server(boost::asio::io_context& ioc, options opts);
    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    // Called for every new session, before any of its messages.
    void on_connection(connection_handler handler);

    // Gets first look at every request below the path other than the path itself (Socket.IO
    // serves its client bundle there); returns true when it answered.
    void set_subpath_handler(std::function<bool(http_request const&, http_responder&)> handler);

    options const& opts() const;
    std::size_t clients_count() const;

    // Closes every session (reason "server shutting down") and refuses new ones.
    void close();

    // For http_server: serves one request under opts().path.
    void handle(http_request&& request, std::shared_ptr<detail::http_connection> connection);

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace kibitz::engineio
