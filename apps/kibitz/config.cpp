#include "config.hpp"

#include <charconv>
#include <sstream>

namespace kibitz::app {

namespace {
template<class T>
bool parse_number(std::string const& text, T& out) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return false;
    out = value;
    return true;
}

template<class T>
std::function<bool(config&, std::string const&)> number(T config::*member, T min) {
    return [member, min](config& c, std::string const& v) {
        T value{};
        if (!parse_number(v, value) || value < min) return false;
        c.*member = value;
        return true;
    };
}

std::function<bool(config&, std::string const&)> text(std::string config::*member) {
    return [member](config& c, std::string const& v) {
        c.*member = v;
        return true;
    };
}

std::function<bool(config&, std::string const&)> on_off(bool config::*member) {
    return [member](config& c, std::string const& v) {
        if (v != "on" && v != "off") return false;
        c.*member = v == "on";
        return true;
    };
}

std::vector<std::string> split_commas(std::string const& v) {
    std::vector<std::string> out;
    std::stringstream in(v);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}
} // namespace

namespace {

// The options of the server itself: listening, storage, transports, limits.
std::vector<option_spec> server_specs() {
    return {
        {"--host", "KIBITZ_HOST", "address to listen on (default 127.0.0.1)", text(&config::host)},
        {"--port", "KIBITZ_PORT", "port (default 3000; 0 picks a free one)",
         [](config& c, std::string const& v) {
             unsigned p = 0;
             if (!parse_number(v, p) || p > 65535) return false;
             c.port = static_cast<std::uint16_t>(p);
             return true;
         }},
        {"--data", "KIBITZ_DATA", "folder of the SQLite database (default ./var)",
         text(&config::data_dir)},
        {"--postgres", "KIBITZ_POSTGRES",
         "PostgreSQL connection URI (postgresql://user@host:port/db): store there, not in --data",
         text(&config::postgres)},
        {"--redis", "KIBITZ_REDIS",
         "redis://[[user]:password@]host[:port][/db]: join the cluster of nodes on this Redis",
         text(&config::redis)},
        {"--redis-prefix", "KIBITZ_REDIS_PREFIX",
         "channel and key prefix of the cluster (socket.io); the same on every node",
         text(&config::redis_prefix)},
        {"--redis-protocol", "KIBITZ_REDIS_PROTOCOL",
         "classic, sharded or streams (Node's createAdapter / createShardedAdapter / "
         "redis-streams-adapter, whose sessions recover on any node; classic)",
         [](config& c, std::string const& v) {
             if (v != "classic" && v != "sharded" && v != "streams") return false;
             c.redis_protocol = v;
             return true;
         }},
        {"--redis-stream", "KIBITZ_REDIS_STREAM",
         "streams protocol: the stream every node reads and writes (socket.io)",
         text(&config::redis_stream)},
        {"--redis-stream-maxlen", "KIBITZ_REDIS_STREAM_MAXLEN",
         "streams protocol: XADD MAXLEN ~, the messages a recovering client may have missed "
         "(10000)",
         number(&config::redis_stream_maxlen, std::size_t{1})},
        {"--web", "KIBITZ_WEB", "folder of the web pages", text(&config::web_dir)},
        {"--client-dist", "KIBITZ_CLIENT_DIST", "folder of the socket.io-client bundles",
         text(&config::client_dist)},
        {"--cors-origin", "KIBITZ_CORS_ORIGIN", "origins allowed cross-origin, comma-separated",
         [](config& c, std::string const& v) {
             c.cors_origins = split_commas(v);
             return true;
         }},
        {"--log-level", "KIBITZ_LOG_LEVEL", "debug, info, warn, error or off",
         text(&config::log_level)},
        {"--ping-interval", "KIBITZ_PING_INTERVAL", "Engine.IO pingInterval in ms (25000)",
         number(&config::ping_interval_ms, std::int64_t{1})},
        {"--ping-timeout", "KIBITZ_PING_TIMEOUT", "Engine.IO pingTimeout in ms (20000)",
         number(&config::ping_timeout_ms, std::int64_t{1})},
        {"--max-payload", "KIBITZ_MAX_PAYLOAD", "largest message in bytes (1000000)",
         number(&config::max_payload, std::size_t{1})},
        {"--max-connections", "KIBITZ_MAX_CONNECTIONS",
         "open connections (HTTP and WebSocket) and Engine.IO sessions, each (100000)",
         number(&config::max_connections, std::size_t{1})},
        {"--max-sessions-per-ip", "KIBITZ_MAX_SESSIONS_PER_IP",
         "sessions per address (256; 0: any)",
         number(&config::max_sessions_per_ip, std::size_t{0})},
        {"--max-connections-per-ip", "KIBITZ_MAX_CONNECTIONS_PER_IP",
         "open connections (HTTP and WebSocket) per address (1024; 0: any)",
         number(&config::max_connections_per_ip, std::size_t{0})},
        {"--max-send-queue", "KIBITZ_MAX_SEND_QUEUE",
         "bytes queued for a client that does not read before it is closed (16777216)",
         number(&config::max_send_queue_bytes, std::size_t{1024})},
        {"--write-timeout", "KIBITZ_WRITE_TIMEOUT",
         "ms a response or WebSocket write may take before the connection closes (30000)",
         number(&config::write_timeout_ms, std::int64_t{1})},
        {"--http-compression", "KIBITZ_HTTP_COMPRESSION",
         "on or off: gzip/deflate long-polling responses of 1024 bytes or more (on)",
         on_off(&config::http_compression)},
        {"--per-message-deflate", "KIBITZ_PER_MESSAGE_DEFLATE",
         "on or off: WebSocket permessage-deflate, no context takeover (off)",
         on_off(&config::per_message_deflate)},
        {"--allowed-hosts", "KIBITZ_ALLOWED_HOSTS",
         "Host names admitted besides loopback ones, comma-separated ('*': any)",
         [](config& c, std::string const& v) {
             c.allowed_hosts = split_commas(v);
             return true;
         }},
    };
}

// The options of TLS, graceful shutdown, connection state recovery and the log format.
std::vector<option_spec> lifecycle_specs() {
    return {
        {"--tls-cert", "KIBITZ_TLS_CERT",
         "PEM certificate chain: serve HTTPS and WSS (with --tls-key; re-read on SIGHUP)",
         text(&config::tls_cert)},
        {"--tls-key", "KIBITZ_TLS_KEY", "PEM private key of --tls-cert", text(&config::tls_key)},
        {"--tls-handshake-timeout", "KIBITZ_TLS_HANDSHAKE_TIMEOUT",
         "ms from TCP accept to the end of the TLS handshake before the connection closes (10000)",
         number(&config::tls_handshake_timeout_ms, std::int64_t{1})},
        {"--redirect-http-port", "KIBITZ_REDIRECT_HTTP_PORT",
         "with TLS, also listen for plain HTTP here and answer 301 to https (default: off)",
         [](config& c, std::string const& v) {
             unsigned p = 0;
             if (!parse_number(v, p) || p == 0 || p > 65535) return false;
             c.redirect_http_port = static_cast<std::uint16_t>(p);
             return true;
         }},
        {"--shutdown-timeout", "KIBITZ_SHUTDOWN_TIMEOUT",
         "ms SIGTERM/SIGINT may take to close clients and drain the store before exit (10000)",
         number(&config::shutdown_timeout_ms, std::int64_t{0})},
        {"--recovery-window", "KIBITZ_RECOVERY_WINDOW",
         "ms a client that lost its connection (or whose server restarted) may come back with "
         "its socket id, rooms and the events it missed (0: off, the default; every event then "
         "carries its offset as a last argument)",
         number(&config::recovery_window_ms, std::int64_t{0})},
        {"--recovery-restore-timeout", "KIBITZ_RECOVERY_RESTORE_TIMEOUT",
         "with --recovery-window, ms a reconnecting client waits for the adapter to find its "
         "session (the streams adapter asks Redis) before it connects as new (5000)",
         number(&config::recovery_restore_timeout_ms, std::int64_t{1})},
        {"--recovery-restore-packets", "KIBITZ_RECOVERY_RESTORE_PACKETS",
         "with --recovery-window, packets a reconnecting client may send while its session is "
         "looked up; one more closes its connection (32)",
         number(&config::recovery_restore_packets, std::size_t{1})},
        {"--log-format", "KIBITZ_LOG_FORMAT", "text or json (JSON lines)",
         [](config& c, std::string const& v) {
             if (v != "text" && v != "json") return false;
             c.log_format = v;
             return true;
         }},
    };
}

// The options of the apps: chat and chess flood control and bounds.
std::vector<option_spec> app_specs() {
    return {
        {"--chat-messages-per-window", "KIBITZ_CHAT_MESSAGES_PER_WINDOW",
         "chat messages a name may send per window (10; 0 turns flood control off)",
         number(&config::chat_messages_per_window, std::size_t{0})},
        {"--chat-joins-per-window", "KIBITZ_CHAT_JOINS_PER_WINDOW",
         "chat joins a connection may make per window (20; 0: no limit)",
         number(&config::chat_joins_per_window, std::size_t{0})},
        {"--chat-window", "KIBITZ_CHAT_WINDOW", "flood control window in ms (10000)",
         number(&config::chat_window_ms, std::int64_t{1})},
        {"--chat-history-per-window", "KIBITZ_CHAT_HISTORY_PER_WINDOW",
         "chat history reads a connection may make per window (30; 0: no limit)",
         number(&config::chat_history_per_window, std::size_t{0})},
        {"--chat-typing-per-window", "KIBITZ_CHAT_TYPING_PER_WINDOW",
         "chat typing events a connection may send per window, more are dropped (20; 0: no limit)",
         number(&config::chat_typing_per_window, std::size_t{0})},
        {"--chat-edits-per-window", "KIBITZ_CHAT_EDITS_PER_WINDOW",
         "chat message edits and deletes a name may make per window (10; 0: no limit)",
         number(&config::chat_edits_per_window, std::size_t{0})},
        {"--chat-max-rooms", "KIBITZ_CHAT_MAX_ROOMS",
         "chat rooms a connection may be in at once (32; 0: no limit)",
         number(&config::chat_max_rooms_per_connection, std::size_t{0})},
        {"--chat-identity-ttl", "KIBITZ_CHAT_IDENTITY_TTL",
         "ms after its last join that a chat identity no message names may be deleted (600000)",
         number(&config::chat_identity_ttl_ms, std::int64_t{0})},
        {"--chat-prune-every", "KIBITZ_CHAT_PRUNE_EVERY",
         "new chat identities between two prunes of unused ones (1000; 0: never prune)",
         number(&config::chat_prune_every, std::size_t{0})},
        {"--chat-max-open-rooms", "KIBITZ_CHAT_MAX_OPEN_ROOMS",
         "chat rooms with people in them on the server (10000; 0: no limit)",
         number(&config::chat_max_open_rooms, std::size_t{0})},
        {"--chat-max-rooms-per-ip", "KIBITZ_CHAT_MAX_ROOMS_PER_IP",
         "open chat rooms that people from one address may have opened (100; 0: no limit)",
         number(&config::chat_max_rooms_per_address, std::size_t{0})},
        {"--chat-users-large-room", "KIBITZ_CHAT_USERS_LARGE_ROOM",
         "people from which a chat room's users list goes out once per --chat-users-interval at "
         "most (100; 0: every change's turn)",
         number(&config::chat_users_large_room, std::size_t{0})},
        {"--chat-users-interval", "KIBITZ_CHAT_USERS_INTERVAL",
         "ms between two users lists of a large chat room (1000)",
         number(&config::chat_users_interval_ms, std::int64_t{1})},
        {"--chat-heartbeat", "KIBITZ_CHAT_HEARTBEAT",
         "ms between a cluster node's chat heartbeats (its users and names, 5000)",
         number(&config::chat_heartbeat_ms, std::int64_t{10})},
        {"--chat-presence-ttl", "KIBITZ_CHAT_PRESENCE_TTL",
         "ms a silent cluster node's chat users stay listed and its names held (15000)",
         number(&config::chat_presence_ttl_ms, std::int64_t{20})},
        {"--chess-owner-ttl", "KIBITZ_CHESS_OWNER_TTL",
         "ms a cluster node's claim on its chess games outlives its last heartbeat (6000; "
         "heartbeat a third of it): the take-over bound when it dies",
         number(&config::chess_owner_ttl_ms, std::int64_t{30})},
        {"--chess-max-forwards", "KIBITZ_CHESS_MAX_FORWARDS",
         "chess requests forwarded to other cluster nodes and waiting for their answer (10000); "
         "one more is answered unavailable",
         number(&config::chess_max_forwards, std::size_t{1})},
        {"--chess-claim-grace", "KIBITZ_CHESS_CLAIM_GRACE",
         "ms an opponent must be gone before a win can be claimed (30000)",
         number(&config::chess_claim_grace_ms, std::int64_t{0})},
        {"--chess-max-games", "KIBITZ_CHESS_MAX_GAMES",
         "chess games kept in memory (10000; 0: any)",
         number(&config::chess_max_games, std::size_t{0})},
        {"--chess-max-open-games", "KIBITZ_CHESS_MAX_OPEN_GAMES",
         "chess games waiting for an opponent (500; 0: any)",
         number(&config::chess_max_open_games, std::size_t{0})},
        {"--chess-max-open-per-creator", "KIBITZ_CHESS_MAX_OPEN_PER_CREATOR",
         "waiting chess games per creating connection (3; 0: any)",
         number(&config::chess_max_open_per_creator, std::size_t{0})},
        {"--chess-max-open-per-ip", "KIBITZ_CHESS_MAX_OPEN_PER_IP",
         "chess games waiting for an opponent whose creators share one address (30; 0: any)",
         number(&config::chess_max_open_per_address, std::size_t{0})},
        {"--chess-max-games-per-connection", "KIBITZ_CHESS_MAX_GAMES_PER_CONNECTION",
         "chess games one connection may be in (32; 0: any)",
         number(&config::chess_max_games_per_connection, std::size_t{0})},
        {"--chess-max-spectators", "KIBITZ_CHESS_MAX_SPECTATORS",
         "spectators per chess game (500; 0: any)",
         number(&config::chess_max_spectators, std::size_t{0})},
        {"--chess-waiting-grace", "KIBITZ_CHESS_WAITING_GRACE",
         "ms before a waiting game whose creator left is removed (120000; 0: never)",
         number(&config::chess_waiting_grace_ms, std::int64_t{0})},
        {"--chess-idle", "KIBITZ_CHESS_IDLE",
         "ms before a game nobody is in leaves memory (600000; 0: never)",
         number(&config::chess_idle_ms, std::int64_t{0})},
        {"--chess-lag-per-move", "KIBITZ_CHESS_LAG_PER_MOVE",
         "ms of network lag at most not charged per move (250; 0: no compensation)",
         number(&config::chess_lag_per_move_ms, std::int64_t{0})},
        {"--chess-lag-per-game", "KIBITZ_CHESS_LAG_PER_GAME",
         "ms of network lag at most not charged per game and player (5000; 0: none)",
         number(&config::chess_lag_per_game_ms, std::int64_t{0})},
        {"--chess-rate-window", "KIBITZ_CHESS_RATE_WINDOW",
         "chess flood control window in ms (10000)",
         number(&config::chess_rate_window_ms, std::int64_t{1})},
        {"--chess-creates-per-window", "KIBITZ_CHESS_CREATES_PER_WINDOW",
         "chess creates per connection per window (10; 0: no limit)",
         number(&config::chess_creates_per_window, std::size_t{0})},
        {"--chess-joins-per-window", "KIBITZ_CHESS_JOINS_PER_WINDOW",
         "chess joins per connection per window (30; 0: no limit)",
         number(&config::chess_joins_per_window, std::size_t{0})},
        {"--chess-moves-per-window", "KIBITZ_CHESS_MOVES_PER_WINDOW",
         "chess moves per connection per window (60; 0: no limit)",
         number(&config::chess_moves_per_window, std::size_t{0})},
        {"--chess-actions-per-window", "KIBITZ_CHESS_ACTIONS_PER_WINDOW",
         "chess resign/draw/abort/claim/rematch/takeback per connection per window (30; 0: no "
         "limit)",
         number(&config::chess_actions_per_window, std::size_t{0})},
        {"--chess-pgns-per-window", "KIBITZ_CHESS_PGNS_PER_WINDOW",
         "chess pgn requests per connection per window (20; 0: no limit)",
         number(&config::chess_pgns_per_window, std::size_t{0})},
    };
}

std::function<bool(config&, std::string const&)> one_of(std::string config::*member,
                                                        std::vector<std::string> allowed) {
    return [member, allowed](config& c, std::string const& v) {
        for (auto const& a : allowed)
            if (v == a) {
                c.*member = v;
                return true;
            }
        return false;
    };
}

std::function<bool(config&, std::string const&)> flag(bool config::*member) {
    return [member](config& c, std::string const& v) {
        if (v != "true" && v != "false" && v != "1" && v != "0") return false;
        c.*member = v == "true" || v == "1";
        return true;
    };
}

// The options of operations: the Admin UI and /metrics.
std::vector<option_spec> ops_specs() {
    return {
        {"--admin-user", "KIBITZ_ADMIN_USER",
         "turns the Admin UI namespace on with basic auth for this user (with "
         "--admin-password-hash)",
         text(&config::admin_user)},
        {"--admin-password-hash", "KIBITZ_ADMIN_PASSWORD_HASH",
         "bcrypt hash of the admin password ($2b$10$...; htpasswd -nbBC 10 '' PASSWORD)",
         text(&config::admin_password_hash)},
        {"--admin-auth", "KIBITZ_ADMIN_AUTH",
         "basic (default once --admin-user is set) or off: the Admin UI with no login at all",
         one_of(&config::admin_auth, {"basic", "off"})},
        {"--admin-mode", "KIBITZ_ADMIN_MODE",
         "production (stats and commands) or development (also every socket, room and event)",
         one_of(&config::admin_mode, {"production", "development"})},
        {"--admin-namespace", "KIBITZ_ADMIN_NAMESPACE", "the Admin UI namespace (/admin)",
         text(&config::admin_namespace)},
        {"--admin-server-id", "KIBITZ_ADMIN_SERVER_ID",
         "this node's name in the Admin UI, unique per node (default <hostname>#<pid>)",
         text(&config::admin_server_id)},
        {"--admin-readonly", "KIBITZ_ADMIN_READONLY",
         "true: the Admin UI may look but not emit, join, leave or disconnect (false)",
         flag(&config::admin_readonly)},
        {"--admin-ui", "KIBITZ_ADMIN_UI",
         "folder of the Admin UI bundle served at /admin/ (scripts/admin-ui.sh)",
         text(&config::admin_ui_dir)},
        {"--metrics-token", "KIBITZ_METRICS_TOKEN",
         "GET /metrics wants \"Authorization: Bearer TOKEN\" (default: no token)",
         text(&config::metrics_token)},
        {"--metrics-public", "KIBITZ_METRICS_PUBLIC",
         "true: /metrics answers any address, not only loopback peers (false)",
         flag(&config::metrics_public)},
    };
}

// Why the admin options do not go together, or nullopt.
std::optional<std::string> check_admin(config const& c) {
    if (c.admin_auth == "off") return std::nullopt;
    if (c.admin_user.empty() != c.admin_password_hash.empty())
        return std::string("--admin-user and --admin-password-hash go together");
    if (c.admin_auth == "basic" && c.admin_user.empty())
        return std::string("--admin-auth basic needs --admin-user and --admin-password-hash");
    return std::nullopt;
}

} // namespace

