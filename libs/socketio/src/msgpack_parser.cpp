#include <kibitz/socketio/msgpack_parser.hpp>

#include "payload_check.hpp"
#include <kibitz/msgpack/reader.hpp>
#include <kibitz/msgpack/writer.hpp>

#include <cstddef>
#include <cstdint>

namespace kibitz::socketio {
namespace {

// notepack.io writes JavaScript's `undefined` as fixext 1 of type 0 holding 0 (d4 00 00), which
// the reader gives as a one-byte binary of subtype 0; socket.io-client sends it as the `data` of
// a CONNECT without auth.
bool is_undefined(json const& v) {
    if (!v.is_binary()) return false;
    auto const& b = v.get_binary();
    return b.has_subtype() && b.subtype() == 0 && b.size() == 1 && b[0] == 0;
}

// Inside a payload, `undefined` becomes null, as JSON.stringify makes it in the JSON parser.
// Recursion is bounded by the reader's depth limit.
void undefined_to_null(json& v) {
    if (is_undefined(v)) {
        v = nullptr;
    } else if (v.is_array() || v.is_object()) {
        for (auto& item : v)
            undefined_to_null(item);
    }
}

decode_result refused(decode_error e) {
    decode_result r;
    r.status = decode_status::error;
    r.error = e;
    return r;
}

// `type` as socket.io-msgpack-parser accepts it: an integer CONNECT..CONNECT_ERROR.
std::optional<packet_type> read_type(json const& v) {
    if (!v.is_number_integer()) return std::nullopt;
    auto const t = v.get<std::int64_t>();
    if (t < 0 || t > static_cast<std::int64_t>(packet_type::connect_error)) return std::nullopt;
    return static_cast<packet_type>(t);
}

// `id`: absent or null (none), else an integer in 0..2^53-1.
bool read_id(json const& map, std::optional<std::uint64_t>& out) {
    auto const it = map.find("id");
    if (it == map.end() || it->is_null() || is_undefined(*it)) return true;
    if (!it->is_number_integer()) return false;
    if (it->is_number_unsigned()) {
        auto const v = it->get<std::uint64_t>();
        if (v > max_ack_id) return false;
        out = v;
        return true;
    }
    auto const v = it->get<std::int64_t>();
    if (v < 0 || static_cast<std::uint64_t>(v) > max_ack_id) return false;
    out = static_cast<std::uint64_t>(v);
    return true;
}

} // namespace

std::string encode_msgpack(packet const& p) {
    auto type = p.type;
    if (type == packet_type::binary_event) type = packet_type::event;
    if (type == packet_type::binary_ack) type = packet_type::ack;
    std::string out;
    msgpack::writer w(out);
    w.map_header(std::size_t{2} + (p.has_data() ? 1U : 0U) + (p.id ? 1U : 0U));
    w.string("type");
    w.integer(static_cast<std::int64_t>(type));
    if (p.has_data()) {
        w.string("data");
        w.value(p.data);
    }
    w.string("nsp");
    w.string(p.nsp.empty() ? std::string_view("/") : std::string_view(p.nsp));
    if (p.id) {
        w.string("id");
        w.unsigned_integer(*p.id);
    }
    return out;
}

decode_result decode_msgpack(std::string_view bytes, decoder_limits const& limits) {
    msgpack::reader_limits const read_limits{.max_bytes = bytes.size(),
                                             .max_depth = limits.max_depth + 1,
                                             .max_values = limits.max_values};
    json map;
    if (auto ec = msgpack::read(bytes, map, read_limits)) {
        if (ec == msgpack::read_error::too_deep) return refused(decode_error::nesting_too_deep);
        if (ec == msgpack::read_error::too_many_values)
            return refused(decode_error::too_many_values);
        return refused(decode_error::invalid_payload);
    }
    if (!map.is_object()) return refused(decode_error::invalid_type);
    auto const type_it = map.find("type");
    auto const type = type_it == map.end() ? std::nullopt : read_type(*type_it);
    if (!type) return refused(decode_error::invalid_type);
    auto const nsp_it = map.find("nsp");
    if (nsp_it == map.end() || !nsp_it->is_string())
        return refused(decode_error::invalid_namespace);
    decode_result r;
    r.pkt.type = *type;
    r.pkt.nsp = nsp_it->get<std::string>();
    if (r.pkt.nsp.empty()) r.pkt.nsp = "/";
    if (!read_id(map, r.pkt.id)) return refused(decode_error::invalid_ack_id);
    if (auto data = map.find("data"); data != map.end() && !is_undefined(*data)) {
        r.pkt.data = std::move(*data);
        undefined_to_null(r.pkt.data);
    }
    if (auto const e = detail::check_payload(r.pkt, limits)) return refused(*e);
    r.status = decode_status::packet;
    return r;
}

} // namespace kibitz::socketio
