#include <kibitz/cluster/messages.hpp>
#include <kibitz/msgpack/writer.hpp>
#include <kibitz/redis/glob.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

namespace kibitz::cluster {

namespace {

class message_category_impl : public std::error_category {
public:
    char const* name() const noexcept override { return "cluster.message"; }
    std::string message(int ev) const override {
        switch (static_cast<message_error>(ev)) {
        case message_error::invalid_json:
            return "invalid JSON";
        case message_error::invalid_shape:
            return "not a message of the classic Redis adapter";
        }
        return "unknown cluster message error";
    }
};

// Room names as Node sends them: strings, and numbers (io.to(123)) as their decimal text.
bool read_rooms(json const& v, std::set<std::string>& out) {
    if (v.is_null()) return true;
    if (!v.is_array()) return false;
    for (auto const& room : v) {
        if (room.is_string())
            out.insert(room.get<std::string>());
        else if (room.is_number_integer() ||
                 (room.is_number_float() && std::isfinite(room.get<double>())))
            out.insert(room.dump());
        else
            return false;
    }
    return true;
}

// {rooms, except, flags?}: flags.volatile and flags.timeout are the ones that change delivery.
bool read_opts(json const& v, socketio::broadcast_options& out) {
    if (v.is_null()) return true;
    if (!v.is_object()) return false;
    if (v.contains("rooms") && !read_rooms(v["rooms"], out.rooms)) return false;
    if (v.contains("except") && !read_rooms(v["except"], out.except)) return false;
    auto flags = v.find("flags");
    if (flags == v.end() || !flags->is_object()) return true;
    if (auto vol = flags->find("volatile"); vol != flags->end() && vol->is_boolean())
        out.is_volatile = vol->get<bool>();
    if (auto t = flags->find("timeout"); t != flags->end() && t->is_number()) {
        auto ms = t->get<double>();
        if (ms > 0 && ms < 1e12) out.ack_timeout = util::duration(static_cast<std::int64_t>(ms));
    }
    return true;
}

// The EVENT packet {type, data, nsp?} of a broadcast (type 2, or 5 from an older encoder).
bool read_packet(json const& v, socketio::packet& out) {
    if (!v.is_object()) return false;
    auto type = v.find("type");
    auto data = v.find("data");
    if (type == v.end() || !type->is_number_integer()) return false;
    auto t = type->get<std::int64_t>();
    if (t != 2 && t != 5) return false;
    if (data == v.end() || !data->is_array() || data->empty() || !(*data)[0].is_string())
        return false;
    out.type = socketio::packet_type::event;
    out.data = *data;
    out.id.reset();
    out.nsp = "/";
    if (auto nsp = v.find("nsp"); nsp != v.end()) {
        if (!nsp->is_string()) return false;
        out.nsp = nsp->get<std::string>();
    }
    return true;
}

void write_rooms(msgpack::writer& w, std::set<std::string> const& rooms) {
    w.array_header(rooms.size());
    for (auto const& r : rooms)
        w.string(r);
}

// JSON text nests at most `max_depth` arrays/objects (brackets in strings do not count).
bool json_depth_ok(std::string_view text, std::size_t max_depth) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

bool has_binary(json const& v) {
    if (v.is_binary()) return true;
    if (v.is_array() || v.is_object())
        for (auto const& e : v)
            if (has_binary(e)) return true;
    return false;
}

std::string dump(json const& v) {
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::error_category const& message_category() noexcept {
    static message_category_impl const c;
    return c;
}

std::error_code make_error_code(message_error e) noexcept {
    return {static_cast<int>(e), message_category()};
}

channels channels::make(std::string_view prefix, std::string_view nsp) {
    channels c;
    c.broadcast = std::string(prefix) + "#" + std::string(nsp) + "#";
    c.pattern = redis::escape_glob(c.broadcast) + "*";
    c.request = std::string(prefix) + "-request#" + std::string(nsp) + "#";
    c.response = std::string(prefix) + "-response#" + std::string(nsp) + "#";
    return c;
}

std::string channels::response_to(std::string_view uid) const {
    return response + std::string(uid) + "#";
}

std::string channels::broadcast_to(socketio::broadcast_options const& opts) const {
    if (opts.rooms.size() == 1) return broadcast + *opts.rooms.begin() + "#";
    return broadcast;
}

std::optional<std::string> channels::room_of(std::string_view channel) const {
    if (!channel.starts_with(broadcast)) return std::nullopt;
    auto rest = channel.substr(broadcast.size());
    if (rest.empty()) return std::string();
    // Node: channel.slice(prefix.length, -1), the final '#' dropped.
    if (rest.back() != '#') return std::nullopt;
    return std::string(rest.substr(0, rest.size() - 1));
}

namespace {

void write_packet(msgpack::writer& w, socketio::packet const& p) {
    w.map_header(3);
    w.string("type");
    w.integer(2);
    w.string("data");
    w.value(p.data);
    w.string("nsp");
    w.string(p.nsp);
}

void write_opts(msgpack::writer& w, socketio::broadcast_options const& opts) {
    w.map_header(3);
    w.string("rooms");
    write_rooms(w, opts.rooms);
    w.string("except");
    write_rooms(w, opts.except);
    w.string("flags");
    bool const timeout = opts.ack_timeout.count() > 0;
    w.map_header((opts.is_volatile ? 1U : 0U) + (timeout ? 1U : 0U));
    if (opts.is_volatile) {
        w.string("volatile");
        w.boolean(true);
    }
    if (timeout) {
        w.string("timeout");
        w.integer(opts.ack_timeout.count());
    }
}

} // namespace

std::string encode_broadcast(std::string_view uid, socketio::packet const& p,
                             socketio::broadcast_options const& opts) {
    std::string out;
    msgpack::writer w(out);
    w.array_header(3);
    w.string(uid);
    write_packet(w, p);
    write_opts(w, opts);
    return out;
}

std::string encode_broadcast_request(std::string_view uid, std::string_view request_id,
                                     socketio::packet const& p,
                                     socketio::broadcast_options const& opts) {
    std::string out;
    msgpack::writer w(out);
    w.map_header(5);
    w.string("uid");
    w.string(uid);
    w.string("requestId");
    w.string(request_id);
    w.string("type");
    w.integer(7);
    w.string("packet");
    write_packet(w, p);
    w.string("opts");
    write_opts(w, opts);
    return out;
}

json encode_opts(socketio::broadcast_options const& opts, bool with_flags) {
    json o = {{"rooms", json::array()}, {"except", json::array()}};
    for (auto const& r : opts.rooms)
        o["rooms"].push_back(r);
    for (auto const& r : opts.except)
        o["except"].push_back(r);
    if (with_flags) {
        o["flags"] = json::object();
        if (opts.is_volatile) o["flags"]["volatile"] = true;
        if (opts.ack_timeout.count() > 0) o["flags"]["timeout"] = opts.ack_timeout.count();
    }
    return o;
}

std::error_code decode_broadcast(std::string_view bytes, broadcast_message& out,
                                 message_limits const& limits) {
    json v;
    if (auto ec = msgpack::read(bytes, v, limits.msgpack)) return ec;
    // [uid, packet, opts]: a map (a sharded or streams node on the same prefix) is not one.
    if (!v.is_array() || v.size() < 2 || !v[0].is_string()) return message_error::invalid_shape;
    broadcast_message m;
    m.uid = v[0].get<std::string>();
    if (!read_packet(v[1], m.packet)) return message_error::invalid_shape;
    if (v.size() > 2 && !read_opts(v[2], m.opts)) return message_error::invalid_shape;
    out = std::move(m);
    return {};
}

std::error_code decode_object(std::string_view bytes, json& out, message_limits const& limits) {
    out = nullptr;
    if (!bytes.empty() && bytes[0] == '{') {
        if (bytes.size() > limits.msgpack.max_bytes) return msgpack::read_error::too_large;
        if (!json_depth_ok(bytes, limits.max_json_depth)) return message_error::invalid_json;
        out = json::parse(bytes, nullptr, false);
        if (out.is_discarded()) {
            out = nullptr;
            return message_error::invalid_json;
        }
    } else if (auto ec = msgpack::read(bytes, out, limits.msgpack)) {
        return ec;
    }
    if (!out.is_object()) {
        out = nullptr;
        return message_error::invalid_shape;
    }
    return {};
}

namespace {

bool string_field(json const& obj, char const* key, std::string& out, bool required) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return !required;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
}

bool parse_by_type(json const& obj, request& out) {
    switch (out.type) {
    case request_type::sockets:
        return read_rooms(obj.value("rooms", json()), out.opts.rooms);
    case request_type::all_rooms:
        return true;
    case request_type::remote_join:
    case request_type::remote_leave:
    case request_type::remote_disconnect: {
        auto opts = obj.find("opts");
        if (opts == obj.end() || opts->is_null()) {
            // Node < 7: {sid, room} (join/leave) or {sid, close} (disconnect).
            out.legacy = true;
            if (!string_field(obj, "sid", out.sid, true)) return false;
            if (out.type != request_type::remote_disconnect)
                return string_field(obj, "room", out.room, true);
        } else if (!read_opts(*opts, out.opts)) {
            return false;
        }
        if (out.type == request_type::remote_disconnect) {
            auto close = obj.find("close");
            out.close = close != obj.end() && close->is_boolean() && close->get<bool>();
            return true;
        }
        if (out.legacy) return true;
        std::set<std::string> rooms;
        if (!read_rooms(obj.value("rooms", json()), rooms)) return false;
        out.rooms.assign(rooms.begin(), rooms.end());
        return true;
    }
    case request_type::remote_fetch:
        return read_opts(obj.value("opts", json()), out.opts);
    case request_type::server_side_emit: {
        auto data = obj.find("data");
        if (data == obj.end() || !data->is_array() || data->empty() || !(*data)[0].is_string())
            return false;
        out.data = *data;
        return true;
    }
    case request_type::broadcast:
        return !out.request_id.empty() && read_packet(obj.value("packet", json()), out.packet) &&
               read_opts(obj.value("opts", json()), out.opts);
    default:
        return false;
    }
}

} // namespace

std::error_code parse_request(json const& obj, request& out) {
    if (!obj.is_object()) return message_error::invalid_shape;
    auto type = obj.find("type");
    if (type == obj.end() || !type->is_number_integer()) return message_error::invalid_shape;
    auto t = type->get<std::int64_t>();
    if (t < 0 || t > 7) return message_error::invalid_shape;
    request r;
    r.type = static_cast<request_type>(t);
    if (!string_field(obj, "uid", r.uid, false) ||
        !string_field(obj, "requestId", r.request_id, false))
        return message_error::invalid_shape;
    if (!parse_by_type(obj, r)) return message_error::invalid_shape;
    out = std::move(r);
    return {};
}

std::string encode_object(fields const& f, bool force_msgpack) {
    bool binary = force_msgpack;
    for (auto const& [key, value] : f)
        binary = binary || has_binary(value);
    std::string out;
    if (binary) {
        msgpack::writer w(out);
        w.map_header(f.size());
        for (auto const& [key, value] : f) {
            w.string(key);
            w.value(value);
        }
        return out;
    }
    out.push_back('{');
    for (auto const& [key, value] : f) {
        if (out.size() > 1) out.push_back(',');
        out += dump(json(std::string(key)));
        out.push_back(':');
        out += dump(value);
    }
    out.push_back('}');
    return out;
}

namespace {

// IncomingMessage.headers: lower-case names; a repeated header joined with ", " ("; " for
// cookie), set-cookie as an array.
json encode_headers(socketio::shared_headers const& headers) {
    json out = json::object();
    for (auto const& [name, value] : headers) {
        std::string key = name;
        for (auto& c : key)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto it = out.find(key);
        if (key == "set-cookie") {
            if (it == out.end()) out[key] = json::array();
            out[key].push_back(value);
        } else if (it == out.end()) {
            out[key] = value;
        } else {
            *it = it->get<std::string>() + (key == "cookie" ? "; " : ", ") + value;
        }
    }
    return out;
}

engineio::header_list parse_headers(json const& v) {
    engineio::header_list out;
    if (!v.is_object()) return out;
    for (auto const& [name, value] : v.items()) {
        if (value.is_string()) {
            out.emplace_back(name, value.get<std::string>());
        } else if (value.is_array()) {
            for (auto const& e : value)
                if (e.is_string()) out.emplace_back(name, e.get<std::string>());
        }
    }
    return out;
}

} // namespace

json encode_socket(socketio::socket_info const& s) {
    auto const& hs = s.handshake;
    json handshake = {
        {"headers", encode_headers(hs.headers)},
        {"time", hs.time},
        {"address", hs.address},
        {"xdomain", hs.xdomain},
        {"secure", hs.secure},
        {"issued", hs.issued},
        {"url", hs.url},
        {"query", hs.query},
        {"auth", hs.auth},
    };
    json rooms = json::array();
    for (auto const& r : s.rooms)
        rooms.push_back(r);
    return {{"id", s.id},
            {"handshake", std::move(handshake)},
            {"rooms", std::move(rooms)},
            {"data", s.data}};
}

std::optional<socketio::socket_info> parse_socket(json const& v) {
    if (!v.is_object()) return std::nullopt;
    socketio::socket_info out;
    auto id = v.find("id");
    if (id == v.end() || !id->is_string()) return std::nullopt;
    out.id = id->get<std::string>();
    if (!read_rooms(v.value("rooms", json()), out.rooms)) return std::nullopt;
    out.data = v.value("data", json());
    auto hs = v.find("handshake");
    if (hs == v.end() || !hs->is_object()) return out;
    out.handshake.headers = socketio::shared_headers(
        std::make_shared<engineio::header_list const>(parse_headers(hs->value("headers", json()))));
    if (auto q = hs->find("query"); q != hs->end() && q->is_object()) out.handshake.query = *q;
    if (auto a = hs->find("auth"); a != hs->end() && a->is_object()) out.handshake.auth = *a;
    string_field(*hs, "address", out.handshake.address, false);
    string_field(*hs, "url", out.handshake.url, false);
    if (auto i = hs->find("issued"); i != hs->end() && i->is_number_integer())
        out.handshake.issued = i->get<std::int64_t>();
    if (auto s = hs->find("secure"); s != hs->end() && s->is_boolean())
        out.handshake.secure = s->get<bool>();
    if (auto t = hs->find("time"); t != hs->end() && t->is_string())
        out.handshake.time = t->get<std::string>();
    if (auto x = hs->find("xdomain"); x != hs->end() && x->is_boolean())
        out.handshake.xdomain = x->get<bool>();
    return out;
}

bool read_sharded_broadcast(json const& data, socketio::packet& p, socketio::broadcast_options& o) {
    if (!data.is_object()) return false;
    auto packet = data.find("packet");
    if (packet == data.end() || !read_packet(*packet, p)) return false;
    auto opts = data.find("opts");
    return opts == data.end() || read_opts(*opts, o);
}

bool read_broadcast_opts(json const& v, socketio::broadcast_options& out) {
    return read_opts(v, out);
}

bool read_room_list(json const& v, std::set<std::string>& out) {
    return read_rooms(v, out);
}

} // namespace kibitz::cluster
