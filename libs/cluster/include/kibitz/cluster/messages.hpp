#pragma once

#include <kibitz/msgpack/reader.hpp>
#include <kibitz/socketio/adapter.hpp>
#include <kibitz/socketio/packet.hpp>
#include <kibitz/util/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

// The messages of Node's classic @socket.io/redis-adapter 8.3.0 (lib/index.ts), byte for byte
// as docs/cluster.md captured them: channel names, broadcasts `[uid, packet, opts]` in msgpack,
// requests and responses in JSON or msgpack. Pure: no I/O, no clock; any thread.
namespace kibitz::cluster {

// Why a message from Redis was dropped (besides the msgpack reader's own read_error).
enum class message_error : std::uint8_t {
    invalid_json = 1, // JSON text that does not parse, or nests deeper than the limits
    invalid_shape,    // not the array / object of fields the protocol has
};

std::error_category const& message_category() noexcept;
std::error_code make_error_code(message_error e) noexcept;

// RequestType of lib/index.ts.
enum class request_type : std::uint8_t {
    sockets = 0,
    all_rooms = 1,
    remote_join = 2,
    remote_leave = 3,
    remote_disconnect = 4,
    remote_fetch = 5,
    server_side_emit = 6,
    broadcast = 7,
    broadcast_client_count = 8,
    broadcast_ack = 9,
};

// The channels of one namespace under one prefix (docs/cluster.md).
struct channels {
    std::string broadcast; // "<prefix>#<nsp>#": broadcasts to 0 or >= 2 rooms
    std::string pattern;   // PSUBSCRIBE pattern of the broadcasts, glob characters escaped
    std::string request;   // "<prefix>-request#<nsp>#": PUBSUB NUMSUB of it = server count
    std::string response;  // "<prefix>-response#<nsp>#"

    static channels make(std::string_view prefix, std::string_view nsp);
    // "<prefix>-response#<nsp>#<uid>#": answers addressed to the server `uid`.
    std::string response_to(std::string_view uid) const;
    // Where a broadcast to `opts` goes: the room's channel for exactly one room.
    std::string broadcast_to(socketio::broadcast_options const& opts) const;
    // The room a broadcast channel names: "" for the namespace channel, nullopt when the channel
    // is not one of this namespace's.
    std::optional<std::string> room_of(std::string_view channel) const;
};

// Limits on one message read from Redis.
struct message_limits {
    msgpack::reader_limits msgpack;
    // JSON nesting (the msgpack reader's max_depth holds for msgpack).
    std::size_t max_json_depth = 32;
};

// A broadcast as received: the sender's uid, the EVENT packet (nsp "/" when absent) and which
// sockets it is for (rooms, except, volatile, ack timeout from flags).
struct broadcast_message {
    std::string uid;
    socketio::packet packet;
    socketio::broadcast_options opts;
};

// `[uid, {type, data, nsp}, {rooms, except, flags}]` as notepack writes it; flags hold
// `volatile: true` and `timeout` (ms) when set. The packet's ack id is not sent (Node's isn't).
std::string encode_broadcast(std::string_view uid, socketio::packet const& p,
                             socketio::broadcast_options const& opts);
// A broadcast with ack (request type 7), msgpack as Node sends it: {uid, requestId, type: 7,
// packet {type, data, nsp}, opts {rooms, except, flags}}.
std::string encode_broadcast_request(std::string_view uid, std::string_view request_id,
                                     socketio::packet const& p,
                                     socketio::broadcast_options const& opts);
// The opts object `{rooms, except, flags}` as JSON, for requests (without flags: Node's
// REMOTE_JOIN/LEAVE/DISCONNECT/FETCH send none).
json encode_opts(socketio::broadcast_options const& opts, bool with_flags);
std::error_code decode_broadcast(std::string_view bytes, broadcast_message& out,
                                 message_limits const& limits = {});

// Reads a request or response: JSON when the first byte is '{', msgpack otherwise (Node's
// rule); it must be an object.
std::error_code decode_object(std::string_view bytes, json& out, message_limits const& limits = {});

// One request of another server, its fields checked for the type it has.
struct request {
    request_type type = request_type::sockets;
    std::string uid;
    std::string request_id;           // empty when there is none
    socketio::broadcast_options opts; // 2, 3, 4, 5, 7 (and 0's rooms)
    std::vector<std::string> rooms;   // 2, 3: the rooms to join / leave
    bool close = false;               // 4
    bool legacy = false;              // 2, 3, 4 in the form {sid, room}
    std::string sid;                  // legacy form
    std::string room;                 // legacy form
    json data;                        // 6: [event, args...]
    socketio::packet packet;          // 7
};
std::error_code parse_request(json const& obj, request& out);

// An object to send: its fields in the order given. JSON text, unless a value holds binary,
// then msgpack (JSON.stringify would turn a Buffer into {"type":"Buffer",...}; Node reads
// either, docs/cluster.md). `force_msgpack`: msgpack always (Node's 7 and 9).
using fields = std::vector<std::pair<std::string_view, json>>;
std::string encode_object(fields const& f, bool force_msgpack = false);

// A socket as REMOTE_FETCH answers it: {id, handshake{headers, time, address, xdomain, secure,
// issued, url, query, auth}, rooms, data}, as Node's fetchSockets fills it (the handshake's
// `time` and `xdomain` as socketio filled them).
json encode_socket(socketio::socket_info const& s);
std::optional<socketio::socket_info> parse_socket(json const& v);

// The sharded adapter (docs/cluster.md): socket.io-adapter 2.5's ClusterAdapter messages.
enum class sharded_type : std::uint8_t {
    initial_heartbeat = 1,
    heartbeat,
    broadcast,
    sockets_join,
    sockets_leave,
    disconnect_sockets,
    fetch_sockets,
    fetch_sockets_response,
    server_side_emit,
    server_side_emit_response,
    broadcast_client_count,
    broadcast_ack,
    adapter_close,
};

// `v` with its object keys in the order they iterate (sorted), as an ordered_json.
nlohmann::ordered_json to_ordered(json const& v);
// {type, data, uid, nsp} as Node's sharded adapter writes it: JSON, or msgpack when `data` holds
// binary and the type may carry it (3, 8, 9, 10, 12).
std::string encode_envelope(sharded_type type, nlohmann::ordered_json const& data,
                            std::string_view uid, std::string_view nsp);
// {type, data, uid, nsp} in msgpack, as @msgpack/msgpack writes the streams adapter's
// ephemeral messages and responses (`data` null: no data key).
std::string encode_msgpack_envelope(sharded_type type, nlohmann::ordered_json const& data,
                                    std::string_view uid, std::string_view nsp);
// `data` holds binary and `type` may carry it (3, 8, 9, 10, 12): msgpack rather than JSON.
bool carries_binary(sharded_type type, nlohmann::ordered_json const& data);
// {rooms, except, flags} (ClusterAdapter's encodeOptions).
nlohmann::ordered_json encode_sharded_opts(socketio::broadcast_options const& opts);
// A received {packet, opts} of a BROADCAST: the EVENT packet and its options.
bool read_sharded_broadcast(json const& data, socketio::packet& p, socketio::broadcast_options& o);
// {rooms, except, flags} as received (null: every socket).
bool read_broadcast_opts(json const& v, socketio::broadcast_options& out);
// The room list of `v` (strings, numbers as decimal text), false if it is not one.
bool read_room_list(json const& v, std::set<std::string>& out);

} // namespace kibitz::cluster

template<>
struct std::is_error_code_enum<kibitz::cluster::message_error> : std::true_type {};
