// The envelopes of the ClusterAdapter messages, in JSON and in msgpack (docs/cluster.md).
#include <kibitz/cluster/messages.hpp>
#include <kibitz/msgpack/writer.hpp>

namespace kibitz::cluster {

namespace {

bool holds_binary(nlohmann::ordered_json const& v) {
    if (v.is_binary()) return true;
    if (v.is_array() || v.is_object())
        for (auto const& e : v)
            if (holds_binary(e)) return true;
    return false;
}

} // namespace

nlohmann::ordered_json to_ordered(json const& v) {
    using ordered = nlohmann::ordered_json;
    switch (v.type()) {
    case json::value_t::object: {
        ordered out = ordered::object();
        for (auto const& [k, e] : v.items())
            out[k] = to_ordered(e);
        return out;
    }
    case json::value_t::array: {
        ordered out = ordered::array();
        for (auto const& e : v)
            out.push_back(to_ordered(e));
        return out;
    }
    case json::value_t::binary:
        return ordered::binary(v.get_binary());
    case json::value_t::string:
        return v.get<std::string>();
    case json::value_t::boolean:
        return v.get<bool>();
    case json::value_t::number_integer:
        return v.get<std::int64_t>();
    case json::value_t::number_unsigned:
        return v.get<std::uint64_t>();
    case json::value_t::number_float:
        return v.get<double>();
    default:
        return nullptr;
    }
}

bool carries_binary(sharded_type type, nlohmann::ordered_json const& data) {
    using t = sharded_type;
    if (type != t::broadcast && type != t::fetch_sockets_response && type != t::server_side_emit &&
        type != t::server_side_emit_response && type != t::broadcast_ack)
        return false;
    return holds_binary(data);
}

std::string encode_msgpack_envelope(sharded_type type, nlohmann::ordered_json const& data,
                                    std::string_view uid, std::string_view nsp) {
    std::string out;
    msgpack::writer w(out);
    w.map_header(data.is_null() ? 3 : 4);
    w.string("type");
    w.integer(static_cast<int>(type));
    if (!data.is_null()) {
        w.string("data");
        w.value(data);
    }
    w.string("uid");
    w.string(uid);
    w.string("nsp");
    w.string(nsp);
    return out;
}

std::string encode_envelope(sharded_type type, nlohmann::ordered_json const& data,
                            std::string_view uid, std::string_view nsp) {
    // Binary means non-null data: the msgpack envelope has all four keys.
    if (carries_binary(type, data)) return encode_msgpack_envelope(type, data, uid, nsp);
    nlohmann::ordered_json env = {{"type", static_cast<int>(type)},
                                  {"data", data},
                                  {"uid", std::string(uid)},
                                  {"nsp", std::string(nsp)}};
    return env.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json encode_sharded_opts(socketio::broadcast_options const& opts) {
    using ordered = nlohmann::ordered_json;
    ordered rooms = ordered::array();
    for (auto const& r : opts.rooms)
        rooms.push_back(r);
    ordered except = ordered::array();
    for (auto const& r : opts.except)
        except.push_back(r);
    ordered flags = ordered::object();
    if (opts.is_volatile) flags["volatile"] = true;
    if (opts.ack_timeout.count() > 0) flags["timeout"] = opts.ack_timeout.count();
    return {{"rooms", rooms}, {"except", except}, {"flags", flags}};
}

} // namespace kibitz::cluster
