#pragma once

#include <kibitz/socketio/decoder.hpp>
#include <kibitz/socketio/packet.hpp>

#include <string>
#include <string_view>

namespace kibitz::socketio {

// The wire of npm socket.io-msgpack-parser 3.x (a client opts in with `parser: msgpackParser`;
// a server chooses it with server_options::parser): every packet is one binary Engine.IO message
// holding a MessagePack map {type, data, nsp, id} as notepack.io writes it. Binary values are
// MessagePack bin inside `data`: no attachments and no BINARY_* types (a packet with binary data
// is an EVENT or ACK). Text messages are not part of this wire.

// The bytes of `p` (`data` left out when null, `id` when empty; a binary_event/binary_ack is
// written as the event/ack it is). Never throws but bad_alloc.
std::string encode_msgpack(packet const& p);

// Decodes one message under `limits` (nesting, values, the same payload rules as the JSON
// decoder: a string event name, not a reserved one, ...). `type` must be an integer 0..4, `nsp`
// a string ("/" when empty), `id` absent, null or an integer 0..2^53-1; other keys are ignored.
// Any malformed input is an error value (invalid_payload for MessagePack that does not read),
// never an exception but bad_alloc. Stateless: every message stands alone.
decode_result decode_msgpack(std::string_view bytes, decoder_limits const& limits);

} // namespace kibitz::socketio
