#pragma once

#include <kibitz/socketio/decoder.hpp>

#include <optional>

namespace kibitz::socketio::detail {

// The payload rules of every parser (socket.io-parser 4.2.4's isPayloadValid, made stricter):
// CONNECT carries nothing or an object, DISCONNECT nothing, CONNECT_ERROR a string or an object;
// EVENT needs an array whose first element is a string event name, not a reserved one when the
// limits say so; ACK needs an array. nullopt when `p` passes.
std::optional<decode_error> check_payload(packet const& p, decoder_limits const& limits);

} // namespace kibitz::socketio::detail