std::vector<option_spec> const& option_specs() {
    static std::vector<option_spec> const specs = [] {
        auto all = server_specs();
        for (auto& spec : lifecycle_specs())
            all.push_back(std::move(spec));
        for (auto& spec : app_specs())
            all.push_back(std::move(spec));
        for (auto& spec : ops_specs())
            all.push_back(std::move(spec));
        return all;
    }();
    return specs;
}

std::optional<std::string> parse_config(int argc, char const* const* argv,
                                        std::function<char const*(char const*)> getenv,
                                        config& out) {
    for (auto const& spec : option_specs()) {
        char const* value = getenv(spec.env.c_str());
        if (value && !spec.apply(out, value)) return "bad value for " + spec.env + ": " + value;
    }
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") return std::string("help");
        std::string value;
        auto eq = arg.find('=');
        if (eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return "missing value for " + arg;
        }
        bool known = false;
        for (auto const& spec : option_specs()) {
            if (spec.flag != arg) continue;
            known = true;
            if (!spec.apply(out, value)) return "bad value for " + arg + ": " + value;
        }
        if (!known) return "unknown option " + arg;
    }
    if (out.tls_cert.empty() != out.tls_key.empty())
        return std::string("--tls-cert and --tls-key go together");
    if (out.redirect_http_port && out.tls_cert.empty())
        return std::string("--redirect-http-port needs --tls-cert and --tls-key");
    // A node is dropped after a ttl without its heartbeat: two must fit in one.
    if (out.chat_presence_ttl_ms < 2 * out.chat_heartbeat_ms)
        return std::string("--chat-presence-ttl must be at least twice --chat-heartbeat");
    if (auto err = check_admin(out)) return err;
    return std::nullopt;
}

std::string usage() {
    std::ostringstream out;
    out << "usage: kibitz [options]\n\nEvery option can also be set by its environment "
           "variable; a flag wins.\n\n";
    for (auto const& spec : option_specs())
        out << "  " << spec.flag << " VALUE  (" << spec.env << ")\n      " << spec.help << "\n";
    return out.str();
}

} // namespace kibitz::app
