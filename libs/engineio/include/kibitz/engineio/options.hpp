#pragma once

#include <kibitz/engineio/http.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kibitz::engineio {

// Cross-origin rules for the polling transport. `origins` holds exact origins
// ("https://example.com") or "*"; an empty list sends no CORS headers (same-origin only).
// "*" is never sent together with credentials: the request's origin is echoed instead.
struct cors_options {
    std::vector<std::string> origins;
    bool credentials = false;
};

// A refusal from allow_request: the message goes into the 403 body.
using allow_request_fn = std::function<std::optional<std::string>(http_request const&)>;

// The answer to allow_request_async: nullopt admits the handshake, a message refuses it (403,
// {"code":4,"message":<it>}). Call it once, on the server's thread (post to it from another);
// later calls, and calls after the deadline or after the server is gone, do nothing.
using allow_request_answer = std::function<void(std::optional<std::string> refusal)>;
// Node's allowRequest(req, callback): may answer at once or later (a token or database check).
using allow_request_async_fn = std::function<void(http_request const&, allow_request_answer)>;

// Node's `cookie` option: the handshake's response sets a cookie holding the session id (some
// load balancers stick a client to a node by it), serialized as npm `cookie` does:
// "io=<sid>; Path=/; HttpOnly; SameSite=Lax" with the defaults. Empty strings, and a negative
// max_age, leave their attribute out; same_site is "strict", "lax", "none" or "".
struct cookie_options {
    bool enabled = false;
    std::string name = "io";
    std::string path = "/";
    std::string domain;
    std::int64_t max_age = -1; // seconds
    bool http_only = true;
    bool secure = false;
    std::string same_site = "lax";
};

// httpCompression (engine.io): a long-polling response of at least `threshold` bytes is sent
// gzip- or deflate-compressed, whichever the request's Accept-Encoding prefers (none: as is).
struct http_compression_options {
    bool enabled = true;
    std::size_t threshold = 1024;
};

// perMessageDeflate (RFC 7692), off by default as in Node. When on and a client offers it, the
// server answers with server_no_context_takeover and client_no_context_takeover: every message
// is compressed on its own, so a broadcast is compressed once for every socket, and a connection
// keeps no zlib state between messages. Messages of at least `threshold` bytes are compressed.
// What a client sends inflates to at most max_payload bytes (past it: close 1009).
struct per_message_deflate_options {
    bool enabled = false;
    std::size_t threshold = 1024;
};

// Engine.IO server options, named after Node's engine.io ServerOptions (durations in ms).
struct options {
    std::string path = "/engine.io/";
    util::duration ping_interval{25000};
    util::duration ping_timeout{20000};
    util::duration upgrade_timeout{10000};
    std::size_t max_payload = 1'000'000; // maxHttpBufferSize: a POST body or a WebSocket message
    bool allow_polling = true;
    bool allow_websocket = true;
    bool allow_upgrades = true;
    cors_options cors;
    // Origins allowed to open or use a session, over polling and WebSocket alike (a request
    // without Origin is not a browser's and is admitted). Empty: any origin. "same-origin"
    // admits an Origin whose host equals the request's Host header. Others get 403, code 4.
    std::vector<std::string> websocket_origins;
    // Sessions one remote address may hold at once (0: no limit); past it, 403 with
    // {"code":4,"message":"Too many sessions"}. Clients behind one NAT share an address.
    std::size_t max_sessions_per_address = 256;
    // Sessions in all (0: no limit); past it, 503 with {"code":4,"message":"Server full"}.
    std::size_t max_sessions = 100000;
    // Bytes queued for one session that it has not read yet, answers (pongs, the probe's
    // reply) included; past this the session is closed.
    std::size_t max_send_queue_bytes = 16u << 20;
    // A write (long-poll response, WebSocket frames) that does not finish within this closes
    // the connection and frees its descriptor.
    util::duration write_timeout{30000};
    // Frames one WebSocket message may arrive in; past it, close 1009.
    std::size_t max_frames_per_message = 1024;
    // Request headers a session keeps from its handshake (socket::handshake()): those that fit
    // in this many bytes (name and value), in arrival order; the rest are dropped.
    std::size_t max_handshake_header_bytes = 4096;
    http_compression_options http_compression;
    per_message_deflate_options per_message_deflate;
    // A last word on every handshake: return a message to refuse with 403.
    allow_request_fn allow_request;
    // The same, answered later (after allow_request, when both are set). The request waits for
    // the answer at most allow_request_timeout; past it, 503 {"code":4,"message":"Forbidden"}.
    allow_request_async_fn allow_request_async;
    util::duration allow_request_timeout{10000};
    cookie_options cookie;
};

} // namespace kibitz::engineio
