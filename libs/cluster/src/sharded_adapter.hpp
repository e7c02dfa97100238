#pragma once

#include "cluster_adapter.hpp"
#include "redis_hub.hpp"

#include <kibitz/cluster/messages.hpp>
#include <kibitz/socketio/adapter.hpp>

#include <memory>
#include <set>
#include <string>

namespace kibitz::cluster {

// The adapter of one namespace for Node's createShardedAdapter (docs/cluster.md):
// ClusterAdapter messages (cluster_adapter) over SPUBLISH, in JSON (msgpack when they carry
// binary), and, subscriptionMode "dynamic", a channel per public room ("<prefix>#<nsp>#<room>#",
// SSUBSCRIBEd while the room has a local member) for broadcasts without ack to exactly one room
// that is not 20 characters long (not a socket id). Server count: PUBSUB SHARDNUMSUB. Server
// thread only.
class sharded_adapter : public cluster_adapter {
public:
    sharded_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub);
    ~sharded_adapter() override;

    void add_all(std::string const& sid, std::set<std::string> const& rooms) override;
    void del(std::string const& sid, std::string const& room) override;
    void del_all(std::string const& sid) override;

private:
    std::string encode(sharded_type type, nlohmann::ordered_json const& data) const override;
    // Published on the namespace channel; a broadcast to one public room on the room's.
    void send_durable(sharded_type type, nlohmann::ordered_json const& data,
                      socketio::broadcast_options const& opts) override;
    void deliver_broadcast(socketio::packet p, socketio::broadcast_options const& opts,
                           std::string const& offset) override;
    // Subscribes the channels of public rooms that appeared, unsubscribes those that went.
    void sync_rooms(std::set<std::string> const& touched);
    std::string room_channel(std::string const& room) const { return channel_ + room + "#"; }

    std::set<std::string> room_channels_; // the public rooms subscribed
};

} // namespace kibitz::cluster
