// The server the official Engine.IO and Socket.IO protocol test suites expect (PROTOCOL.md,
// "Example servers"): pingInterval 300, pingTimeout 200, maxPayload 1000000; `/engine.io/` is a
// bare Engine.IO server that echoes every message to its sender; `/socket.io/` is Socket.IO with
// namespaces "/" and "/custom" (connectTimeout 1000): on connection each emits `auth` with the
// CONNECT payload; in "/", `message` is answered by `message-back` with the same arguments and
// `message-with-ack` by an ack with the same arguments.
//
//   conformance-server [--host 127.0.0.1] [--port 3000]
// Limits for the tests of hostile clients (defaults as in production):
//   [--max-sessions-per-ip N] [--max-sessions N] [--header-timeout-ms N]
//   [--write-timeout-ms N] [--max-connections N] [--max-connections-per-ip N]
//   [--websocket-origin ORIGIN] [--parser json|msgpack] [--client-dist DIR] (the bundles of
//   the parser, from socket.io-client's dist/)
//   [--allowed-host HOST] [--ping-interval-ms N] [--ping-timeout-ms N]
//   [--http-compression on|off] [--per-message-deflate on|off]
// Handshake hooks (handshake_hooks.hpp): [--allow-request-delay-ms N]
//   [--allow-request-timeout-ms N] [--cookie NAME] [--initial-header N:V] [--header N:V]
// Cluster (tests/interop/cluster/): [--redis URL] [--redis-prefix P] [--requests-timeout-ms N]
//   [--max-pending-requests N] [--max-pending-acks N] [--redis-protocol classic|sharded|streams]
//   join the Redis cluster (Node's classic redis-adapter protocol by default); "/" then also
//   answers the `cluster` control event (cluster_control.hpp).
// [--recovery-ms N]: connection state recovery, sessions kept N ms (across nodes: streams);
//   [--stream-restore-batch N] [--stream-restore-calls N]: the XRANGEs of one restore.
// Admin UI (tests/interop/admin/): [--admin-auth off|basic] [--admin-user U]
//   [--admin-password-hash BCRYPT] [--admin-mode production|development] [--admin-server-id ID]
//   the /admin namespace of @socket.io/admin-ui (kibitz::admin), with stats every 2 s.
#include "cluster_control.hpp"
#include "handshake_hooks.hpp"
#include "server_flags.hpp"

#include <kibitz/admin/instrument.hpp>
#include <kibitz/cluster/redis_adapter.hpp>
#include <kibitz/engineio/server.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/server.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace eio = kibitz::engineio;
namespace net = kibitz::net;
namespace sio = kibitz::socketio;
using kibitz::json;

