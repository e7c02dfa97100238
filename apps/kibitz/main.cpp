// kibitz: the one server binary. It wires the modules together (docs/architecture.md): the HTTP
// server, Socket.IO at /socket.io/, the web pages, /healthz and /metrics.
#include "config.hpp"
#include "metrics.hpp"
#include "module.hpp"
#include "recovery_file.hpp"

#include <kibitz/cluster/redis_adapter.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/http/static_files.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/store/database.hpp>
#include <kibitz/store/worker.hpp>
#include <kibitz/util/log.hpp>
#include <kibitz/util/metrics.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace http = kibitz::http;
namespace sio = kibitz::socketio;
namespace net = kibitz::net;
namespace util = kibitz::util;

namespace kibitz::app {
std::vector<module>& modules() {
    static std::vector<module> all;
    return all;
}
} // namespace kibitz::app

namespace {

// The headers every answer of the binary's own (pages, assets, health, 404) carries: a
// Content-Security-Policy that allows only this origin's scripts, nosniff, a referrer policy.
// Socket.IO's paths are not the binary's and do not get them.
void add_security_headers(http::response& r) {
    r.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; "
          "base-uri 'none'; frame-ancestors 'self'");
    r.set("X-Content-Type-Options", "nosniff");
    r.set("Referrer-Policy", "same-origin");
}

void answer_own(kibitz::app::config const& cfg, kibitz::util::metrics const& metrics,
                http::static_files const& pages, std::vector<kibitz::app::http_route> const& routes,
                http::request const& req, http::responder& respond) {
    for (auto const& route : routes)
        if (route(req, respond)) return;
    if (req.path == "/healthz") {
        http::response r;
        r.set("Content-Type", "application/json");
        r.body = R"({"status":"ok"})";
        return respond(std::move(r));
    }
    if (req.path == "/metrics") {
        if (auto refusal = kibitz::app::metrics_refusal(cfg, req))
            return respond(std::move(*refusal));
        http::response r;
        r.set("Content-Type", "text/plain; version=0.0.4");
        r.body = metrics.render();
        return respond(std::move(r));
    }
    if (pages.serve(req, respond)) return;
    http::response r;
    r.status = 404;
    r.set("Content-Type", "text/plain; charset=utf-8");
    r.body = "Not Found";
    respond(std::move(r));
}

http::handler_fn make_fallback(kibitz::app::config const& cfg, kibitz::util::metrics const& metrics,
                               std::string const& web_dir,
                               std::vector<kibitz::app::http_route> const& routes) {
    // The pages are read here, at start-up: serving them never touches the disk.
    auto pages = std::make_shared<http::static_files const>(web_dir, "/");
    return [&cfg, &metrics, &routes, pages](http::request const& req, http::responder respond) {
        http::responder secured = [respond = std::move(respond)](http::response r) {
            add_security_headers(r);
            respond(std::move(r));
        };
        answer_own(cfg, metrics, *pages, routes, req, secured);
    };
}

// --redis: the Redis adapter on every namespace (/chess too: each game has one owner node, whose
// room events reach the game's sockets on every node; docs/cluster.md).
std::unique_ptr<kibitz::cluster::redis_cluster> join_cluster(net::asio::io_context& ioc,
                                                             kibitz::app::config const& cfg,
                                                             sio::server_options& opts) {
    if (cfg.redis.empty()) return nullptr;
    auto url = kibitz::redis::parse_url(cfg.redis);
    if (!url) throw std::runtime_error("--redis wants redis://[[user]:password@]host[:port][/db]");
    kibitz::cluster::redis_adapter_options o;
    o.url = *url;
    o.prefix = cfg.redis_prefix;
    o.streams.stream_name = cfg.redis_stream;
    o.streams.max_len = cfg.redis_stream_maxlen;
    o.protocol = cfg.redis_protocol == "sharded"   ? kibitz::cluster::protocol::sharded
                 : cfg.redis_protocol == "streams" ? kibitz::cluster::protocol::streams
                                                   : kibitz::cluster::protocol::classic;
    auto cluster = std::make_unique<kibitz::cluster::redis_cluster>(ioc, o);
    opts.make_adapter = cluster->factory();
    util::log(util::log_level::info, "kibitz: cluster node ", cluster->uid(), " on Redis ",
              url->host, ":", url->port);
    if (cfg.postgres.empty())
        util::log(util::log_level::warn,
                  "kibitz: --redis without --postgres: each node keeps its own SQLite store, so "
                  "chat histories and tokens differ between nodes");
    return cluster;
}

