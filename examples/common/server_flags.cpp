#include "server_flags.hpp"

#include <kibitz/redis/url.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>

namespace examples {

namespace {

bool parse_protocol(std::string const& value, kibitz::cluster::protocol& out) {
    using kibitz::cluster::protocol;
    if (value == "classic")
        out = protocol::classic;
    else if (value == "sharded")
        out = protocol::sharded;
    else if (value == "streams")
        out = protocol::streams;
    else
        return false;
    return true;
}

} // namespace

bool parse_server_flag(server_flags& f, std::string const& flag, std::string const& value) {
    if (flag == "--host")
        f.host = value;
    else if (flag == "--port")
        f.port = std::atoi(value.c_str());
    else if (flag == "--tls-cert")
        f.tls_cert = value;
    else if (flag == "--tls-key")
        f.tls_key = value;
    else if (flag == "--redis")
        f.redis_url = value;
    else if (flag == "--redis-prefix")
        f.cluster.prefix = value;
    else if (flag == "--redis-protocol")
        return parse_protocol(value, f.cluster.protocol);
    else
        return false;
    return true;
}

bool make_cluster(kibitz::net::asio::io_context& ioc, server_flags& f, char const* program,
                  std::unique_ptr<kibitz::cluster::redis_cluster>& out) {
    if (f.redis_url.empty()) return true;
    auto url = kibitz::redis::parse_url(f.redis_url);
    if (!url) {
        std::cerr << program << ": --redis wants redis://[[user]:password@]host[:port][/db]\n";
        return false;
    }
    f.cluster.url = *url;
    out = std::make_unique<kibitz::cluster::redis_cluster>(ioc, f.cluster);
    return true;
}

void listen(kibitz::http::server& http, server_flags const& f) {
    if (!f.tls_cert.empty()) http.use_tls(f.tls_cert, f.tls_key);
    auto bound = http.listen(f.host, static_cast<std::uint16_t>(f.port));
    std::cout << "listening on " << (http.secure() ? "https" : "http") << "://" << f.host << ":"
              << bound << std::endl;
}

} // namespace examples
