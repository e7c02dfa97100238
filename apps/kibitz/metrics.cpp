// The figures of GET /metrics that the binary owns, the one the modules share, and who may
// read them.
#include "metrics.hpp"
#include "module.hpp"

#include <kibitz/engineio/server.hpp>
#include <kibitz/engineio/wire.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/store/counters.hpp>
#include <kibitz/store/worker.hpp>
#include <kibitz/util/clock.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace kibitz::app {

namespace {
constexpr char const* sockets_gauge = "kibitz_socketio_sockets";

// The Engine.IO close reasons (engineio/wire.hpp), each with its own counter; "other" for a
// reason that is none of them.
constexpr std::array<std::string_view, 7> close_reasons = {
    engineio::wire::reason_transport_close,
    engineio::wire::reason_transport_error,
    engineio::wire::reason_ping_timeout,
    engineio::wire::reason_parse_error,
    engineio::wire::reason_forced_close,
    engineio::wire::reason_server_shutting_down,
    "other"};

struct session_counters {
    std::uint64_t opened = 0;
    std::array<std::uint64_t, close_reasons.size()> closed{};
};

void register_session_counters(util::metrics& m, socketio::server& io) {
    auto counts = std::make_shared<session_counters>();
    socketio::server_observer o;
    o.engine_opened = [counts](engineio::socket const&) { ++counts->opened; };
    o.engine_closed = [counts](std::string_view reason) {
        std::size_t i = 0;
        while (i + 1 < close_reasons.size() && close_reasons[i] != reason)
            ++i;
        ++counts->closed[i];
    };
    // Held by the server as long as it lives: never unobserved.
    io.observe(std::move(o));
    m.counter("kibitz_engineio_sessions_opened_total",
              [counts] { return static_cast<double>(counts->opened); });
    for (std::size_t i = 0; i < close_reasons.size(); ++i)
        m.counter("kibitz_engineio_sessions_closed_total",
                  {{"reason", std::string(close_reasons[i])}},
                  [counts, i] { return static_cast<double>(counts->closed[i]); });
}

void register_traffic(util::metrics& m, socketio::server& io) {
    auto const& t = io.traffic();
    m.counter("kibitz_socketio_packets_received_total",
              [&t] { return static_cast<double>(t.packets_in); });
    m.counter("kibitz_socketio_packets_sent_total",
              [&t] { return static_cast<double>(t.packets_out); });
    m.counter("kibitz_socketio_bytes_received_total",
              [&t] { return static_cast<double>(t.bytes_in); });
    m.counter("kibitz_socketio_bytes_sent_total",
              [&t] { return static_cast<double>(t.bytes_out); });
}

// Engine.IO's and Socket.IO's event counters (their counters.hpp): plain integers the servers
// bump on the loop thread, read here on the same thread at each scrape.
void register_event_counters(util::metrics& m, socketio::server& io) {
    auto const& e = io.engine().counters();
    m.counter("kibitz_engineio_upgrades_total", [&e] { return static_cast<double>(e.upgrades); });
    for (std::size_t code = 0; code < e.refused.size(); ++code)
        m.counter("kibitz_engineio_requests_refused_total", {{"code", std::to_string(code)}},
                  [&e, code] { return static_cast<double>(e.refused[code]); });
    m.counter("kibitz_engineio_slow_client_closes_total",
              [&e] { return static_cast<double>(e.slow_client_closes); });
    auto const& s = io.counters();
    m.histogram("kibitz_socketio_broadcast_recipients", {}, s.fanout);
    m.counter("kibitz_socketio_ack_timeouts_total",
              [&s] { return static_cast<double>(s.ack_timeouts); });
    // Dropped by the socket (transport busy) or by the engine (session closing).
    m.counter("kibitz_socketio_volatile_dropped_total",
              [&s, &e] { return static_cast<double>(s.volatile_drops + e.volatile_drops); });
}

// Fields of /proc/self/statm, in pages: size (virtual) and resident.
std::array<double, 2> statm_pages() {
    std::ifstream in("/proc/self/statm");
    std::array<double, 2> v{};
    in >> v[0] >> v[1];
    return v;
}

double open_fds() {
    std::error_code ec;
    std::size_t n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec))
        ++n;
    // The iterator's own descriptor is one of them.
    return n > 0 ? static_cast<double>(n - 1) : 0.0;
}

