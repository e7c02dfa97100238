#pragma once

#include <kibitz/socketio/packet.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::socketio {

// A packet on the wire: one text Engine.IO message, then one binary Engine.IO message per
// attachment, in placeholder order.
struct encoded_packet {
    std::string text;
    std::vector<std::string> attachments;

    friend bool operator==(encoded_packet const&, encoded_packet const&) = default;
};

// Encodes `p` as socket.io-parser 4.2.4's Encoder does:
// `<type>[<attachments>-][<nsp>,][<id>][<JSON payload>]` (socket.io-protocol README, "Format").
// An `event`/`ack` (or `binary_event`/`binary_ack`) whose data holds binary values becomes a
// BINARY_EVENT/BINARY_ACK (5/6): each binary value is replaced by {"_placeholder":true,"num":N},
// N counting in the depth-first order of the JSON text, and its bytes become attachment N. Without
// binary values it is a plain EVENT/ACK (2/3). The namespace is omitted when it is "/" or empty,
// the payload when `data` is null. Never throws on any `json` value (bad UTF-8 becomes U+FFFD).
encoded_packet encode(packet const& p);

// The text of an EVENT packet for the hot path (a broadcast encodes once): `payload` must be an
// array (event name first) with no binary values; a binary value would be written as Node's
// Buffer.toJSON() shape instead of an attachment.
std::string encode_event_text(std::string_view nsp, json const& payload,
                              std::optional<std::uint64_t> id);

// True when `value` holds a json::binary_t anywhere in its tree.
bool has_binary(json const& value) noexcept;

// Appends `value` to `out` as JavaScript's JSON.stringify writes it: compact, UTF-8 kept as is,
// control characters escaped as \b \f \n \r \t or \u00XX, numbers in Number#toString form
// (1.0 is "1", 1e21 is "1e+21", non-finite numbers are "null"), invalid UTF-8 replaced by
// U+FFFD, binary values as Node's Buffer.toJSON() ({"type":"Buffer","data":[...]}). Objects come
// out in nlohmann's key order (sorted), which is the only order a `json` object has.
void append_json(std::string& out, json const& value);

// append_json into a new string.
std::string stringify(json const& value);

} // namespace kibitz::socketio