int main(int argc, char** argv) {
    examples::server_flags server;
    eio::options defaults;
    std::size_t max_sessions_per_ip = defaults.max_sessions_per_address;
    std::size_t max_sessions = defaults.max_sessions;
    auto write_timeout = defaults.write_timeout;
    kibitz::util::duration ping_interval{300};
    kibitz::util::duration ping_timeout{200};
    kibitz::http::limits limits;
    std::vector<std::string> websocket_origins;
    auto parser = kibitz::socketio::parser_kind::json;
    auto& cluster_opts = server.cluster;
    int recovery_ms = 0; // > 0: connection state recovery for this long
    std::string client_dist;
    bool http_compression = defaults.http_compression.enabled;
    bool per_message_deflate = defaults.per_message_deflate.enabled;
    conformance::hooks_config hooks;
    std::optional<kibitz::admin::options> admin;
    auto admin_opts = [&admin]() -> kibitz::admin::options& {
        if (!admin) admin.emplace();
        return *admin;
    };
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        std::string value = argv[i + 1];
        if (examples::parse_server_flag(server, flag, value))
            continue;
        else if (flag == "--max-sessions-per-ip")
            max_sessions_per_ip = static_cast<std::size_t>(std::atoi(argv[i + 1]));
        else if (flag == "--max-sessions")
            max_sessions = static_cast<std::size_t>(std::atoi(argv[i + 1]));
        else if (flag == "--write-timeout-ms")
            write_timeout = std::chrono::milliseconds(std::atoi(argv[i + 1]));
        else if (flag == "--ping-interval-ms")
            ping_interval = std::chrono::milliseconds(std::atoi(argv[i + 1]));
        else if (flag == "--ping-timeout-ms")
            ping_timeout = std::chrono::milliseconds(std::atoi(argv[i + 1]));
        else if (flag == "--max-connections")
            limits.max_connections = static_cast<std::size_t>(std::atoi(argv[i + 1]));
        else if (flag == "--max-connections-per-ip")
            limits.max_connections_per_address = static_cast<std::size_t>(std::atoi(argv[i + 1]));
        else if (flag == "--allowed-host")
            limits.allowed_hosts.push_back(argv[i + 1]);
        else if (flag == "--header-timeout-ms")
            limits.header_timeout = std::chrono::milliseconds(std::atoi(argv[i + 1]));
        else if (flag == "--client-dist")
            client_dist = argv[i + 1];
        else if (flag == "--stream-restore-batch")
            cluster_opts.streams.restore_batch = static_cast<std::size_t>(std::atoi(argv[i + 1]));
        else if (flag == "--stream-restore-calls")
            cluster_opts.streams.restore_max_calls =
                static_cast<std::size_t>(std::atoi(argv[i + 1]));
        else if (flag == "--recovery-ms")
            recovery_ms = std::atoi(argv[i + 1]);
        else if (flag == "--requests-timeout-ms")
            cluster_opts.requests_timeout = std::chrono::milliseconds(std::atoi(argv[i + 1]));
        else if (flag == "--max-pending-requests")
            cluster_opts.max_pending_requests = static_cast<std::size_t>(std::atoi(argv[i + 1]));
        else if (flag == "--redis-ping-ms")
            cluster_opts.ping_interval = std::chrono::milliseconds(std::atoi(argv[i + 1]));
        else if (flag == "--max-pending-acks")
            cluster_opts.max_pending_acks = static_cast<std::size_t>(std::atoi(argv[i + 1]));
        else if (flag == "--admin-auth")
            admin_opts().auth = std::string(argv[i + 1]) == "off" ? kibitz::admin::auth_mode::off
                                                                  : kibitz::admin::auth_mode::basic;
        else if (flag == "--admin-user")
            admin_opts().username = argv[i + 1];
        else if (flag == "--admin-password-hash")
            admin_opts().password_hash = argv[i + 1];
        else if (flag == "--admin-mode")
            admin_opts().mode = std::string(argv[i + 1]) == "production"
                                    ? kibitz::admin::mode::production
                                    : kibitz::admin::mode::development;
        else if (flag == "--admin-server-id")
            admin_opts().server_id = argv[i + 1];
        else if (flag == "--websocket-origin")
            websocket_origins.push_back(argv[i + 1]);
        else if (conformance::parse_hooks_flag(hooks, flag, value))
            continue;
        else if (flag == "--http-compression" && (value == "on" || value == "off"))
            http_compression = value == "on";
        else if (flag == "--per-message-deflate" && (value == "on" || value == "off"))
            per_message_deflate = value == "on";
        else if (flag == "--parser" &&
                 (std::string(argv[i + 1]) == "json" || std::string(argv[i + 1]) == "msgpack"))
            parser = std::string(argv[i + 1]) == "msgpack" ? kibitz::socketio::parser_kind::msgpack
                                                           : kibitz::socketio::parser_kind::json;
        else {
            std::cerr
                << "usage: conformance-server [--host H] [--port P] [--max-sessions-per-ip N]"
                   " [--max-sessions N] [--header-timeout-ms N] [--write-timeout-ms N]"
                   " [--max-connections N] [--max-connections-per-ip N]"
                   " [--ping-interval-ms N] [--ping-timeout-ms N]"
                   " [--websocket-origin ORIGIN] [--allowed-host HOST]"
                   " [--parser json|msgpack] [--client-dist DIR] [--http-compression on|off]"
                   " [--per-message-deflate on|off] [--allow-request-delay-ms N]"
                   " [--allow-request-timeout-ms N] [--cookie NAME]"
                   " [--initial-header N:V] [--header N:V] [--redis URL] [--redis-prefix P] "
                   "[--redis-protocol classic|sharded|streams] [--recovery-ms N]"
                   " [--stream-restore-batch N] [--stream-restore-calls N]"
                   " [--requests-timeout-ms N] [--max-pending-requests N] [--max-pending-acks N]"
                   " [--redis-ping-ms N]"
                   " [--tls-cert FILE --tls-key FILE] [--admin-auth off|basic]"
                   " [--admin-user U --admin-password-hash H]"
                   " [--admin-mode production|development] [--admin-server-id ID]\n";
            return 2;
        }
    }
    net::asio::io_context ioc{1}; // one thread runs the loop

    eio::options opts;
    opts.path = "/engine.io/";
    opts.ping_interval = ping_interval;
    opts.ping_timeout = ping_timeout;
    opts.max_payload = 1'000'000;
    opts.cors.origins = {"*"};
    opts.max_sessions_per_address = max_sessions_per_ip;
    opts.max_sessions = max_sessions;
    opts.write_timeout = write_timeout;
    limits.write_timeout = write_timeout;
    opts.websocket_origins = websocket_origins;
    opts.http_compression.enabled = http_compression;
    opts.per_message_deflate.enabled = per_message_deflate;
    conformance::apply_hooks_options(hooks, opts, ioc);
    auto refused = std::make_shared<std::deque<json>>();
    eio::server echo(ioc, opts);
    conformance::install_hooks(hooks, echo, refused);
    // Every message, text or binary, goes back to its sender.
    echo.on_connection([](eio::socket_ptr socket) {
        std::weak_ptr<eio::socket> weak = socket;
        socket->on_message([weak](eio::message msg) {
            auto s = weak.lock();
            if (!s) return;
            if (msg.binary)
                s->send_binary(msg.data);
            else
                s->send_text(msg.data);
        });
    });

    std::unique_ptr<kibitz::cluster::redis_cluster> cluster;
    if (!examples::make_cluster(ioc, server, "conformance-server", cluster)) return 2;
    sio::server_options sopts;
    if (cluster) sopts.make_adapter = cluster->factory();
    if (recovery_ms > 0) {
        sio::recovery_options recovery;
        recovery.max_disconnection_duration = std::chrono::milliseconds(recovery_ms);
        sopts.connection_state_recovery = recovery;
    }
    sopts.parser = parser;
    sopts.client_dist_dir = client_dist;
    sopts.engine.ping_interval = opts.ping_interval;
    sopts.engine.ping_timeout = opts.ping_timeout;
    sopts.engine.max_payload = opts.max_payload;
    sopts.engine.cors.origins = {"*"};
    sopts.engine.max_sessions_per_address = max_sessions_per_ip;
    sopts.engine.max_sessions = max_sessions;
    sopts.engine.write_timeout = write_timeout;
    sopts.engine.http_compression = opts.http_compression;
    sopts.engine.per_message_deflate = opts.per_message_deflate;
    conformance::apply_hooks_options(hooks, sopts.engine, ioc);
    sopts.connect_timeout = std::chrono::milliseconds(1000);
    sio::server io(ioc, sopts);
    conformance::install_hooks(hooks, io.engine(), refused);
    conformance::install_hook_events(io, refused);
    for (auto name : {"/", "/custom"}) {
        // `auth` follows the CONNECT reply after a short pause: the suite's raw client (ws 8.5)
        // loses a frame that arrives in the same read as the one it is waiting for.
        io.of(name).on_connection([&ioc](sio::socket_ptr s) {
            auto pause =
                std::make_shared<net::asio::steady_timer>(ioc, std::chrono::milliseconds(20));
            pause->async_wait(
                [s, pause](net::error_code) { s->emit("auth", s->handshake().auth); });
        });
    }
    io.on_connection([](sio::socket_ptr s) {
        s->on("message", [](sio::socket& self, json& args, sio::ack_callback) {
            self.emit_args("message-back", args);
        });
        s->on("message-with-ack", [](sio::socket&, json& args, sio::ack_callback ack) {
            if (ack) ack(args);
        });
        // The TLS tests read handshake.secure back (tests/interop/tls/).
        s->on("handshake-secure", [](sio::socket& self, json&, sio::ack_callback ack) {
            if (ack) ack(json::array({self.handshake().secure}));
        });
    });

    if (cluster) conformance::install_cluster_control(io, *cluster);
    std::unique_ptr<kibitz::admin::instrument> instrument;
    if (admin) {
        if (auto err = kibitz::admin::validate(*admin)) {
            std::cerr << "conformance-server: " << *err << "\n";
            return 2;
        }
        instrument = std::make_unique<kibitz::admin::instrument>(io, *admin);
    }

    kibitz::http::server http(ioc, limits);
    http.mount(echo.opts().path, echo);
    io.attach(http);
    examples::listen(http, server);

    net::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    // SIGTERM: the sockets close ("server shutting down", their sessions kept), then the loop
    // runs until the cluster's commands (a session's SET) are answered, at most 2 s.
    net::asio::steady_timer flush_wait(ioc);
    auto stop_at = std::chrono::steady_clock::time_point{};
    std::function<void()> stop_when_flushed = [&] {
        if (!cluster || cluster->flushed() || std::chrono::steady_clock::now() > stop_at)
            return ioc.stop();
        flush_wait.expires_after(std::chrono::milliseconds(5));
        flush_wait.async_wait([&](net::error_code ec) {
            if (!ec) stop_when_flushed();
        });
    };
    signals.async_wait([&](net::error_code, int) {
        instrument.reset();
        io.close();
        http.stop();
        echo.close();
        stop_at = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        stop_when_flushed();
    });
    ioc.run();
    return 0;
}
