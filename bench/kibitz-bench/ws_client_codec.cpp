#include "ws_client_codec.hpp"

namespace kibitz::bench {

void append_masked_frame(std::string& out, std::uint8_t opcode, std::string_view head,
                         std::string_view body, std::uint32_t mask_key) {
    auto const n = head.size() + body.size();
    out.push_back(static_cast<char>(0x80 | opcode));
    // Section 5.2: 7-bit length, or 126 and 16 bits, or 127 and 64 bits; the mask bit is set.
    if (n < 126) {
        out.push_back(static_cast<char>(0x80 | n));
    } else if (n <= 0xffff) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>((n >> 8) & 0xff));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff));
    }
    char key[4] = {static_cast<char>(mask_key >> 24), static_cast<char>(mask_key >> 16),
                   static_cast<char>(mask_key >> 8), static_cast<char>(mask_key)};
    out.append(key, 4);
    auto start = out.size();
    out.append(head).append(body);
    for (std::size_t i = 0; i < n; ++i)
        out[start + i] = static_cast<char>(out[start + i] ^ key[i & 3]);
}

server_frame next_server_frame(char const* data, std::size_t size, std::size_t& used,
                               std::size_t max_payload) {
    using kind = server_frame::kind;
    used = 0;
    if (size < 2) return {};
    auto const b0 = static_cast<std::uint8_t>(data[0]);
    auto const b1 = static_cast<std::uint8_t>(data[1]);
    // A server never masks (section 5.1); the bench servers never fragment.
    if ((b1 & 0x80) != 0 || (b0 & 0x80) == 0) return {kind::error, {}};
    std::size_t header = 2;
    std::uint64_t length = b1 & 0x7f;
    if (length == 126) {
        if (size < 4) return {};
        length = (static_cast<std::uint64_t>(static_cast<std::uint8_t>(data[2])) << 8) |
                 static_cast<std::uint8_t>(data[3]);
        header = 4;
    } else if (length == 127) {
        if (size < 10) return {};
        length = 0;
        for (int i = 2; i < 10; ++i)
            length = (length << 8) | static_cast<std::uint8_t>(data[i]);
        header = 10;
    }
    if (length > max_payload) return {kind::error, {}};
    if (size - header < length) return {};
    used = header + static_cast<std::size_t>(length);
    std::string_view payload(data + header, static_cast<std::size_t>(length));
    switch (b0 & 0x0f) {
    case 1:
        return {kind::text, payload};
    case 2:
        return {kind::binary, payload};
    case 8:
        return {kind::close, payload};
    case 9:
        return {kind::ping, payload};
    case 10:
        return {kind::pong, payload};
    default:
        return {kind::error, {}};
    }
}

} // namespace kibitz::bench
