#include "stringify.hpp"

#include <kibitz/socketio/encoder.hpp>

#include <charconv>

namespace kibitz::socketio {
namespace {

void append_id(std::string& out, std::uint64_t id) {
    char buf[24];
    auto const r = std::to_chars(buf, buf + sizeof buf, id);
    out.append(buf, r.ptr);
}

// socket.io-parser encodeAsString: type digit, then "<attachments>-" for binary types, then the
// namespace and a comma unless it is "/", then the ack id.
void append_header(std::string& out, packet_type type, std::size_t attachments,
                   std::string_view nsp, std::optional<std::uint64_t> id) {
    out += static_cast<char>('0' + static_cast<int>(type));
    if (type == packet_type::binary_event || type == packet_type::binary_ack) {
        append_id(out, attachments);
        out += '-';
    }
    if (!nsp.empty() && nsp != "/") {
        out += nsp;
        out += ',';
    }
    if (id) append_id(out, *id);
}

// socket.io-parser only looks for binary in EVENT and ACK packets.
bool may_carry_attachments(packet_type type) {
    return type == packet_type::event || type == packet_type::ack ||
           type == packet_type::binary_event || type == packet_type::binary_ack;
}

packet_type binary_type_of(packet_type type) {
    bool const is_event = type == packet_type::event || type == packet_type::binary_event;
    return is_event ? packet_type::binary_event : packet_type::binary_ack;
}

packet_type plain_type_of(packet_type type) {
    if (type == packet_type::binary_event) return packet_type::event;
    if (type == packet_type::binary_ack) return packet_type::ack;
    return type;
}

} // namespace

bool has_binary(json const& value) noexcept {
    switch (value.type()) {
    case json::value_t::binary:
        return true;
    // get_ptr, not get_ref: the type is known here, and get_ptr cannot throw.
    case json::value_t::array:
        for (auto const& element : *value.get_ptr<json::array_t const*>()) {
            if (has_binary(element)) return true;
        }
        return false;
    case json::value_t::object:
        for (auto const& entry : *value.get_ptr<json::object_t const*>()) {
            if (has_binary(entry.second)) return true;
        }
        return false;
    default:
        return false;
    }
}

encoded_packet encode(packet const& p) {
    encoded_packet out;
    if (may_carry_attachments(p.type) && has_binary(p.data)) {
        // The count goes before the body, so write the body aside first.
        std::string body;
        detail::append_json_extracting(body, p.data, out.attachments);
        append_header(out.text, binary_type_of(p.type), out.attachments.size(), p.nsp, p.id);
        out.text += body;
        return out;
    }
    append_header(out.text, plain_type_of(p.type), 0, p.nsp, p.id);
    if (p.has_data()) append_json(out.text, p.data);
    return out;
}

bool detail::append_plain_packet(std::string& out, packet const& p) {
    if (may_carry_attachments(p.type) && has_binary(p.data)) return false;
    append_header(out, plain_type_of(p.type), 0, p.nsp, p.id);
    if (p.has_data()) append_json(out, p.data);
    return true;
}

std::string encode_event_text(std::string_view nsp, json const& payload,
                              std::optional<std::uint64_t> id) {
    std::string out;
    append_header(out, packet_type::event, 0, nsp, id);
    append_json(out, payload);
    return out;
}

std::string_view to_string(packet_type type) noexcept {
    switch (type) {
    case packet_type::connect:
        return "CONNECT";
    case packet_type::disconnect:
        return "DISCONNECT";
    case packet_type::event:
        return "EVENT";
    case packet_type::ack:
        return "ACK";
    case packet_type::connect_error:
        return "CONNECT_ERROR";
    case packet_type::binary_event:
        return "BINARY_EVENT";
    case packet_type::binary_ack:
        return "BINARY_ACK";
    }
    return "UNKNOWN";
}

} // namespace kibitz::socketio
