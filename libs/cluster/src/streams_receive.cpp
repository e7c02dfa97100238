// What a streams_adapter does with the other servers' messages: the stream's entries and the
// published envelopes (socket.io-adapter 2.5 cluster-adapter.ts, onMessage and onResponse).
#include "streams_adapter.hpp"

namespace kibitz::cluster {

namespace {

using ordered = nlohmann::ordered_json;

std::string string_of(json const& obj, char const* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

void streams_adapter::on_entry(stream_entry& e) {
    if (e.uid == uid_ || e.nsp != ctx_.nsp) return;
    on_message(e.type, e.data, e.uid, e.id);
}

void streams_adapter::on_published(std::string const& payload) {
    json msg;
    if (decode_object(payload, msg, hub_->opts().limits)) {
        ++hub_->stats().dropped_invalid;
        return;
    }
    auto type = msg.find("type");
    if (type == msg.end() || !type->is_number_integer()) return;
    auto uid = string_of(msg, "uid");
    if (uid == uid_ || string_of(msg, "nsp") != ctx_.nsp) return;
    auto const t = type->get<std::int64_t>();
    if (t < 0 || t > 255) return;
    on_message(static_cast<int>(t), msg.value("data", json()), uid, {});
}

void streams_adapter::on_message(int type, json const& data, std::string const& from,
                                 std::string const& offset) {
    if (!data.is_object()) return;
    socketio::broadcast_options opts;
    switch (static_cast<sharded_type>(type)) {
    case sharded_type::broadcast:
        return on_broadcast(data, from, offset);
    case sharded_type::sockets_join:
    case sharded_type::sockets_leave: {
        std::set<std::string> rooms;
        if (!read_broadcast_opts(data.value("opts", json()), opts) ||
            !read_room_list(data.value("rooms", json()), rooms))
            return;
        if (static_cast<sharded_type>(type) == sharded_type::sockets_join)
            return memory_adapter::add_sockets(opts, rooms);
        return memory_adapter::del_sockets(opts, rooms);
    }
    case sharded_type::disconnect_sockets: {
        if (!read_broadcast_opts(data.value("opts", json()), opts)) return;
        auto close = data.find("close");
        return memory_adapter::disconnect_sockets(
            opts, close != data.end() && close->is_boolean() && close->get<bool>());
    }
    case sharded_type::fetch_sockets:
        return on_fetch(data, from);
    case sharded_type::server_side_emit:
        return on_server_side(data, from);
    case sharded_type::fetch_sockets_response:
    case sharded_type::server_side_emit_response:
    case sharded_type::broadcast_client_count:
    case sharded_type::broadcast_ack:
        return on_response(type, data);
    default:
        return; // heartbeats (0.2.x) and unknown types: nothing to do
    }
}

void streams_adapter::on_broadcast(json const& data, std::string const& from,
                                   std::string const& offset) {
    socketio::packet p;
    socketio::broadcast_options opts;
    if (!read_sharded_broadcast(data, p, opts)) {
        ++hub_->stats().dropped_invalid;
        return;
    }
    p.nsp = ctx_.nsp;
    opts.local = true;
    auto id = string_of(data, "requestId");
    if (id.empty()) {
        // From the stream: its entry id is the offset (Node's addOffsetIfNecessary).
        if (!offset.empty() && takes_offset(p, opts)) p.data.push_back(offset);
        return deliver_local(p, opts);
    }
    if (!ctx_.next_ack_id) return;
    p.id = ctx_.next_ack_id();
    if (opts.ack_timeout.count() == 0) opts.ack_timeout = hub_->opts().requests_timeout;
    auto to = channel_ + from + "#";
    std::weak_ptr<streams_adapter*> weak = self_;
    auto count = deliver_local_with_ack(p, opts, [weak, to, id](json arg) {
        if (auto self = weak.lock())
            (**self).publish_to(to, sharded_type::broadcast_ack,
                                {{"requestId", id}, {"packet", to_ordered(arg)}});
    });
    publish_to(to, sharded_type::broadcast_client_count,
               {{"requestId", id}, {"clientCount", count}});
}

void streams_adapter::on_fetch(json const& data, std::string const& from) {
    socketio::broadcast_options opts;
    if (!read_broadcast_opts(data.value("opts", json()), opts)) return;
    ordered list = ordered::array();
    for (auto const& s : local_socket_infos(opts))
        list.push_back(to_ordered(encode_socket(s)));
    publish_to(channel_ + from + "#", sharded_type::fetch_sockets_response,
               {{"requestId", string_of(data, "requestId")}, {"sockets", list}});
}

void streams_adapter::on_server_side(json const& data, std::string const& from) {
    auto packet = data.find("packet");
    if (packet == data.end() || !packet->is_array() || !ctx_.server_side) return;
    auto id = string_of(data, "requestId");
    if (id.empty()) return ctx_.server_side(*packet, nullptr);
    auto to = channel_ + from + "#";
    std::weak_ptr<streams_adapter*> weak = self_;
    auto called = std::make_shared<bool>(false);
    ctx_.server_side(*packet, [weak, called, to, id](json args) {
        auto self = weak.lock();
        if (!self || *called) return;
        *called = true;
        json first = args.is_array() && !args.empty() ? std::move(args[0]) : json();
        (**self).publish_to(to, sharded_type::server_side_emit_response,
                            {{"requestId", id}, {"packet", to_ordered(first)}});
    });
}

void streams_adapter::on_response(int type, json const& data) {
    auto id = string_of(data, "requestId");
    auto const t = static_cast<sharded_type>(type);
    if (t == sharded_type::broadcast_client_count &&
        on_ack_count(id, data.value("clientCount", json())))
        return;
    if (t == sharded_type::broadcast_ack && on_ack_packet(id, data.value("packet", json()))) return;
    // The classic shapes: {sockets} as is, the SERVER_SIDE_EMIT answer's packet as `data`.
    if (t == sharded_type::fetch_sockets_response || t == sharded_type::server_side_emit_response)
        add_answer(id, t == sharded_type::server_side_emit_response
                           ? json{{"data", data.value("packet", json())}}
                           : data);
}

} // namespace kibitz::cluster
