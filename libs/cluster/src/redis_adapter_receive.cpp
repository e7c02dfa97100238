// What a redis_adapter does with what the other servers publish (docs/cluster.md): broadcasts,
// requests to answer, answers to our requests.
#include "redis_adapter_impl.hpp"
#include "redis_hub.hpp"

#include <kibitz/socketio/server.hpp>

namespace kibitz::cluster {

void redis_adapter::on_broadcast(std::string const& channel, std::string const& payload) {
    auto room = chans_.room_of(channel);
    if (!room) return;
    // A room broadcast for a room none of our sockets is in: dropped before decoding.
    if (!room->empty() && local_sids({{*room}, {}}).empty()) {
        ++hub_->stats().dropped_room;
        return;
    }
    broadcast_message m;
    if (decode_broadcast(payload, m, hub_->opts().limits)) {
        ++hub_->stats().dropped_invalid;
        return;
    }
    if (m.uid == hub_->uid() || m.packet.nsp != ctx_.nsp) return;
    // Delivered here only (the base class never publishes).
    m.opts.local = true;
    apply_broadcast(std::move(m.packet), m.opts);
}

void redis_adapter::on_request(std::string const& payload) {
    json obj;
    request req;
    if (decode_object(payload, obj, hub_->opts().limits) || parse_request(obj, req)) {
        ++hub_->stats().dropped_invalid;
        return;
    }
    // Never our own: joins, leaves and disconnects were applied when asked.
    if (req.uid == hub_->uid()) return;
    if (!req.request_id.empty() && requests_.contains(req.request_id)) return;
    switch (req.type) {
    case request_type::sockets: {
        json ids = json::array();
        for (auto const& sid : local_sids(req.opts))
            ids.push_back(sid);
        return answer(req, {{"requestId", req.request_id}, {"sockets", std::move(ids)}});
    }
    case request_type::all_rooms: {
        json list = json::array();
        for (auto const& r : rooms())
            list.push_back(r);
        return answer(req, {{"requestId", req.request_id}, {"rooms", std::move(list)}});
    }
    case request_type::remote_fetch: {
        // Answered even when empty: a Node requester counts every server (docs/cluster.md).
        json list = json::array();
        for (auto const& s : local_socket_infos(req.opts))
            list.push_back(encode_socket(s));
        return answer(req, {{"requestId", req.request_id}, {"sockets", std::move(list)}});
    }
    case request_type::remote_join:
    case request_type::remote_leave:
    case request_type::remote_disconnect:
        return apply_remote(req);
    case request_type::server_side_emit:
        return on_server_side_request(req);
    case request_type::broadcast:
        return on_broadcast_request(req);
    default:
        return;
    }
}

void redis_adapter::apply_remote(request const& req) {
    if (!req.legacy) {
        std::set<std::string> rooms(req.rooms.begin(), req.rooms.end());
        if (req.type == request_type::remote_disconnect)
            return apply_disconnect(req.opts, req.close);
        return apply_rooms(req.type == request_type::remote_join, req.opts, rooms);
    }
    // Node < 7: one socket by id, answered with {requestId}.
    auto s = ctx_.socket_by_id(req.sid);
    if (!s) return;
    if (req.type == request_type::remote_join)
        s->join(req.room);
    else if (req.type == request_type::remote_leave)
        s->leave(req.room);
    else
        s->disconnect(req.close);
    if (!req.request_id.empty()) answer(req, {{"requestId", req.request_id}});
}

void redis_adapter::on_server_side_request(request const& req) {
    if (!ctx_.server_side) return;
    if (req.request_id.empty()) return ctx_.server_side(req.data, nullptr);
    // One answer, the first ack argument (Node's callback(arg)).
    std::weak_ptr<redis_adapter*> weak = self_;
    auto called = std::make_shared<bool>(false);
    auto ack = [weak, called, uid = req.uid, id = req.request_id](json args) {
        auto self = weak.lock();
        if (!self || *called) return;
        *called = true;
        request to;
        to.uid = uid;
        json first = args.is_array() && !args.empty() ? std::move(args[0]) : json();
        (**self).answer(to, {{"type", static_cast<int>(request_type::server_side_emit)},
                             {"requestId", id},
                             {"data", std::move(first)}});
    };
    ctx_.server_side(req.data, ack);
}

void redis_adapter::on_broadcast_request(request const& req) {
    if (!ctx_.next_ack_id) return;
    auto p = req.packet;
    p.nsp = ctx_.nsp;
    p.id = ctx_.next_ack_id();
    auto opts = req.opts;
    opts.local = true;
    // Each recipient's ack is kept for the sender's timeout (Node keeps it until the socket
    // goes); none given: the request timeout.
    if (opts.ack_timeout.count() == 0) opts.ack_timeout = hub_->opts().requests_timeout;
    std::weak_ptr<redis_adapter*> weak = self_;
    auto uid = req.uid;
    auto id = req.request_id;
    auto count = deliver_local_with_ack(p, opts, [weak, uid, id](json arg) {
        auto self = weak.lock();
        if (!self) return;
        request to;
        to.uid = uid;
        (**self).answer(to,
                        {{"type", static_cast<int>(request_type::broadcast_ack)},
                         {"requestId", id},
                         {"packet", std::move(arg)}},
                        true);
    });
    // The count goes out before any ack: one connection, published in order.
    answer(req, {{"type", static_cast<int>(request_type::broadcast_client_count)},
                 {"requestId", id},
                 {"clientCount", count}});
}

void redis_adapter::answer(request const& req, fields const& body, bool force_msgpack) {
    // The requester's own response channel: every 8.x node listens there (docs/cluster.md),
    // and no other node has to decode it.
    auto channel = req.uid.empty() ? chans_.response : chans_.response_to(req.uid);
    hub_->publish(channel, encode_object(body, force_msgpack));
}

void redis_adapter::on_response(std::string const& payload) {
    json obj;
    if (!decode_payload(payload, obj)) return;
    auto rid = obj.find("requestId");
    if (rid == obj.end() || !rid->is_string()) return;
    auto const& id = rid->get_ref<std::string const&>();
    auto t = obj.find("type");
    auto const type = t != obj.end() && t->is_number_integer() ? t->get<std::int64_t>() : -1;
    if (type == static_cast<int>(request_type::broadcast_client_count) &&
        on_ack_count(id, obj.value("clientCount", json())))
        return;
    if (type == static_cast<int>(request_type::broadcast_ack) &&
        on_ack_packet(id, obj.value("packet", json())))
        return;
    add_answer(id, obj);
}

} // namespace kibitz::cluster
