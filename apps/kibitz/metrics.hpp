#pragma once

#include <kibitz/util/metrics.hpp>

namespace kibitz::socketio {
class server;
}

namespace kibitz::app {

// The binary's own gauges for GET /metrics: kibitz_uptime_seconds (from now),
// kibitz_engineio_sessions, and kibitz_socketio_sockets of the main namespace "/". The modules
// add their own (count_sockets in module.hpp); kibitz_http_connections is added once the HTTP
// server exists. `io` must outlive every render().
void register_core_metrics(util::metrics& m, socketio::server& io);

} // namespace kibitz::app