std::string first_existing(std::string const& configured, char const* fallback) {
    return configured.empty() ? std::string(fallback) : configured;
}

// Runs the loop until it is stopped. An exception that escapes a handler is logged and the loop
// goes on: one bad request must never end the process (the libraries contain their own, so
// reaching this is a bug worth a line in the log, not an outage).
void run_loop(net::asio::io_context& ioc) {
    for (;;) {
        try {
            ioc.run();
            return;
        } catch (std::exception const& e) {
            util::log(util::log_level::error,
                      "kibitz: a handler threw, the loop goes on: ", e.what());
        } catch (...) {
            util::log(util::log_level::error, "kibitz: a handler threw, the loop goes on");
        }
    }
}

// The fallback of the --redirect-http-port listener: every request gets a 301 to the same
// host and target over https on the TLS port (the Host's own port replaced).
http::handler_fn make_https_redirect(std::uint16_t tls_port) {
    return [tls_port](http::request const& req, http::responder respond) {
        std::string host(req.header("Host").value_or("localhost"));
        // "[::1]:80" keeps "[::1]", "example.org:80" keeps "example.org".
        auto colon = host.rfind(':');
        if (colon != std::string::npos && host.find(']', colon) == std::string::npos)
            host.erase(colon);
        if (tls_port != 443) host += ":" + std::to_string(tls_port);
        http::response r;
        r.status = 301;
        r.set("Location", "https://" + host + req.target);
        r.set("Content-Type", "text/plain");
        r.body = "Moved to https\n";
        respond(std::move(r));
    };
}

// SIGHUP re-reads the TLS certificate and key: new connections use them, open ones keep theirs.
void reload_tls_on_sighup(net::asio::signal_set& hup, http::server& server) {
    hup.async_wait([&hup, &server](net::error_code ec, int) {
        if (ec) return;
        if (auto err = server.reload_tls())
            util::log(util::log_level::error,
                      "kibitz: TLS reload failed, keeping the old "
                      "certificate: ",
                      *err);
        else
            util::log(util::log_level::info, "kibitz: TLS certificate and key reloaded");
        reload_tls_on_sighup(hup, server);
    });
}

// SIGUSR1 switches the log level between debug and the configured one (--log-level), back and
// forth; the change is logged at warn.
void toggle_debug_on_sigusr1(net::asio::signal_set& usr1, util::log_level configured) {
    usr1.async_wait([&usr1, configured](net::error_code ec, int) {
        if (ec) return;
        auto next =
            util::log_threshold() == util::log_level::debug ? configured : util::log_level::debug;
        util::set_log_threshold(next);
        util::log_event(util::log_level::warn, "kibitz", "log level changed (SIGUSR1)",
                        {{"threshold", util::log_level_name(next)}});
        toggle_debug_on_sigusr1(usr1, configured);
    });
}

// The graceful shutdown (SIGTERM, SIGINT), in order: pause the Engine.IO heartbeats (no ping,
// no ping timeout from now on); stop accepting (idle HTTP connections
// close, a long-poll gets its answer first); let the store finish the jobs queued so far, whose
// results send their acks; after that turn's flush, end every Engine.IO session with "server
// shutting down" (WebSockets get a close frame, a long-poll the close packet: clients reconnect,
// and the reason is one connection state recovery keeps); wait for the connections to close;
// stop the loop. main() then writes the recovery snapshot (--recovery-window), drains the store
// (every job queued commits) and returns 0. The whole is bounded by --shutdown-timeout: past it
// the loop stops where it is. A second signal stops it at once.
class graceful_shutdown : public std::enable_shared_from_this<graceful_shutdown> {
public:
    graceful_shutdown(net::asio::io_context& ioc, http::server& server, sio::server& io,
                      kibitz::store::worker& store, util::duration timeout)
        : ioc_(ioc), http_(server), io_(io), store_(store), timeout_(timeout), deadline_(ioc),
          poll_(ioc) {}

    // The loop also runs until `done` is true (the cluster's commands answered: the sessions
    // kept in Redis for connection state recovery), within the same timeout.
    void wait_also(std::function<bool()> done) { also_ = std::move(done); }

