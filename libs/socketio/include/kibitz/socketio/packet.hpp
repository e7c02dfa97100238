#pragma once

#include <kibitz/util/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::socketio {

// Socket.IO v5 packet types (socket.io-protocol README, "Exchange protocol").
enum class packet_type : std::uint8_t {
    connect = 0,
    disconnect = 1,
    event = 2,
    ack = 3,
    connect_error = 4,
    binary_event = 5,
    binary_ack = 6,
};

// The largest ack id: JavaScript's Number.MAX_SAFE_INTEGER (2^53 - 1), beyond which a Node peer
// cannot represent the id exactly.
inline constexpr std::uint64_t max_ack_id = 9'007'199'254'740'991;

// One Socket.IO packet as the application sees it. `data` is the payload; a null `data` means
// "no payload" (socket.io-parser never sends a null payload and never accepts one, so nothing is
// lost). Binary attachments live inside `data` as json::binary_t values, wherever they sit in
// the tree. The decoder always yields `event`/`ack` for binary packets (as socket.io-parser
// does); the encoder picks `binary_event`/`binary_ack` when `data` holds binary values.
struct packet {
    packet_type type = packet_type::event;
    std::string nsp = "/";
    std::optional<std::uint64_t> id;
    json data;

    bool has_data() const noexcept { return !data.is_null(); }
    friend bool operator==(packet const&, packet const&) = default;
};

// The packet format on the wire (server_options::parser): socket.io-parser's JSON text with
// binary attachments (the default, as in Node), or npm socket.io-msgpack-parser's MessagePack
// (msgpack_parser.hpp). One per server: every client of it must use the same.
enum class parser_kind : std::uint8_t { json, msgpack };

// The name of a packet type as socket.io-parser spells it ("CONNECT", "BINARY_EVENT", ...).
std::string_view to_string(packet_type type) noexcept;

} // namespace kibitz::socketio
