#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kibitz::app {

// Everything the kibitz binary can be told, from flags or the environment (a flag wins).
struct config {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;
    std::string data_dir = "./var";
    std::string postgres; // a libpq URI: the store is PostgreSQL instead of SQLite in data_dir
    // Cluster: the Redis the nodes share (empty: one node), its prefix and protocol.
    std::string redis;
    std::string redis_prefix = "socket.io";
    std::string redis_protocol = "classic";
    // --redis-protocol streams: the stream's name and its MAXLEN ~ (the recovery window in
    // messages: a client that missed more is not recovered).
    std::string redis_stream = "socket.io";
    std::size_t redis_stream_maxlen = 10000;
    std::string web_dir;
    std::string client_dist;
    std::vector<std::string> cors_origins;
    std::string log_level = "info";
    std::int64_t ping_interval_ms = 25000;
    std::int64_t ping_timeout_ms = 20000;
    std::size_t max_payload = 1'000'000;
    std::size_t max_connections = 100000;
    std::size_t max_sessions_per_ip = 256;
    std::size_t max_connections_per_ip = 1024;
    std::size_t max_send_queue_bytes = 16u << 20;
    std::int64_t write_timeout_ms = 30000;
    bool http_compression = true;     // gzip/deflate long-polling responses (engine.io default)
    bool per_message_deflate = false; // RFC 7692 for WebSocket (engine.io default: off)
    std::vector<std::string> allowed_hosts;
    // TLS: both files (PEM) or neither; re-read on SIGHUP.
    std::string tls_cert;
    std::string tls_key;
    std::int64_t tls_handshake_timeout_ms = 10000;
    std::uint16_t redirect_http_port = 0; // 0: none; else plain HTTP there answers 301 to https
    // SIGTERM/SIGINT: clients are told to reconnect, the store drains, exit within this.
    std::int64_t shutdown_timeout_ms = 10000;
    // Connection state recovery (socket.io 4.6): how long a client that went away abnormally
    // (a restart included) may come back with its id, rooms and missed events. 0: off.
    std::int64_t recovery_window_ms = 0;
    // While the adapter looks a reconnecting client's session up: how long it may take, and how
    // many packets the client may send meanwhile (socketio::recovery_options).
    std::int64_t recovery_restore_timeout_ms = 5000;
    std::size_t recovery_restore_packets = 32;
    std::string log_format = "text"; // text or json
    // Chat flood control (PROTOCOL.md): accepted messages per name, joins per connection.
    std::size_t chat_messages_per_window = 10;
    std::size_t chat_joins_per_window = 20;
    std::int64_t chat_window_ms = 10000;
    // Chat: history reads and typing events per connection, rooms per connection.
    std::size_t chat_history_per_window = 30;
    std::size_t chat_typing_per_window = 20;
    std::size_t chat_edits_per_window = 10;
    std::size_t chat_max_rooms_per_connection = 32;
    std::size_t chat_max_open_rooms = 10000;
    std::int64_t chat_identity_ttl_ms = 600000;
    std::size_t chat_prune_every = 1000;
    std::size_t chat_max_rooms_per_address = 100;
    // Chat: a room with this many people gets one `users` list per interval at most (0: off).
    std::size_t chat_users_large_room = 100;
    std::int64_t chat_users_interval_ms = 1000;
    // Chat in a cluster: heartbeat period, and how long a silent node's users stay listed.
    std::int64_t chat_heartbeat_ms = 5000;
    std::int64_t chat_presence_ttl_ms = 15000;
    // Chess: how long a disconnected opponent may be gone before `claim` succeeds.
    std::int64_t chess_claim_grace_ms = 30000;
    // --redis: a node's chess games are claimed for this long past its last heartbeat
    // (ttl / 3): another node takes a game over once the claim expired.
    std::int64_t chess_owner_ttl_ms = 6000;
    // --redis: chess requests forwarded to their games' owners and waiting for the answer; one
    // more is answered `unavailable` at once.
    std::size_t chess_max_forwards = 10000;
    // Chess caps (docs/chess_app.md; 0: no cap) and flood control per connection and window.
    std::size_t chess_max_games = 10000;
    std::size_t chess_max_open_games = 500;
    std::size_t chess_max_open_per_creator = 3;
    std::size_t chess_max_open_per_address = 30;
    std::size_t chess_max_games_per_connection = 32;
    std::size_t chess_max_spectators = 500;
    std::int64_t chess_waiting_grace_ms = 120000;
    std::int64_t chess_idle_ms = 600000;
    std::int64_t chess_lag_per_move_ms = 250;
    std::int64_t chess_lag_per_game_ms = 5000;
    std::int64_t chess_rate_window_ms = 10000;
    std::size_t chess_creates_per_window = 10;
    std::size_t chess_joins_per_window = 30;
    std::size_t chess_moves_per_window = 60;
    std::size_t chess_actions_per_window = 30;
    std::size_t chess_pgns_per_window = 20;
    // Admin UI (docs/admin.md): off unless --admin-user and --admin-password-hash are given
    // (basic auth), or --admin-auth off. admin_auth: "" (from the others), "basic" or "off".
    std::string admin_auth;
    std::string admin_user;
    std::string admin_password_hash;
    std::string admin_mode = "production"; // or "development"
    std::string admin_namespace = "/admin";
    std::string admin_server_id; // empty: <hostname>#<pid>
    bool admin_readonly = false;
    std::string admin_ui_dir; // the bundle served at /admin/ (scripts/admin-ui.sh)
    // GET /metrics: with a token, only "Authorization: Bearer <token>"; answered only to
    // loopback peers unless metrics_public.
    std::string metrics_token;
    bool metrics_public = false;

    // True when the admin namespace is configured.
    bool admin_enabled() const { return admin_auth == "off" || !admin_user.empty(); }
};

// One option: its flag, its environment variable, its help text, and how to take a value.
struct option_spec {
    std::string flag;
    std::string env;
    std::string help;
    std::function<bool(config&, std::string const&)> apply;
};

std::vector<option_spec> const& option_specs();

// Reads the environment (through `getenv`) and then the flags. Returns an error message for an
// unknown flag, a missing value or a bad number; "help" when --help was asked.
std::optional<std::string> parse_config(int argc, char const* const* argv,
                                        std::function<char const*(char const*)> getenv,
                                        config& out);

// The usage text listing every option.
std::string usage();

} // namespace kibitz::app