    void begin() {
        util::log(util::log_level::info, "kibitz: shutting down");
        started_ = util::steady_clock::now();
        // Nobody is timed out while the server drains: they are told to reconnect instead.
        io_.engine().pause_heartbeats();
        deadline_.expires_after(timeout_);
        deadline_.async_wait([this](net::error_code ec) {
            if (ec) return;
            util::log(util::log_level::warn, "kibitz: shutdown timeout reached, stopping now");
            ioc_.stop();
        });
        http_.drain();
        wait_for_store();
    }

private:
    void wait_for_store() {
        // The worker runs jobs in turn across lanes, one per lane per turn, and a lane holds at
        // most max_per_lane jobs: between two runs of a job of ours every other lane with work
        // runs at least one, so once ours has run max_per_lane + 1 times (or finds nothing
        // queued) every job queued at the signal has run and posted its result before ours.
        auto& store = store_;
        store_.run([&store](kibitz::store::database&) { return store.queued(); },
                   [self = shared_from_this()](std::size_t left) {
                       bool half = util::steady_clock::now() - self->started_ > self->timeout_ / 2;
                       bool all_ran = ++self->store_rounds_ > self->store_.limits().max_per_lane;
                       if (left > 0 && !all_ran && !half) return self->wait_for_store();
                       // Posted: the acks those results queued are flushed first.
                       net::asio::post(self->ioc_, [self] { self->close_clients(); });
                   });
    }

    void close_clients() {
        io_.close();
        wait_for_connections();
    }

    void wait_for_connections() {
        if (http_.connections_count() == 0 && (!also_ || also_())) {
            deadline_.cancel();
            return ioc_.stop();
        }
        // The close frames and close packets are being written; check again shortly.
        poll_.expires_after(std::chrono::milliseconds(10));
        poll_.async_wait([self = shared_from_this()](net::error_code ec) {
            if (!ec) self->wait_for_connections();
        });
    }

    net::asio::io_context& ioc_;
    http::server& http_;
    sio::server& io_;
    kibitz::store::worker& store_;
    util::duration timeout_;
    net::asio::steady_timer deadline_;
    net::asio::steady_timer poll_;
    util::time_point started_{};
    std::size_t store_rounds_ = 0;
    std::function<bool()> also_;
};

// The Socket.IO server's options from the configuration.
sio::server_options server_options_of(kibitz::app::config const& cfg,
                                      std::string const& client_dist) {
    sio::server_options opts;
    opts.engine.ping_interval = util::duration(cfg.ping_interval_ms);
    opts.engine.ping_timeout = util::duration(cfg.ping_timeout_ms);
    opts.engine.max_payload = cfg.max_payload;
    opts.engine.max_sessions_per_address = cfg.max_sessions_per_ip;
    opts.engine.max_send_queue_bytes = cfg.max_send_queue_bytes;
    opts.engine.max_sessions = cfg.max_connections;
    opts.engine.write_timeout = util::duration(cfg.write_timeout_ms);
    opts.engine.http_compression.enabled = cfg.http_compression;
    opts.engine.per_message_deflate.enabled = cfg.per_message_deflate;
    opts.engine.cors.origins = cfg.cors_origins;
    // Browsers open WebSockets only from this site or the configured origins.
    opts.engine.websocket_origins = cfg.cors_origins;
    opts.engine.websocket_origins.push_back("same-origin");
    if (std::filesystem::exists(client_dist)) opts.client_dist_dir = client_dist;
    if (cfg.recovery_window_ms > 0) {
        sio::recovery_options recovery;
        recovery.max_disconnection_duration = util::duration(cfg.recovery_window_ms);
        recovery.restore_timeout = util::duration(cfg.recovery_restore_timeout_ms);
        recovery.max_packets_while_restoring = cfg.recovery_restore_packets;
        // A recovered socket passes the middlewares again (Node skips them by default): the
        // admin namespace's login is checked anew, so a changed password lets no one back in.
        recovery.skip_middlewares = false;
        opts.connection_state_recovery = recovery;
    }
    return opts;
}

// The HTTP server's limits from the configuration.
http::limits http_limits_of(kibitz::app::config const& cfg) {
    http::limits limits;
    limits.max_connections = cfg.max_connections;
    limits.max_connections_per_address = cfg.max_connections_per_ip;
    limits.write_timeout = util::duration(cfg.write_timeout_ms);
    limits.allowed_hosts = cfg.allowed_hosts;
    limits.tls_handshake_timeout = util::duration(cfg.tls_handshake_timeout_ms);
    return limits;
}

} // namespace

