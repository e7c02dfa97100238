#include "ws_deflate.hpp"

#include <kibitz/engineio/ws_codec.hpp>
#include <kibitz/util/base64.hpp>
#include <kibitz/util/sha1.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace kibitz::engineio {

std::string ws_frame_header(ws_opcode opcode, std::size_t payload_size) {
    // RFC 6455 section 5.2: FIN|opcode, then a 7-bit length, or 126 + 16 bits, or 127 + 64 bits.
    std::string h;
    h += static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));
    if (payload_size < 126) {
        h += static_cast<char>(payload_size);
    } else if (payload_size <= 0xFFFF) {
        h += static_cast<char>(126);
        h += static_cast<char>(payload_size >> 8);
        h += static_cast<char>(payload_size & 0xFF);
    } else {
        h += static_cast<char>(127);
        for (int i = 7; i >= 0; --i)
            h += static_cast<char>((static_cast<std::uint64_t>(payload_size) >> (8 * i)) & 0xFF);
    }
    return h;
}

std::string ws_frame(ws_opcode opcode, std::string_view payload) {
    std::string f = ws_frame_header(opcode, payload.size());
    f += payload;
    return f;
}

std::string ws_close_frame(std::uint16_t code, std::string_view reason) {
    // A control frame carries at most 125 bytes: cut the reason at a code point boundary.
    auto cut = std::min<std::size_t>(reason.size(), 123);
    while (cut > 0 && cut < reason.size() &&
           (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80)
        --cut;
    std::string payload;
    payload += static_cast<char>(code >> 8);
    payload += static_cast<char>(code & 0xFF);
    payload += reason.substr(0, cut);
    return ws_frame(ws_opcode::close, payload);
}

std::string ws_accept_key(std::string_view key) {
    std::string input(key);
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    auto digest = util::sha1(input);
    return util::base64_encode(
        std::string_view(reinterpret_cast<char const*>(digest.data()), digest.size()));
}

ws_event ws_reader::next(char* data, std::size_t size, std::size_t& consumed) {
    using kind = ws_event::kind;
    consumed = 0;
    // The last message was delivered from fragments_ and is no longer looked at: a buffer
    // that grew for a large fragmented message is released, not kept at its high-water mark.
    if (!in_message_ && fragments_.capacity() > fragment_keep_bytes) std::string().swap(fragments_);
    if (inflated_.capacity() > fragment_keep_bytes) std::string().swap(inflated_);
    if (size < 2) return {};
    auto b0 = static_cast<std::uint8_t>(data[0]);
    auto b1 = static_cast<std::uint8_t>(data[1]);
    bool fin = b0 & 0x80;
    bool rsv1 = b0 & 0x40;
    auto opcode = static_cast<ws_opcode>(b0 & 0x0F);
    // Section 5.2: reserved bits belong to a negotiated extension. RSV1 is permessage-deflate's,
    // on the first frame of a data message only (RFC 7692 section 6); RSV2, RSV3 are no one's.
    bool first_data = opcode == ws_opcode::text || opcode == ws_opcode::binary;
    if ((b0 & 0x30) || (rsv1 && (!deflate_ || !first_data)))
        return {kind::error, {}, ws_close_code::protocol_error};
    // Section 5.3: every client-to-server frame is masked.
    if (!(b1 & 0x80)) return {kind::error, {}, ws_close_code::protocol_error};
    std::uint64_t length = b1 & 0x7F;
    std::size_t pos = 2;
    if (length == 126) {
        if (size < 4) return {};
        length = (static_cast<std::uint8_t>(data[2]) << 8) | static_cast<std::uint8_t>(data[3]);
        pos = 4;
    } else if (length == 127) {
        if (size < 10) return {};
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | static_cast<std::uint8_t>(data[2 + i]);
        // Section 5.2: the most significant bit of a 64-bit length must be 0.
        if (length >> 63) return {kind::error, {}, ws_close_code::protocol_error};
        pos = 10;
    }
    // Refuse an oversized frame from its header, before its bytes arrive (no sum that wraps).
    bool is_data = opcode == ws_opcode::text || opcode == ws_opcode::binary ||
                   opcode == ws_opcode::continuation;
    if (!is_data && length > 125) return {kind::error, {}, ws_close_code::protocol_error};
    std::uint64_t so_far = in_message_ ? fragments_.size() : 0;
    // A compressed message is bounded by its inflated size; its compressed form may be a little
    // larger than the message itself (stored blocks).
    bool compressed = first_data ? rsv1 : in_message_ && message_compressed_;
    std::uint64_t limit = max_message_size_;
    std::uint64_t slack = max_message_size_ / 8 + 1024;
    if (compressed) limit = limit > UINT64_MAX - slack ? UINT64_MAX : limit + slack;
    if (is_data && (length > limit || so_far > limit - length))
        return {kind::error, {}, ws_close_code::too_big};
    if (size - pos < 4 || size - pos - 4 < length) return {};
    char const* mask = data + pos;
    pos += 4;
    char* payload = data + pos;
    for (std::uint64_t i = 0; i < length; ++i)
        payload[i] ^= mask[i & 3];
    consumed = pos + static_cast<std::size_t>(length);
    return on_frame(opcode, fin, rsv1, std::string_view(payload, static_cast<std::size_t>(length)));
}

ws_event ws_reader::complete(std::string_view message) {
    // The whole of a compressed message: inflated within the limit, then checked as any other.
    using kind = ws_event::kind;
    switch (detail::inflate_message(message, max_message_size_, inflated_)) {
    case detail::inflate_result::too_big:
        std::string().swap(inflated_);
        return {kind::error, {}, ws_close_code::too_big};
    case detail::inflate_result::invalid:
        return {kind::error, {}, ws_close_code::invalid_payload};
    case detail::inflate_result::ok:
        break;
    }
    if (message_binary_) return {kind::binary, inflated_, 0};
    if (!util::is_valid_utf8(inflated_)) return {kind::error, {}, ws_close_code::invalid_payload};
    return {kind::text, inflated_, 0};
}

ws_event ws_reader::on_frame(ws_opcode opcode, bool fin, bool compressed,
                             std::string_view payload) {
    using kind = ws_event::kind;
    switch (opcode) {
    case ws_opcode::ping:
    case ws_opcode::pong:
    case ws_opcode::close:
        // Section 5.5: control frames are not fragmented and carry at most 125 bytes.
        if (!fin || payload.size() > 125) return {kind::error, {}, ws_close_code::protocol_error};
        if (opcode == ws_opcode::close) return on_close_frame(payload);
        return {opcode == ws_opcode::ping ? kind::ping : kind::pong, payload, 0};
    case ws_opcode::text:
    case ws_opcode::binary:
        if (in_message_) return {kind::error, {}, ws_close_code::protocol_error};
        message_binary_ = opcode == ws_opcode::binary;
        message_compressed_ = compressed;
        utf8_.reset();
        if (fin) {
            if (compressed) return complete(payload);
            if (message_binary_) return {kind::binary, payload, 0};
            if (!util::is_valid_utf8(payload))
                return {kind::error, {}, ws_close_code::invalid_payload};
            return {kind::text, payload, 0};
        }
        in_message_ = true;
        frames_ = 1;
        fragments_.assign(payload);
        break;
    case ws_opcode::continuation:
        if (!in_message_) return {kind::error, {}, ws_close_code::protocol_error};
        // Empty continuations cost nothing in bytes: count the frames too.
        if (++frames_ > max_frames_) return {kind::error, {}, ws_close_code::too_big};
        fragments_ += payload;
        break;
    default:
        return {kind::error, {}, ws_close_code::protocol_error};
    }
    // Section 8.1: fail fast on text that can no longer become valid UTF-8 (compressed text is
    // checked once inflated).
    if (!message_binary_ && !message_compressed_ && !utf8_.feed(payload))
        return {kind::error, {}, ws_close_code::invalid_payload};
    if (!fin) return {kind::need_more, {}, 0};
    in_message_ = false;
    if (message_compressed_) return complete(fragments_);
    if (!message_binary_ && !utf8_.complete())
        return {kind::error, {}, ws_close_code::invalid_payload};
    return {message_binary_ ? kind::binary : kind::text, fragments_, 0};
}

ws_event ws_reader::on_close_frame(std::string_view payload) {
    using kind = ws_event::kind;
    // Section 5.5.1: an empty close, or a 2-byte code and a UTF-8 reason.
    if (payload.empty()) return {kind::close, {}, ws_close_code::no_status};
    if (payload.size() == 1) return {kind::error, {}, ws_close_code::protocol_error};
    auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                           static_cast<std::uint8_t>(payload[1]));
    // Section 7.4: only these codes may be sent by an endpoint.
    bool valid_code = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                      (code >= 3000 && code <= 4999);
    if (!valid_code) return {kind::error, {}, ws_close_code::protocol_error};
    auto reason = payload.substr(2);
    if (!util::is_valid_utf8(reason)) return {kind::error, {}, ws_close_code::invalid_payload};
    return {kind::close, reason, code};
}

} // namespace kibitz::engineio
