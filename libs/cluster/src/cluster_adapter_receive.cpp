// What a cluster_adapter does with the ClusterAdapter messages of the other servers
// (socket.io-adapter 2.5 cluster-adapter.ts, onMessage and onResponse).
#include "cluster_adapter.hpp"

namespace kibitz::cluster {

namespace {

using ordered = nlohmann::ordered_json;

std::string string_of(json const& obj, char const* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

shard_handler cluster_adapter::payload_handler() const {
    std::weak_ptr<cluster_adapter*> weak = self_;
    return [weak](std::string const&, std::string const& payload) {
        if (auto self = weak.lock()) (**self).on_payload(payload);
    };
}

void cluster_adapter::on_payload(std::string const& payload) {
    json msg;
    if (!decode_payload(payload, msg)) return;
    auto type = msg.find("type");
    if (type == msg.end() || !type->is_number_integer()) return;
    auto uid = string_of(msg, "uid");
    if (uid == uid_ || string_of(msg, "nsp") != ctx_.nsp) return;
    auto const t = type->get<std::int64_t>();
    if (t < 0 || t > 255) return;
    on_message(static_cast<int>(t), msg.value("data", json()), uid, {});
}

void cluster_adapter::on_message(int type, json const& data, std::string const& from,
                                 std::string const& offset) {
    if (!data.is_object()) return;
    socketio::broadcast_options opts;
    auto const t = static_cast<sharded_type>(type);
    switch (t) {
    case sharded_type::broadcast:
        return on_broadcast(data, from, offset);
    case sharded_type::sockets_join:
    case sharded_type::sockets_leave: {
        std::set<std::string> rooms;
        if (!read_broadcast_opts(data.value("opts", json()), opts) ||
            !read_room_list(data.value("rooms", json()), rooms))
            return;
        return apply_rooms(t == sharded_type::sockets_join, opts, rooms);
    }
    case sharded_type::disconnect_sockets: {
        if (!read_broadcast_opts(data.value("opts", json()), opts)) return;
        auto close = data.find("close");
        return apply_disconnect(opts,
                                close != data.end() && close->is_boolean() && close->get<bool>());
    }
    case sharded_type::fetch_sockets:
        return on_fetch(data, from);
    case sharded_type::server_side_emit:
        return on_server_side(data, from);
    case sharded_type::fetch_sockets_response:
    case sharded_type::server_side_emit_response:
    case sharded_type::broadcast_client_count:
    case sharded_type::broadcast_ack:
        return on_response(t, data);
    default:
        return; // heartbeats (streams 0.2.x) and unknown types: nothing to do
    }
}

void cluster_adapter::on_broadcast(json const& data, std::string const& from,
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
    if (id.empty()) return deliver_broadcast(std::move(p), opts, offset);
    if (!ctx_.next_ack_id) return;
    p.id = ctx_.next_ack_id();
    if (opts.ack_timeout.count() == 0) opts.ack_timeout = hub_->opts().requests_timeout;
    auto to = answer_channel(from);
    std::weak_ptr<cluster_adapter*> weak = self_;
    auto count = deliver_local_with_ack(p, opts, [weak, to, id](json arg) {
        if (auto self = weak.lock())
            (**self).publish(to, sharded_type::broadcast_ack,
                             {{"requestId", id}, {"packet", to_ordered(arg)}});
    });
    publish(to, sharded_type::broadcast_client_count, {{"requestId", id}, {"clientCount", count}});
}

void cluster_adapter::on_fetch(json const& data, std::string const& from) {
    socketio::broadcast_options opts;
    if (!read_broadcast_opts(data.value("opts", json()), opts)) return;
    ordered list = ordered::array();
    for (auto const& s : local_socket_infos(opts))
        list.push_back(to_ordered(encode_socket(s)));
    publish(answer_channel(from), sharded_type::fetch_sockets_response,
            {{"requestId", string_of(data, "requestId")}, {"sockets", list}});
}

void cluster_adapter::on_server_side(json const& data, std::string const& from) {
    auto packet = data.find("packet");
    if (packet == data.end() || !packet->is_array() || !ctx_.server_side) return;
    auto id = string_of(data, "requestId");
    if (id.empty()) return ctx_.server_side(*packet, nullptr);
    auto to = answer_channel(from);
    std::weak_ptr<cluster_adapter*> weak = self_;
    auto called = std::make_shared<bool>(false);
    ctx_.server_side(*packet, [weak, called, to, id](json args) {
        auto self = weak.lock();
        if (!self || *called) return;
        *called = true;
        json first = args.is_array() && !args.empty() ? std::move(args[0]) : json();
        (**self).publish(to, sharded_type::server_side_emit_response,
                         {{"requestId", id}, {"packet", to_ordered(first)}});
    });
}

void cluster_adapter::on_response(sharded_type t, json const& data) {
    auto id = string_of(data, "requestId");
    // A count or an ack of a broadcast that is no longer collected is dropped.
    if (t == sharded_type::broadcast_client_count) {
        on_ack_count(id, data.value("clientCount", json()));
        return;
    }
    if (t == sharded_type::broadcast_ack) {
        on_ack_packet(id, data.value("packet", json()));
        return;
    }
    // The classic shapes: {sockets} as is, the SERVER_SIDE_EMIT answer's packet as `data`.
    add_answer(id, t == sharded_type::server_side_emit_response
                       ? json{{"data", data.value("packet", json())}}
                       : data);
}

} // namespace kibitz::cluster
