#pragma once

#include "adapter_base.hpp"
#include "redis_hub.hpp"

#include <kibitz/cluster/messages.hpp>
#include <kibitz/cluster/requests.hpp>
#include <kibitz/socketio/adapter.hpp>

#include <memory>
#include <set>
#include <string>

namespace kibitz::cluster {

// The adapter of one namespace for Node's createShardedAdapter (docs/cluster.md):
// ClusterAdapter messages {type, data, uid, nsp} over SPUBLISH on "<prefix>#<nsp>#", answers on
// "<prefix>#<nsp>#<uid>#", and, subscriptionMode "dynamic", a channel per public room
// ("<prefix>#<nsp>#<room>#", SSUBSCRIBEd while the room has a local member) for broadcasts
// without ack to exactly one room that is not 20 characters long (not a socket id). Joins,
// leaves and disconnects are applied here and published, our own echo dropped (by uid). Server
// count: PUBSUB SHARDNUMSUB. No all_rooms across servers (ClusterAdapter has none): this
// server's rooms. Server thread only.
class sharded_adapter : public adapter_base {
public:
    sharded_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub);
    ~sharded_adapter() override;

    void add_all(std::string const& sid, std::set<std::string> const& rooms) override;
    void del(std::string const& sid, std::string const& room) override;
    void del_all(std::string const& sid) override;

    void broadcast(socketio::packet p, socketio::broadcast_options const& opts) override;
    void broadcast_with_ack(socketio::packet p, socketio::broadcast_options const& opts,
                            std::function<void(std::size_t)> on_count,
                            std::function<void(json)> on_ack) override;
    void add_sockets(socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms) override;
    void del_sockets(socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms) override;
    void disconnect_sockets(socketio::broadcast_options const& opts, bool close) override;

private:
    void publish(sharded_type type, nlohmann::ordered_json data, std::string const& channel);
    void publish_broadcast(socketio::packet const& p, socketio::broadcast_options const& opts);
    void on_message(std::string const& payload);
    void on_response(json const& msg);
    void on_broadcast(json const& msg);
    void on_fetch(json const& msg);
    void on_server_side(json const& msg);
    // Subscribes the channels of public rooms that appeared, unsubscribes those that went.
    void sync_rooms(std::set<std::string> const& touched);
    std::string room_channel(std::string const& room) const { return channel_ + room + "#"; }
    std::string new_request_id() const override;
    std::string fetch_request(std::string const& id,
                              socketio::broadcast_options const& opts) const override;
    std::string server_side_request(std::string const& id, json data) const override;

    std::string uid_;     // 16 hex characters, as ClusterAdapter's randomId()
    std::string channel_; // "<prefix>#<nsp>#"
    std::string response_channel_;
    std::set<std::string> room_channels_; // the public rooms subscribed
    std::shared_ptr<sharded_adapter*> self_;
};

} // namespace kibitz::cluster
