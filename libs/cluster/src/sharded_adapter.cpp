#include "sharded_adapter.hpp"

#include <kibitz/util/random.hpp>

namespace kibitz::cluster {

namespace {

using ordered = nlohmann::ordered_json;

std::string hex_id() {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : util::random_bytes(8)) {
        auto const b = static_cast<unsigned char>(c);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

// Node's looksLikeASocketId: a room of 20 characters goes on the namespace channel.
bool looks_like_socket_id(std::string const& room) {
    return room.size() == 20;
}

} // namespace

sharded_adapter::sharded_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub)
    : adapter_base(std::move(ctx), std::move(hub), true), uid_(hex_id()),
      channel_(hub_->opts().prefix + "#" + ctx_.nsp + "#"),
      response_channel_(channel_ + uid_ + "#"), self_(std::make_shared<sharded_adapter*>(this)) {
    request_channel_ = channel_;
    hub_->join(*this);
    std::weak_ptr<sharded_adapter*> weak = self_;
    auto handler = [weak](std::string const&, std::string const& payload) {
        if (auto self = weak.lock()) (**self).on_message(payload);
    };
    hub_->shard_subscribe(channel_, handler);
    hub_->shard_subscribe(response_channel_, handler);
}

sharded_adapter::~sharded_adapter() {
    hub_->leave(*this);
    hub_->shard_unsubscribe(channel_);
    hub_->shard_unsubscribe(response_channel_);
    for (auto const& room : room_channels_)
        hub_->shard_unsubscribe(room_channel(room));
}

std::string sharded_adapter::new_request_id() const {
    return hex_id();
}

void sharded_adapter::sync_rooms(std::set<std::string> const& touched) {
    std::weak_ptr<sharded_adapter*> weak = self_;
    for (auto const& room : touched) {
        bool const exists = !local_sids({{room}, {}}).empty();
        // Public: not the own room of one of our sockets (Node's shouldUseASeparateNamespace).
        bool const is_public = socket_rooms(room).empty();
        bool const subscribed = room_channels_.count(room) != 0;
        if (exists && is_public && !subscribed) {
            room_channels_.insert(room);
            hub_->shard_subscribe(room_channel(room),
                                  [weak](std::string const&, std::string const& p) {
                                      if (auto self = weak.lock()) (**self).on_message(p);
                                  });
        } else if (!exists && subscribed) {
            room_channels_.erase(room);
            hub_->shard_unsubscribe(room_channel(room));
        }
    }
}

void sharded_adapter::add_all(std::string const& sid, std::set<std::string> const& rooms) {
    memory_adapter::add_all(sid, rooms);
    sync_rooms(rooms);
}

void sharded_adapter::del(std::string const& sid, std::string const& room) {
    memory_adapter::del(sid, room);
    sync_rooms({room});
}

void sharded_adapter::del_all(std::string const& sid) {
    auto rooms = socket_rooms(sid);
    memory_adapter::del_all(sid);
    sync_rooms(rooms);
}

void sharded_adapter::publish(sharded_type type, ordered data, std::string const& channel) {
    hub_->publish(channel, encode_envelope(type, data, uid_, ctx_.nsp), nullptr, true);
}

void sharded_adapter::broadcast(socketio::packet p, socketio::broadcast_options const& opts) {
    if (!opts.local) publish_broadcast(p, opts);
    memory_adapter::broadcast(std::move(p), opts);
}

void sharded_adapter::publish_broadcast(socketio::packet const& p,
                                        socketio::broadcast_options const& opts) {
    // A broadcast to one public room goes on that room's channel (dynamic mode).
    auto channel = channel_;
    if (opts.rooms.size() == 1 && !looks_like_socket_id(*opts.rooms.begin()))
        channel = room_channel(*opts.rooms.begin());
    ordered packet = {{"type", 2}, {"data", to_ordered(p.data)}};
    publish(sharded_type::broadcast, {{"packet", packet}, {"opts", encode_sharded_opts(opts)}},
            channel);
}

void sharded_adapter::broadcast_with_ack(socketio::packet p,
                                         socketio::broadcast_options const& opts,
                                         std::function<void(std::size_t)> on_count,
                                         std::function<void(json)> on_ack) {
    if (!opts.local) {
        auto id = new_request_id();
        if (open_ack_collection(id, opts, on_count, on_ack)) {
            ordered packet = {{"type", 2}, {"data", to_ordered(p.data)}};
            publish(sharded_type::broadcast,
                    {{"packet", packet}, {"requestId", id}, {"opts", encode_sharded_opts(opts)}},
                    channel_);
        } else {
            publish_broadcast(p, opts);
        }
    }
    memory_adapter::broadcast_with_ack(std::move(p), opts, std::move(on_count), std::move(on_ack));
}

std::string sharded_adapter::fetch_request(std::string const& id,
                                           socketio::broadcast_options const& opts) const {
    return encode_envelope(sharded_type::fetch_sockets,
                           {{"opts", encode_sharded_opts(opts)}, {"requestId", id}}, uid_,
                           ctx_.nsp);
}

std::string sharded_adapter::server_side_request(std::string const& id, json data) const {
    ordered body = ordered::object();
    if (!id.empty()) body["requestId"] = id;
    body["packet"] = to_ordered(data);
    return encode_envelope(sharded_type::server_side_emit, body, uid_, ctx_.nsp);
}

void sharded_adapter::add_sockets(socketio::broadcast_options const& opts,
                                  std::set<std::string> const& rooms) {
    memory_adapter::add_sockets(opts, rooms);
    if (opts.local) return;
    ordered list = ordered::array();
    for (auto const& r : rooms)
        list.push_back(r);
    publish(sharded_type::sockets_join, {{"opts", encode_sharded_opts(opts)}, {"rooms", list}},
            channel_);
}

void sharded_adapter::del_sockets(socketio::broadcast_options const& opts,
                                  std::set<std::string> const& rooms) {
    memory_adapter::del_sockets(opts, rooms);
    if (opts.local) return;
    ordered list = ordered::array();
    for (auto const& r : rooms)
        list.push_back(r);
    publish(sharded_type::sockets_leave, {{"opts", encode_sharded_opts(opts)}, {"rooms", list}},
            channel_);
}

void sharded_adapter::disconnect_sockets(socketio::broadcast_options const& opts, bool close) {
    if (!opts.local)
        publish(sharded_type::disconnect_sockets,
                {{"opts", encode_sharded_opts(opts)}, {"close", close}}, channel_);
    memory_adapter::disconnect_sockets(opts, close);
}

} // namespace kibitz::cluster
