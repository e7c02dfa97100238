#include "sharded_adapter.hpp"

namespace kibitz::cluster {

namespace {

// Node's looksLikeASocketId: a room of 20 characters goes on the namespace channel.
bool looks_like_socket_id(std::string const& room) {
    return room.size() == 20;
}

} // namespace

sharded_adapter::sharded_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub)
    : cluster_adapter(std::move(ctx), std::move(hub), true) {
    hub_->shard_subscribe(channel_, payload_handler());
    hub_->shard_subscribe(response_channel_, payload_handler());
}

sharded_adapter::~sharded_adapter() {
    hub_->shard_unsubscribe(channel_);
    hub_->shard_unsubscribe(response_channel_);
    for (auto const& room : room_channels_)
        hub_->shard_unsubscribe(room_channel(room));
}

void sharded_adapter::sync_rooms(std::set<std::string> const& touched) {
    for (auto const& room : touched) {
        bool const exists = !local_sids({{room}, {}}).empty();
        // Public: not the own room of one of our sockets (Node's shouldUseASeparateNamespace).
        bool const is_public = socket_rooms(room).empty();
        bool const subscribed = room_channels_.count(room) != 0;
        if (exists && is_public && !subscribed) {
            room_channels_.insert(room);
            hub_->shard_subscribe(room_channel(room), payload_handler());
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

std::string sharded_adapter::encode(sharded_type type, nlohmann::ordered_json const& data) const {
    return encode_envelope(type, data, uid_, ctx_.nsp);
}

void sharded_adapter::send_durable(sharded_type type, nlohmann::ordered_json const& data,
                                   socketio::broadcast_options const& opts) {
    // A broadcast to one public room goes on that room's channel (dynamic mode).
    bool const to_room = type == sharded_type::broadcast && opts.rooms.size() == 1 &&
                         !looks_like_socket_id(*opts.rooms.begin());
    publish(to_room ? room_channel(*opts.rooms.begin()) : channel_, type, data);
}

void sharded_adapter::deliver_broadcast(socketio::packet p, socketio::broadcast_options const& opts,
                                        std::string const&) {
    apply_broadcast(std::move(p), opts);
}

} // namespace kibitz::cluster
