#pragma once

#include <kibitz/engineio/server.hpp>
#include <kibitz/socketio/server.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

// The handshake hooks the interop tests drive (tests/interop/engineio/handshake-hooks):
//   --allow-request-delay-ms N  allow_request_async answers after N ms: a `deny` query parameter
//                               refuses with its value, `hang` never answers (the deadline
//                               does), anything else is admitted
//   --allow-request-timeout-ms N  that deadline (default 10000)
//   --cookie NAME               the cookie option, with that name
//   --initial-header N:V, --header N:V  added by the initial_headers / headers hooks
// Every refused request is recorded; in "/", event `connection-errors` acks the record
// ([{code, message, status, url}], oldest first, at most 100) and `handshake` acks the
// socket's handshake {time, issued, xdomain, secure, address, url}.
namespace conformance {

struct hooks_config {
    long allow_request_delay_ms = -1; // -1: no allow_request_async
    long allow_request_timeout_ms = 10000;
    std::string cookie;
    std::vector<std::string> initial_headers;
    std::vector<std::string> headers;
};

// Parses one of the flags above into `c`; false when `flag` is not one of them.
bool parse_hooks_flag(hooks_config& c, std::string const& flag, std::string const& value);

// Sets the options of `c` on `opts` (before the server is made); `ioc` runs the delays.
void apply_hooks_options(hooks_config const& c, kibitz::engineio::options& opts,
                         kibitz::net::asio::io_context& ioc);

// The hooks on a made server, recording its refusals into `errors`.
void install_hooks(hooks_config const& c, kibitz::engineio::server& engine,
                   std::shared_ptr<std::deque<kibitz::json>> errors);

// The `connection-errors` and `handshake` events of "/".
void install_hook_events(kibitz::socketio::server& io,
                         std::shared_ptr<std::deque<kibitz::json>> errors);

} // namespace conformance
