#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kibitz::bench {

// The client side of RFC 6455 framing, sans I/O: what a browser sends (masked frames) and what
// it reads (unmasked frames). The server's codec (kibitz::engineio ws_codec) expects the
// opposite, so the bench tool has its own.

// Appends one masked, final frame with `opcode` (1 text, 9 ping, 10 pong, 8 close) to `out`;
// its payload is `head` then `body` (so "4" + a Socket.IO packet needs no temporary).
// Section 5.3: a client masks every frame with a key of its own choosing; `mask_key` is it.
void append_masked_frame(std::string& out, std::uint8_t opcode, std::string_view head,
                         std::string_view body, std::uint32_t mask_key);

// One frame read from the server.
struct server_frame {
    enum class kind { need_more, text, binary, ping, pong, close, error } what = kind::need_more;
    std::string_view payload; // points into the buffer given to next_server_frame()
};

// Reads the frame at the start of [data, data + size). Sets `used` to its whole length, or to 0
// when the frame is not complete yet (kind::need_more). A masked or fragmented frame from the
// server, or one longer than `max_payload`, is kind::error: the bench servers send neither.
server_frame next_server_frame(char const* data, std::size_t size, std::size_t& used,
                               std::size_t max_payload);

} // namespace kibitz::bench
