#pragma once

#include <kibitz/cluster/redis_adapter.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>

#include <memory>
#include <string>

namespace examples {

// The flags both example servers take: where they listen, TLS, and the Redis cluster
// (--host H --port P --tls-cert FILE --tls-key FILE --redis URL --redis-prefix P
// --redis-protocol classic|sharded|streams).
struct server_flags {
    std::string host = "127.0.0.1";
    int port = 3000;
    std::string tls_cert, tls_key; // both: serve HTTPS and WSS
    std::string redis_url;
    kibitz::cluster::redis_adapter_options cluster;
};

// Reads `flag` and its `value` into `f`; false when it is not one of them (or a
// --redis-protocol of another name), for the caller's own flags and its usage message.
bool parse_server_flag(server_flags& f, std::string const& flag, std::string const& value);

// The cluster --redis joins (none without it); false, with "<program>: --redis wants ..." on
// stderr, when its URL is not one.
bool make_cluster(kibitz::net::asio::io_context& ioc, server_flags& f, char const* program,
                  std::unique_ptr<kibitz::cluster::redis_cluster>& out);

// TLS when both files are given, then listens and prints "listening on http(s)://host:port".
void listen(kibitz::http::server& http, server_flags const& f);

} // namespace examples
