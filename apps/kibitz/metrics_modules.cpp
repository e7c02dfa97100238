// The modules' figures of GET /metrics (metrics.hpp): each module's own counters, read at each
// scrape. Apart from metrics.cpp, which the unit tests build without the modules.
#include "metrics.hpp"

#include <kibitz/chat/service.hpp>
#include <kibitz/chess_app/shell.hpp>
#include <kibitz/cluster/redis_adapter.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <utility>

namespace kibitz::app {

void register_chat_metrics(util::metrics& m, std::weak_ptr<chat::service const> chat) {
    using field = std::uint64_t chat::counters::*;
    auto read = [chat](field f) {
        return [chat, f] {
            auto s = chat.lock();
            return s ? static_cast<double>(s->counters().*f) : 0.0;
        };
    };
    m.counter("kibitz_chat_messages_total", read(&chat::counters::messages_sent));
    constexpr std::array<std::pair<char const*, field>, 5> limits = {{
        {"message", &chat::counters::rate_limited_messages},
        {"join", &chat::counters::rate_limited_joins},
        {"history", &chat::counters::rate_limited_history},
        {"typing", &chat::counters::rate_limited_typing},
        {"edit", &chat::counters::rate_limited_edits},
    }};
    for (auto const& [name, f] : limits)
        m.counter("kibitz_chat_rate_limited_total", {{"limit", name}}, read(f));
}

void register_chess_metrics(util::metrics& m, std::weak_ptr<chess_app::chess_server const> chess) {
    auto read = [chess](auto get) {
        return [chess, get] {
            auto s = chess.lock();
            return s ? static_cast<double>(get(s->counters())) : 0.0;
        };
    };
    using c = chess_app::counters;
    m.gauge("kibitz_chess_games", {{"state", "waiting"}},
            read([](c const& x) { return x.waiting; }));
    m.gauge("kibitz_chess_games", {{"state", "started"}},
            read([](c const& x) { return x.started; }));
    m.gauge("kibitz_chess_games", {{"state", "ended"}}, read([](c const& x) { return x.ended; }));
    m.counter("kibitz_chess_moves_total", read([](c const& x) { return x.moves_played; }));
}

void register_cluster_metrics(util::metrics& m, cluster::redis_cluster const& cluster) {
    using field = std::uint64_t cluster::redis_adapter_stats::*;
    auto read = [&cluster](field f) {
        return [&cluster, f] { return static_cast<double>(cluster.stats().*f); };
    };
    using st = cluster::redis_adapter_stats;
    m.counter("kibitz_cluster_published_total", read(&st::published));
    m.counter("kibitz_cluster_publish_dropped_total", read(&st::publish_dropped));
    m.counter("kibitz_cluster_received_total", read(&st::received));
    m.counter("kibitz_cluster_dropped_total", {{"reason", "invalid"}}, read(&st::dropped_invalid));
    m.counter("kibitz_cluster_dropped_total", {{"reason", "room"}}, read(&st::dropped_room));
    m.counter("kibitz_cluster_requests_sent_total", read(&st::requests_sent));
    m.counter("kibitz_cluster_requests_answered_total", read(&st::requests_answered));
    m.counter("kibitz_cluster_requests_timed_out_total", read(&st::requests_timed_out));
    m.counter("kibitz_cluster_redis_reconnects_total", read(&st::reconnects));
    m.gauge("kibitz_cluster_pending_requests",
            [&cluster] { return static_cast<double>(cluster.stats().pending_requests); });
    m.gauge("kibitz_cluster_redis_connected",
            [&cluster] { return cluster.connected() ? 1.0 : 0.0; });
}

} // namespace kibitz::app
