// The stream entries, envelopes and sessions of @socket.io/redis-streams-adapter 0.3.1
// (docs/cluster.md).
#include <kibitz/cluster/streams_messages.hpp>
#include <kibitz/msgpack/writer.hpp>
#include <kibitz/util/base64.hpp>

#include <charconv>

namespace kibitz::cluster {

namespace {

using ordered = nlohmann::ordered_json;

bool parse_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// The data field: JSON text when it starts with '{', else base64 of msgpack (Node's decode).
std::error_code decode_data(std::string const& text, json& out, message_limits const& limits) {
    if (!text.empty() && text[0] == '{') return decode_object(text, out, limits);
    auto bytes = util::base64_decode(text);
    if (!bytes || bytes->empty() || (*bytes)[0] == '{') return message_error::invalid_shape;
    return decode_object(*bytes, out, limits);
}

} // namespace

std::vector<std::string> encode_stream_fields(sharded_type type, ordered const& data,
                                              std::string_view uid, std::string_view nsp) {
    std::vector<std::string> out = {"uid",  std::string(uid),
                                    "nsp",  std::string(nsp),
                                    "type", std::to_string(static_cast<int>(type))};
    if (data.is_null()) return out;
    out.emplace_back("data");
    if (carries_binary(type, data))
        out.push_back(util::base64_encode(msgpack::write(data)));
    else
        out.push_back(data.dump(-1, ' ', false, ordered::error_handler_t::replace));
    return out;
}

std::error_code decode_stream_entry(redis::value const& v, stream_entry& out,
                                    message_limits const& limits) {
    out = {};
    if (v.type != redis::type::array || v.elements.size() != 2 || !v.elements[0].is_string() ||
        v.elements[1].type != redis::type::array || v.elements[1].elements.size() % 2 != 0)
        return message_error::invalid_shape;
    out.id = v.elements[0].text;
    std::string type;
    std::string const* data = nullptr;
    auto const& kv = v.elements[1].elements;
    for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
        if (!kv[i].is_string() || !kv[i + 1].is_string()) return message_error::invalid_shape;
        auto const& key = kv[i].text;
        auto const& value = kv[i + 1].text;
        if (key == "uid")
            out.uid = value;
        else if (key == "nsp")
            out.nsp = value;
        else if (key == "type")
            type = value;
        else if (key == "data")
            data = &value;
    }
    std::uint64_t t = 0;
    if (out.nsp.empty() || !parse_u64(type, t) || t > 255) return message_error::invalid_shape;
    out.type = static_cast<int>(t);
    if (data && !data->empty()) return decode_data(*data, out.data, limits);
    return {};
}

std::string encode_session(socketio::session_record const& s) {
    ordered rooms = ordered::array();
    if (s.rooms.count(s.sid)) rooms.push_back(s.sid);
    for (auto const& r : s.rooms)
        if (r != s.sid) rooms.push_back(r);
    ordered v = {{"sid", s.sid}, {"pid", s.pid}, {"rooms", rooms}, {"data", to_ordered(s.data)}};
    return util::base64_encode(msgpack::write(v));
}

std::optional<socketio::session_record> decode_session(std::string_view text,
                                                       message_limits const& limits) {
    auto bytes = util::base64_decode(text);
    json v;
    if (!bytes || msgpack::read(*bytes, v, limits.msgpack) || !v.is_object()) return std::nullopt;
    auto sid = v.find("sid");
    auto pid = v.find("pid");
    auto rooms = v.find("rooms");
    if (sid == v.end() || !sid->is_string() || pid == v.end() || !pid->is_string())
        return std::nullopt;
    socketio::session_record out;
    out.sid = sid->get<std::string>();
    out.pid = pid->get<std::string>();
    if (rooms != v.end() && !read_room_list(*rooms, out.rooms)) return std::nullopt;
    if (auto data = v.find("data"); data != v.end()) out.data = *data;
    return out;
}

std::optional<stream_id> parse_stream_id(std::string_view text) {
    auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    stream_id id;
    if (!parse_u64(text.substr(0, dash), id.ms) || !parse_u64(text.substr(dash + 1), id.seq))
        return std::nullopt;
    return id;
}

std::string to_string(stream_id id) {
    return std::to_string(id.ms) + "-" + std::to_string(id.seq);
}

stream_id next_id(stream_id id) {
    if (id.seq == UINT64_MAX) return {id.ms + 1, 0};
    return {id.ms, id.seq + 1};
}

bool should_include(std::set<std::string> const& rooms, socketio::broadcast_options const& opts) {
    bool included = opts.rooms.empty();
    for (auto const& r : opts.rooms)
        if (rooms.count(r)) included = true;
    for (auto const& r : opts.except)
        if (rooms.count(r)) return false;
    return included;
}

} // namespace kibitz::cluster