int main(int argc, char** argv) {
    kibitz::app::config cfg;
    if (auto err = kibitz::app::parse_config(argc, argv, std::getenv, cfg)) {
        if (*err == "help") {
            std::cout << kibitz::app::usage();
            return 0;
        }
        std::cerr << "kibitz: " << *err << "\n\n" << kibitz::app::usage();
        return 2;
    }
    // A file past RLIMIT_FSIZE fails its write with EFBIG (the store answers `unavailable`)
    // instead of killing the process.
    std::signal(SIGXFSZ, SIG_IGN);
    util::log_level level{};
    if (util::parse_log_level(cfg.log_level, level)) util::set_log_threshold(level);
    util::set_log_format(cfg.log_format == "json" ? util::log_format::json
                                                  : util::log_format::text);
    auto web_dir = first_existing(cfg.web_dir, KIBITZ_DEFAULT_WEB_DIR);
    auto client_dist = first_existing(cfg.client_dist, KIBITZ_DEFAULT_CLIENT_DIST);
    try {
        std::filesystem::create_directories(cfg.data_dir);
        // One thread runs the loop (docs/architecture.md rule 2): tell Asio, which then skips work.
        net::asio::io_context ioc{1};

        auto opts = server_options_of(cfg, client_dist);
        // Before the server, which it outlives.
        auto cluster = join_cluster(ioc, cfg, opts);
        sio::server io(ioc, opts);

        // Store work (SQLite, or PostgreSQL with --postgres) runs on the store's worker thread;
        // results come back to this loop.
        auto db = cfg.postgres.empty() ? kibitz::store::database::open(cfg.data_dir)
                                       : kibitz::store::database::open_postgres(cfg.postgres);
        if (!db) throw std::runtime_error("cannot open the database: " + db.error().message);
        auto store_timings = db.value().counters();
        kibitz::store::worker store(std::move(db).value(), [&ioc](std::function<void()> f) {
            net::asio::post(ioc, std::move(f));
        });
        std::vector<kibitz::app::http_route> routes;
        kibitz::util::metrics metrics;
        kibitz::app::register_core_metrics(metrics, io);
        kibitz::app::register_process_metrics(metrics);
        kibitz::app::register_store_metrics(metrics, store, std::move(store_timings));
        if (cluster) kibitz::app::register_cluster_metrics(metrics, *cluster);
        kibitz::app::app_context ctx{ioc, io, store, cfg, routes, metrics};
        std::vector<std::shared_ptr<void>> installed;
        for (auto const& m : kibitz::app::modules())
            installed.push_back(m.install(ctx));

        // Before listening, once every namespace exists: the sessions the last shutdown kept.
        kibitz::app::restore_recovery(io, cfg);
        auto const limits = http_limits_of(cfg);
        http::server http(ioc, limits);
        if (!cfg.tls_cert.empty()) http.use_tls(cfg.tls_cert, cfg.tls_key);
        io.attach(http);
        metrics.gauge("kibitz_http_connections",
                      [&http] { return static_cast<double>(http.connections_count()); });
        http.set_fallback(make_fallback(cfg, metrics, web_dir, routes));
        auto port = http.listen(cfg.host, cfg.port);
        std::optional<http::server> redirect;
        if (cfg.redirect_http_port) {
            redirect.emplace(ioc, limits);
            redirect->set_fallback(make_https_redirect(port));
            redirect->listen(cfg.host, cfg.redirect_http_port);
        }
        net::asio::signal_set hup(ioc, SIGHUP);
        if (http.secure()) reload_tls_on_sighup(hup, http);
        net::asio::signal_set usr1(ioc, SIGUSR1);
        toggle_debug_on_sigusr1(usr1, util::log_threshold());
        std::cout << "listening on " << (http.secure() ? "https" : "http") << "://" << cfg.host
                  << ":" << port << std::endl;
        util::log(util::log_level::info, "kibitz serving ", web_dir, ", data in ",
                  cfg.postgres.empty() ? cfg.data_dir : std::string("PostgreSQL"));

        net::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        auto shutdown = std::make_shared<graceful_shutdown>(
            ioc, http, io, store, util::duration(cfg.shutdown_timeout_ms));
        if (cluster) shutdown->wait_also([&c = *cluster] { return c.flushed(); });
        signals.async_wait([&](net::error_code ec, int) {
            if (ec) return;
            if (redirect) redirect->stop();
            hup.cancel();
            usr1.cancel();
            shutdown->begin();
            // A second signal does not wait.
            signals.async_wait([&ioc](net::error_code e, int) {
                if (!e) ioc.stop();
            });
        });
        run_loop(ioc);
        // Every socket has left with "server shutting down" (io.close() again, in case the
        // timeout stopped the loop before the shutdown got there): what recovery keeps of them
        // goes to the data folder for the next start.
        io.close();
        kibitz::app::save_recovery(io, cfg);
        http.stop();
        // Modules go first (they may still hand jobs to the store), then the store drains.
        installed.clear();
        store.stop();
    } catch (std::exception const& e) {
        std::cerr << "kibitz: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
