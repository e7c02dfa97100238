#pragma once

#include <kibitz/util/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kibitz::engineio {

// RFC 6455 section 5.2 opcodes.
enum class ws_opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// RFC 6455 section 7.4.1 close codes used by the server.
namespace ws_close_code {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t no_status = 1005;
constexpr std::uint16_t invalid_payload = 1007; // e.g. a text message that is not UTF-8
constexpr std::uint16_t policy_violation = 1008;
constexpr std::uint16_t too_big = 1009;
constexpr std::uint16_t internal_error = 1011;
} // namespace ws_close_code

// The header of an unmasked server frame with FIN set (server frames are never masked).
std::string ws_frame_header(ws_opcode opcode, std::size_t payload_size);

// A complete unmasked server frame.
std::string ws_frame(ws_opcode opcode, std::string_view payload);

// A close frame with a status code and a reason (at most 123 bytes of it are kept).
std::string ws_close_frame(std::uint16_t code, std::string_view reason = {});

// The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 section 4.2.2).
std::string ws_accept_key(std::string_view key);

// One thing the reader found in the bytes it was given.
struct ws_event {
    enum class kind {
        need_more, // not a whole frame yet: read more bytes
        text,      // a complete text message (valid UTF-8) in `data`
        binary,    // a complete binary message in `data`
        ping,      // a ping with its payload in `data`: answer with a pong
        pong,      // a pong: nothing to do
        close,     // the peer's close frame: `code` and `data` (reason)
        error,     // a protocol violation: close the connection with `code`
    };
    kind what = kind::need_more;
    std::string_view data;
    std::uint16_t code = 0;
};

// Parses client-to-server WebSocket frames (RFC 6455 section 5) without I/O.
// The caller keeps its received bytes in one buffer and calls next() with all unconsumed bytes;
// next() unmasks in place, reports how many bytes it consumed, and returns one event. `data`
// points into the caller's buffer or into the reader's own fragment buffer and is valid until
// the caller changes its buffer or calls next() again.
// Limits: a message (all its fragments) over `max_message_size`, or in more than
// `max_frames_per_message` frames, is error 1009; unmasked client
// frames, reserved bits, unknown opcodes, fragmented or oversized control frames and a
// continuation without a start are 1002; a text message that is not UTF-8 is 1007.
// With `deflate` (permessage-deflate negotiated, RFC 7692, no context takeover), RSV1 on the
// first frame of a data message marks it compressed: its frames are gathered (compressed, at
// most max_message_size + 1/8 of it + 1 KiB) and inflated once the last one arrives, stopping
// past max_message_size (1009, however small the compressed form); data that does not inflate
// is 1007. RSV1 anywhere else (a continuation, a control frame, or without `deflate`) is 1002.
class ws_reader {
public:
    // Frames one message may come in (an empty continuation costs a frame like any other).
    static constexpr std::size_t default_max_frames_per_message = 1024;
    // A fragment buffer that grew past this is released once its message is delivered.
    static constexpr std::size_t fragment_keep_bytes = 4096;

    explicit ws_reader(std::size_t max_message_size,
                       std::size_t max_frames_per_message = default_max_frames_per_message,
                       bool deflate = false)
        : max_message_size_(max_message_size), max_frames_(max_frames_per_message),
          deflate_(deflate) {}

    // Bytes the reader holds for a message still being reassembled (its buffers' capacity).
    std::size_t buffered_capacity() const { return fragments_.capacity() + inflated_.capacity(); }

    ws_event next(char* data, std::size_t size, std::size_t& consumed);

private:
    ws_event on_frame(ws_opcode opcode, bool fin, bool compressed, std::string_view payload);
    ws_event on_close_frame(std::string_view payload);
    ws_event complete(std::string_view message);

    std::size_t max_message_size_;
    std::size_t max_frames_;
    std::size_t frames_ = 0; // frames of the message being reassembled
    bool deflate_ = false;
    bool in_message_ = false;
    bool message_binary_ = false;
    bool message_compressed_ = false;
    std::string fragments_;
    std::string inflated_; // the last compressed message, inflated
    util::utf8_validator utf8_;
};

} // namespace kibitz::engineio
