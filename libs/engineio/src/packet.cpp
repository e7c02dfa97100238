#include "ws_deflate.hpp"

#include <kibitz/engineio/packet.hpp>
#include <kibitz/engineio/ws_codec.hpp>
#include <kibitz/util/base64.hpp>

namespace kibitz::engineio {

namespace {
bool is_packet_type(char c) {
    return c >= '0' && c <= '6';
}
} // namespace

std::optional<packet> decode_text_packet(std::string_view text, bool allow_base64) {
    if (text.empty()) return std::nullopt;
    // Engine.IO v4: over polling a binary message is 'b' followed by its base64 encoding.
    if (text[0] == 'b') {
        if (!allow_base64) return std::nullopt;
        auto bytes = util::base64_decode(text.substr(1));
        if (!bytes) return std::nullopt;
        return packet{packet_type::message, true, std::move(*bytes)};
    }
    if (!is_packet_type(text[0])) return std::nullopt;
    return packet{static_cast<packet_type>(text[0]), false, std::string(text.substr(1))};
}

std::optional<std::vector<packet>> decode_payload(std::string_view body) {
    // Engine.IO v4: packets in a polling payload are separated by '\x1e'.
    std::vector<packet> out;
    while (true) {
        auto end = body.find('\x1e');
        auto p = decode_text_packet(body.substr(0, end), true);
        if (!p) return std::nullopt;
        out.push_back(std::move(*p));
        if (end == std::string_view::npos) break;
        body.remove_prefix(end + 1);
    }
    return out;
}

void append_polling(packet const& p, std::string& out) {
    if (p.binary) {
        out += 'b';
        util::base64_encode_append(p.data, out);
        return;
    }
    out += static_cast<char>(p.type);
    out += p.data;
}

outgoing::outgoing(packet_type type, bool binary, std::string_view data)
    : type_(type), binary_(binary) {
    std::size_t payload_size = data.size() + (binary ? 0 : 1);
    frame_ = ws_frame_header(binary ? ws_opcode::binary : ws_opcode::text, payload_size);
    header_size_ = frame_.size();
    frame_.reserve(header_size_ + payload_size);
    if (!binary) frame_ += static_cast<char>(type);
    frame_ += data;
}

std::string_view outgoing::polling() const {
    if (!binary_) return payload();
    if (polling_.empty()) {
        polling_ += 'b';
        util::base64_encode_append(payload(), polling_);
    }
    return polling_;
}

std::string_view outgoing::ws_frame_deflated(std::size_t threshold) const {
    if (!deflate_tried_) {
        deflate_tried_ = true;
        auto body = payload();
        auto packed = body.size() >= threshold ? detail::deflate_message(body) : std::nullopt;
        if (packed && packed->size() < body.size()) {
            deflated_ =
                ws_frame_header(binary_ ? ws_opcode::binary : ws_opcode::text, packed->size());
            deflated_[0] = static_cast<char>(deflated_[0] | 0x40); // RSV1: compressed
            deflated_ += *packed;
        }
    }
    return deflated_.empty() ? ws_frame() : std::string_view(deflated_);
}

outgoing_ptr make_message(std::string_view text) {
    return std::make_shared<outgoing const>(packet_type::message, false, text);
}

outgoing_ptr make_binary(std::string_view bytes) {
    return std::make_shared<outgoing const>(packet_type::message, true, bytes);
}

outgoing_ptr make_packet(packet_type type, std::string_view data) {
    return std::make_shared<outgoing const>(type, false, data);
}

} // namespace kibitz::engineio
