#pragma once

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

} // namespace kibitz::socketio::detail
