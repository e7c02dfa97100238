#pragma once

#include <kibitz/cluster/messages.hpp>
#include <kibitz/redis/value.hpp>
#include <kibitz/socketio/adapter.hpp>
#include <kibitz/util/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

// The messages of Node's @socket.io/redis-streams-adapter 0.3.1 (lib/adapter.ts, lib/util.ts),
// as docs/cluster.md captured them: durable ClusterAdapter messages (BROADCAST without ack,
// SOCKETS_JOIN, SOCKETS_LEAVE, DISCONNECT_SOCKETS) are stream entries `uid nsp type data`;
// the ephemeral ones (BROADCAST with ack, FETCH_SOCKETS, SERVER_SIDE_EMIT) and every response
// are msgpack envelopes published on "<prefix>#<nsp>#" and "<prefix>#<nsp>#<uid>#"; a session
// kept for connection state recovery is base64(msgpack {sid, pid, rooms, data}). Offsets are
// stream entry ids ("<ms>-<seq>"). Pure: no I/O, no clock; any thread.
namespace kibitz::cluster {

// One entry of the stream as read (XREAD, XRANGE), its fields decoded. (clang-tidy sees the
// implicit destructor of its json member as throwing: nlohmann's destroy() may allocate.)
struct stream_entry { // NOLINT(bugprone-exception-escape)
    std::string id;   // "<ms>-<seq>"
    std::string uid;  // the sender's
    std::string nsp;
    int type = 0; // sharded_type's numbers
    json data;    // null when the entry has none
};

// The field/value pairs XADD writes after the id: uid, nsp, type (decimal), data (the JSON text
// of `data`, or base64 of its msgpack when it holds binary and the type may carry it: 3, 8, 9,
// 10, 12). `data` null: no data field.
std::vector<std::string> encode_stream_fields(sharded_type type, nlohmann::ordered_json const& data,
                                              std::string_view uid, std::string_view nsp);
// Reads `[id, [field, value, ...]]`; the data as JSON when it starts with '{', else as base64
// of msgpack; within `limits`. invalid_shape for anything else (no nsp, a type that is not a
// number, fields not in pairs).
std::error_code decode_stream_entry(redis::value const& v, stream_entry& out,
                                    message_limits const& limits = {});

// The session as Node persists it: base64(msgpack {sid, pid, rooms: [sid first, then the
// others], data}); decode_session reads it back (nullopt: not one).
std::string encode_session(socketio::session_record const& s);
std::optional<socketio::session_record> decode_session(std::string_view text,
                                                       message_limits const& limits = {});

// A stream entry id "<ms>-<seq>" (Node's /^[0-9]+-[0-9]+$/, each part within 64 bits).
struct stream_id {
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;
    friend bool operator==(stream_id const&, stream_id const&) = default;
    friend bool operator<(stream_id const& a, stream_id const& b) {
        return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq);
    }
    friend bool operator>(stream_id const& a, stream_id const& b) { return b < a; }
};
std::optional<stream_id> parse_stream_id(std::string_view text);
std::string to_string(stream_id id);
// The id right after `id` (Node's nextOffset: exclusive ranges without Redis 6.2's "(").
stream_id next_id(stream_id id);

// Node's shouldIncludePacket: a broadcast to `opts` was meant for a socket in `rooms` (rooms
// empty, or one shared; no except room shared).
bool should_include(std::set<std::string> const& rooms, socketio::broadcast_options const& opts);

} // namespace kibitz::cluster
