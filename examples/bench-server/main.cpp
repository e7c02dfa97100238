// The server the benchmarks measure (PROTOCOL.md, "Example servers"), with production defaults:
// in namespace "/", event `chat message` with payload P does io.emit("chat message", P) (every
// socket, the sender included) and event `dm` with P.to a socket id does
// io.to(P.to).emit("dm", P). bench/node/server.mjs is the same program for Node's socket.io.
//
//   bench-server [--host 127.0.0.1] [--port 3000] [--parser json|msgpack]
//                [--http-compression on|off] [--per-message-deflate on|off]
//                [--redis URL] [--redis-prefix P] [--redis-protocol classic|sharded|streams]
//                [--ping-interval MS] [--admin off|production|development]
// --admin instruments the server for the Admin UI (kibitz::admin, no auth): what
// scripts/bench-admin.sh measures against the same server without it.
// With --redis the server is a node of a Redis cluster (Node's classic redis-adapter protocol,
// kibitz::cluster): io.emit and io.to(id) reach every node's sockets. A peer's serverSideEmit
// has no handler here and is ignored (a peer waiting for an ack gets its usual timeout).
#include "server_flags.hpp"

#include <kibitz/admin/instrument.hpp>
#include <kibitz/cluster/redis_adapter.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/server.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace eio = kibitz::engineio;
namespace net = kibitz::net;
namespace sio = kibitz::socketio;
using kibitz::json;

int main(int argc, char** argv) {
    examples::server_flags server;
    auto parser = sio::parser_kind::json;
    eio::options engine;
    std::string admin = "off";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        std::string value = argv[i + 1];
        if (examples::parse_server_flag(server, flag, value))
            continue;
        else if (flag == "--parser" && std::string(argv[i + 1]) == "msgpack")
            parser = sio::parser_kind::msgpack;
        else if (flag == "--parser" && std::string(argv[i + 1]) == "json")
            parser = sio::parser_kind::json;
        else if (flag == "--http-compression" && (value == "on" || value == "off"))
            engine.http_compression.enabled = value == "on";
        else if (flag == "--per-message-deflate" && (value == "on" || value == "off"))
            engine.per_message_deflate.enabled = value == "on";
        else if (flag == "--ping-interval")
            engine.ping_interval = std::chrono::milliseconds(std::atoi(argv[i + 1]));
        else if (flag == "--admin" &&
                 (value == "off" || value == "production" || value == "development"))
            admin = value;
        else {
            std::cerr << "usage: bench-server [--host H] [--port P] [--parser json|msgpack]"
                         " [--http-compression on|off] [--per-message-deflate on|off]"
                         " [--redis URL] [--redis-prefix P] [--tls-cert FILE --tls-key FILE]"
                         " [--ping-interval MS] [--admin off|production|development]\n";
            return 2;
        }
    }
    net::asio::io_context ioc{1}; // one thread runs the loop
    std::unique_ptr<kibitz::cluster::redis_cluster> cluster;
    if (!examples::make_cluster(ioc, server, "bench-server", cluster)) return 2;
    // The load generator opens up to 10k sessions from a few loopback addresses.
    sio::server_options opts;
    opts.engine.http_compression = engine.http_compression;
    opts.engine.per_message_deflate = engine.per_message_deflate;
    opts.engine.ping_interval = engine.ping_interval;
    opts.engine.max_sessions_per_address = 0;
    opts.parser = parser;
    if (cluster) opts.make_adapter = cluster->factory();
    sio::server io(ioc, opts);
    io.on_connection([&io](sio::socket_ptr s) {
        // Broadcast to every socket of "/", the sender included.
        s->on("chat message", [&io](sio::socket&, json& args, sio::ack_callback) {
            io.emit_args("chat message", std::move(args)); // the handler's to take
        });
        // A private message to the socket whose id is P.to (each socket is in its own room).
        s->on("dm", [&io](sio::socket&, json& args, sio::ack_callback) {
            if (!args.is_array() || args.empty() || !args[0].is_object()) return;
            auto to = args[0].find("to");
            if (to == args[0].end() || !to->is_string()) return;
            auto id = to->get<std::string>();
            io.to(std::move(id)).emit_args("dm", std::move(args));
        });
    });

    std::unique_ptr<kibitz::admin::instrument> instrument;
    if (admin != "off") {
        kibitz::admin::options ao;
        ao.auth = kibitz::admin::auth_mode::off;
        ao.mode = admin == "development" ? kibitz::admin::mode::development
                                         : kibitz::admin::mode::production;
        instrument = std::make_unique<kibitz::admin::instrument>(io, ao);
    }

    kibitz::http::limits limits;
    limits.max_connections_per_address = 0; // the same few loopback addresses, 10k connections
    kibitz::http::server http(ioc, limits);
    io.attach(http);
    examples::listen(http, server);

    net::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](net::error_code, int) {
        http.stop();
        instrument.reset();
        io.close();
        ioc.stop();
    });
    ioc.run();
    return 0;
}
