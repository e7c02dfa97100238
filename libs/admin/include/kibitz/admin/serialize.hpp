#pragma once

#include <kibitz/admin/event_buffer.hpp>
#include <kibitz/socketio/adapter.hpp>
#include <kibitz/util/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The JSON shapes of the Admin UI protocol (@socket.io/admin-ui 0.5.1 lib/index.ts), pure.
namespace kibitz::admin {

// The key of socket.data where the admin keeps what a socket on another node cannot ask its
// connection for: {"clientId": the first 12 characters of the Engine.IO id, "transport"}.
inline constexpr std::string_view admin_data_key = "_admin";

// `config`'s supportedFeatures: the commands (none when read-only), AGGREGATED_EVENTS, and
// ALL_EVENTS in development mode.
json supported_features(bool readonly, bool development);

// {"clientId": first 12 characters of `client_id`, "transport": transport}.
json admin_data(std::string_view client_id, std::string_view transport);

// socket.data as the UI shows it: without the "_admin" key (any other value as it is).
json serialize_data(json const& data);

// One socket of all_sockets and socket_connected: {id, clientId, transport, nsp, data,
// handshake {address, headers, query, issued, secure, time, url, xdomain}, rooms}. clientId and
// transport come from data._admin (missing when the socket's data has none). The address is
// the first of the cf-connecting-ip and x-forwarded-for headers, else the peer's.
json serialize_socket(socketio::socket_info const& info, std::string_view nsp);

// Request headers as Node has them: names lower-cased, a repeated header's values joined with
// ", " (set-cookie has no special case: requests carry none).
json headers_json(http::header_list const& headers);

// A time as JSON.stringify(new Date(ms)) writes it: "2026-12-02T09:56:53.123Z".
std::string iso_time(std::int64_t unix_ms);
// The same as Node's String(new Date(ms)) in UTC: "Wed Dec 02 2026 09:56:53 GMT+0000
// (Coordinated Universal Time)" (handshake.time).
std::string date_string(std::int64_t unix_ms);

// What one server_stats says of this server.
struct stats_input {
    std::string server_id;
    std::string hostname;
    std::int64_t pid = 0;
    double uptime_seconds = 0;
    std::size_t clients_count = 0;
    std::size_t polling_clients_count = 0;
    std::vector<aggregated_event> events;
    std::vector<std::pair<std::string, std::size_t>> namespaces; // name, sockets
};

// {serverId, hostname, pid, uptime, clientsCount, pollingClientsCount, aggregatedEvents,
// namespaces: [{name, socketsCount}]}.
json server_stats(stats_input const& in);

} // namespace kibitz::admin
