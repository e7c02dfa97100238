#pragma once

#include "config.hpp"

#include <kibitz/http/message.hpp>
#include <kibitz/util/metrics.hpp>

#include <memory>
#include <optional>

namespace kibitz::socketio {
class server;
}
namespace kibitz::store {
class worker;
struct counters;
} // namespace kibitz::store
namespace kibitz::chat {
class service;
}
namespace kibitz::chess_app {
class chess_server;
}
namespace kibitz::cluster {
class redis_cluster;
}

namespace kibitz::app {

// The binary's own figures for GET /metrics (Prometheus text format 0.0.4), read at each scrape:
// kibitz_uptime_seconds; kibitz_engineio_sessions, and by transport; the Engine.IO sessions
// opened, and closed by reason (counters); Socket.IO packets and bytes in and out (the server's
// traffic counters: plain adds on the loop, no lock); kibitz_socketio_sockets of "/". The
// modules add their own (count_sockets in module.hpp); kibitz_http_connections is added once
// the HTTP server exists. `io` must outlive every render().
void register_core_metrics(util::metrics& m, socketio::server& io);

// The process's own, under the names Prometheus client libraries use: process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds,
// process_max_fds, process_start_time_seconds (read from /proc and getrusage at each scrape).
void register_process_metrics(util::metrics& m);

// kibitz_store_queue_depth: store jobs queued and not started; and
// kibitz_store_operation_duration_seconds{operation} (histogram), each database operation's
// time on the store's worker thread. `store` must outlive render().
void register_store_metrics(util::metrics& m, store::worker const& store,
                            std::shared_ptr<store::counters const> timings);

// The chat's counters (chat::counters): kibitz_chat_messages_total, messages stored and
// delivered; kibitz_chat_rate_limited_total{limit}, requests refused by each flood limit.
// Read through `chat` weakly: 0 once it is gone.
void register_chat_metrics(util::metrics& m, std::weak_ptr<chat::service const> chat);

// kibitz_chess_games{state} (waiting, started, ended: in memory) and kibitz_chess_moves_total.
void register_chess_metrics(util::metrics& m, std::weak_ptr<chess_app::chess_server const> chess);

// With --redis, the adapters' counters (redis_adapter_stats): kibitz_cluster_published_total,
// kibitz_cluster_publish_dropped_total, kibitz_cluster_received_total,
// kibitz_cluster_dropped_total{reason}, kibitz_cluster_requests_{sent,answered,timed_out}_total,
// kibitz_cluster_pending_requests, kibitz_cluster_redis_reconnects_total,
// kibitz_cluster_redis_connected. `cluster` must outlive render().
void register_cluster_metrics(util::metrics& m, cluster::redis_cluster const& cluster);

// Who may read GET /metrics: with --metrics-token, only a request with "Authorization: Bearer
// <token>" (else 401); from a peer that is not loopback, only with --metrics-public (else 403),
// so a server listening on a public address does not show its figures to the world. Returns
// the refusal to send, or nullopt when the request may have the metrics.
std::optional<http::response> metrics_refusal(config const& cfg, http::request const& req);

} // namespace kibitz::app
