// The gauges of GET /metrics that the binary owns, and the one the modules share.
#include "metrics.hpp"
#include "module.hpp"

#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/util/clock.hpp>

#include <chrono>
#include <string>

namespace kibitz::app {

namespace {
constexpr char const* sockets_gauge = "kibitz_socketio_sockets";
}

void register_core_metrics(util::metrics& m, socketio::server& io) {
    auto started = util::steady_clock::now();
    m.gauge("kibitz_uptime_seconds", [started] {
        using std::chrono::duration_cast, std::chrono::seconds;
        return static_cast<std::int64_t>(
            duration_cast<seconds>(util::steady_clock::now() - started).count());
    });
    m.gauge("kibitz_engineio_sessions",
            [&io] { return static_cast<std::int64_t>(io.engine().clients_count()); });
    // The main namespace is the Socket.IO server's own; the apps' are their modules' business.
    auto& main = io.sockets();
    m.gauge(sockets_gauge, {{"namespace", main.name()}},
            [&main] { return static_cast<std::int64_t>(main.sockets_count()); });
}

void count_sockets(app_context& ctx, std::string_view name) {
    auto& nsp = ctx.io.of(std::string(name));
    ctx.metrics.gauge(sockets_gauge, {{"namespace", std::string(name)}},
                      [&nsp] { return static_cast<std::int64_t>(nsp.sockets_count()); });
}

} // namespace kibitz::app
