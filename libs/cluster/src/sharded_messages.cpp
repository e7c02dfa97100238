// The envelope of the sharded adapter's ClusterAdapter messages (docs/cluster.md).
#include <kibitz/cluster/messages.hpp>
#include <kibitz/msgpack/writer.hpp>

namespace kibitz::cluster {

namespace {

template<class Json>
bool any_binary(Json const& v) {
    if (v.is_binary()) return true;
    if (v.is_array() || v.is_object())
        for (auto const& e : v)
            if (any_binary(e)) return true;
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

std::string encode_envelope(sharded_type type, nlohmann::ordered_json const& data,
                            std::string_view uid, std::string_view nsp) {
    auto const t = static_cast<int>(type);
    bool const may_binary = t == 3 || t == 8 || t == 9 || t == 10 || t == 12;
    if (may_binary && any_binary(data)) {
        std::string out;
        msgpack::writer w(out);
        w.map_header(4);
        w.string("type");
        w.integer(t);
        w.string("data");
        w.value(data);
        w.string("uid");
        w.string(uid);
        w.string("nsp");
        w.string(nsp);
        return out;
    }
    nlohmann::ordered_json env = {
        {"type", t}, {"data", data}, {"uid", std::string(uid)}, {"nsp", std::string(nsp)}};
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
