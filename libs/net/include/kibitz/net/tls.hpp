#pragma once

// Asio's TLS streams (OpenSSL), kept out of the precompiled asio.hpp: only the files that speak
// TLS include this (docs/architecture.md rule 8: net is the one place that includes Boost).

#include <kibitz/net/asio.hpp>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <memory>
#include <utility>

namespace kibitz::net {

namespace ssl = boost::asio::ssl;
using tls_stream = ssl::stream<tcp::socket>;

// A TLS connection handed from the HTTP connection that did the handshake to what it upgrades
// to (a WebSocket). It keeps the context the stream was made from alive with it, so reloading
// the certificate (a new context for new connections) never touches an open connection.
struct tls_socket {
    tls_socket(std::shared_ptr<ssl::context> c, tls_stream s)
        : context(std::move(c)), stream(std::move(s)) {}
    std::shared_ptr<ssl::context> context;
    tls_stream stream;
};

} // namespace kibitz::net
