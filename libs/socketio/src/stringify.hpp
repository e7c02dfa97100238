#pragma once

#include <kibitz/socketio/packet.hpp>
#include <kibitz/util/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace kibitz::socketio::detail {

// append_json, except that each binary value becomes {"_placeholder":true,"num":N} and its bytes
// are appended to `attachments` as number N (socket.io-parser lib/binary.ts, deconstructPacket).
void append_json_extracting(std::string& out, json const& value,
                            std::vector<std::string>& attachments);

// `text` with each byte that starts no well-formed UTF-8 sequence replaced by U+FFFD (so that a
// json string of it can be dump()ed); valid text comes back unchanged.
std::string valid_utf8(std::string_view text);

// Appends encode(p).text to `out` when `p` carries no binary (true); false, and nothing
// appended, when it does (use encode() then). Lets a caller encode into a buffer it reuses.
bool append_plain_packet(std::string& out, packet const& p);

} // namespace kibitz::socketio::detail
