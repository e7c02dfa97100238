#pragma once

#include "config.hpp"

#include <kibitz/http/message.hpp>
#include <kibitz/util/metrics.hpp>

#include <optional>

namespace kibitz::socketio {
class server;
}
namespace kibitz::store {
class worker;
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

// kibitz_store_queue_depth: store jobs queued and not started. `store` must outlive render().
void register_store_metrics(util::metrics& m, store::worker const& store);

// Who may read GET /metrics: with --metrics-token, only a request with "Authorization: Bearer
// <token>" (else 401); from a peer that is not loopback, only with --metrics-public (else 403),
// so a server listening on a public address does not show its figures to the world. Returns
// the refusal to send, or nullopt when the request may have the metrics.
std::optional<http::response> metrics_refusal(config const& cfg, http::request const& req);

} // namespace kibitz::app