bool is_loopback(std::string_view address) {
    return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

// Equal strings, in a time that depends on their lengths only.
bool same(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
    return diff == 0;
}
} // namespace

void register_core_metrics(util::metrics& m, socketio::server& io) {
    auto started = util::steady_clock::now();
    m.gauge("kibitz_uptime_seconds", [started] {
        using std::chrono::duration_cast, std::chrono::seconds;
        return static_cast<double>(
            duration_cast<seconds>(util::steady_clock::now() - started).count());
    });
    m.gauge("kibitz_engineio_sessions",
            [&io] { return static_cast<double>(io.engine().clients_count()); });
    m.gauge("kibitz_engineio_sessions_by_transport", {{"transport", "polling"}},
            [&io] { return static_cast<double>(io.engine().polling_clients_count()); });
    m.gauge("kibitz_engineio_sessions_by_transport", {{"transport", "websocket"}}, [&io] {
        auto& e = io.engine();
        return static_cast<double>(e.clients_count() - e.polling_clients_count());
    });
    register_session_counters(m, io);
    register_traffic(m, io);
    register_event_counters(m, io);
    // The main namespace is the Socket.IO server's own; the apps' are their modules' business.
    auto& main = io.sockets();
    m.gauge(sockets_gauge, {{"namespace", main.name()}},
            [&main] { return static_cast<double>(main.sockets_count()); });
}

void register_process_metrics(util::metrics& m) {
    auto const page = static_cast<double>(sysconf(_SC_PAGESIZE));
    m.counter("process_cpu_seconds_total", [] {
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        auto secs = [](timeval t) {
            return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
        };
        return secs(u.ru_utime) + secs(u.ru_stime);
    });
    m.gauge("process_resident_memory_bytes", [page] { return statm_pages()[1] * page; });
    m.gauge("process_virtual_memory_bytes", [page] { return statm_pages()[0] * page; });
    m.gauge("process_open_fds", [] { return open_fds(); });
    m.gauge("process_max_fds", [] {
        rlimit r{};
        getrlimit(RLIMIT_NOFILE, &r);
        return static_cast<double>(r.rlim_cur);
    });
    auto start = static_cast<double>(util::unix_ms()) / 1000.0;
    m.gauge("process_start_time_seconds", [start] { return start; });
}

void register_store_metrics(util::metrics& m, store::worker const& store,
                            std::shared_ptr<store::counters const> timings) {
    m.gauge("kibitz_store_queue_depth", [&store] { return static_cast<double>(store.queued()); });
    // Each sample holds the figures: they outlive the database the worker owns.
    for (std::size_t op = 0; op < store::operation_count; ++op) {
        auto name = store::operation_name(static_cast<store::operation>(op));
        m.histogram("kibitz_store_operation_duration_seconds", {{"operation", std::string(name)}},
                    timings->latency_us[op], 1e6, timings);
    }
}

namespace {

// A plain-text refusal, made in place in the optional (GCC 12 at -O3 warns, wrongly, with
// -Warray-bounds on moving a local response into it).
std::optional<http::response> refusal(int status, std::string body) {
    std::optional<http::response> r(std::in_place);
    r->status = status;
    r->set("Content-Type", "text/plain; charset=utf-8");
    r->body = std::move(body);
    return r;
}

} // namespace

std::optional<http::response> metrics_refusal(config const& cfg, http::request const& req) {
    if (!cfg.metrics_public && !is_loopback(req.remote_address))
        return refusal(403, "metrics are served to loopback peers only (--metrics-public)\n");
    if (cfg.metrics_token.empty()) return std::nullopt;
    auto auth = req.header("Authorization").value_or("");
    constexpr std::string_view bearer = "Bearer ";
    if (auth.size() > bearer.size() && auth.substr(0, bearer.size()) == bearer &&
        same(auth.substr(bearer.size()), cfg.metrics_token))
        return std::nullopt;
    auto r = refusal(401, "a bearer token is needed (--metrics-token)\n");
    r->set("WWW-Authenticate", "Bearer realm=\"metrics\"");
    return r;
}

void count_sockets(app_context& ctx, std::string_view name) {
    auto& nsp = ctx.io.of(std::string(name));
    ctx.metrics.gauge(sockets_gauge, {{"namespace", std::string(name)}},
                      [&nsp] { return static_cast<double>(nsp.sockets_count()); });
}

} // namespace kibitz::app
