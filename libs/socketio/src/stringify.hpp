#pragma once

#include <kibitz/util/json.hpp>

#include <string>
#include <vector>

namespace kibitz::socketio::detail {

// append_json, except that each binary value becomes {"_placeholder":true,"num":N} and its bytes
// are appended to `attachments` as number N (socket.io-parser lib/binary.ts, deconstructPacket).
void append_json_extracting(std::string& out, json const& value,
                            std::vector<std::string>& attachments);

} // namespace kibitz::socketio::detail
