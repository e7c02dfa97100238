#pragma once

#include "adapter_base.hpp"
#include "redis_hub.hpp"

#include <kibitz/cluster/messages.hpp>
#include <kibitz/socketio/adapter.hpp>

#include <memory>
#include <set>
#include <string>

namespace kibitz::cluster {

// What the sharded and the streams adapter share: socket.io-adapter 2.5's ClusterAdapter
// messages {type, data, uid, nsp} (docs/cluster.md), built and received here. Requests,
// ack broadcasts and every answer go on "<prefix>#<nsp>#" and "<prefix>#<nsp>#<uid>#" (the
// requester's), encoded by the protocol (encode); broadcasts without ack, joins, leaves and
// disconnects go by send_durable (the sharded adapter publishes them, the streams one XADDs
// them). A received message from our own uid or for another namespace is dropped, a malformed
// one dropped and counted. No all_rooms across servers (ClusterAdapter has none). Server thread
// only.
class cluster_adapter : public adapter_base {
protected:
    // `sharded`: SPUBLISH and SHARDNUMSUB; joins the hub, leaves it when destroyed.
    cluster_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub, bool sharded);
    ~cluster_adapter() override;

    // The protocol's hooks: the bytes of an envelope on a channel; the transport of a durable
    // message (`opts`: its broadcast options); the local delivery of a broadcast without ack
    // from another server (`offset`: its stream entry id, empty when it came by a channel).
    virtual std::string encode(sharded_type type, nlohmann::ordered_json const& data) const = 0;
    virtual void send_durable(sharded_type type, nlohmann::ordered_json const& data,
                              socketio::broadcast_options const& opts) = 0;
    virtual void deliver_broadcast(socketio::packet p, socketio::broadcast_options const& opts,
                                   std::string const& offset) = 0;

    // The bytes of `type` and `data` (encode) on `channel`.
    void publish(std::string const& channel, sharded_type type, nlohmann::ordered_json const& data);
    // {packet, requestId (when `ack_id` is not empty), opts} of a BROADCAST.
    static nlohmann::ordered_json broadcast_data(socketio::packet const& p,
                                                 socketio::broadcast_options const& opts,
                                                 std::string const& ack_id);
    // A received envelope (JSON or msgpack, within the limits) and a received message.
    void on_payload(std::string const& payload);
    // A subscription handler calling on_payload while this adapter lives.
    shard_handler payload_handler() const;
    void on_message(int type, json const& data, std::string const& from, std::string const& offset);

    std::string uid_;     // 16 hex characters, as ClusterAdapter's randomId()
    std::string channel_; // "<prefix>#<nsp>#"
    std::string response_channel_;

private:
    void send_disconnect(socketio::broadcast_options const& opts, bool close) override;
    void send_rooms(bool join, socketio::broadcast_options const& opts,
                    std::set<std::string> const& rooms) override;
    // A broadcast with ack on the namespace channel; without, durable.
    void send_broadcast(socketio::packet const& p, socketio::broadcast_options const& opts,
                        std::string const& ack_id) override;
    std::string server_side_request(std::string const& id, json data) const override;
    std::string fetch_request(std::string const& id,
                              socketio::broadcast_options const& opts) const override;
    std::string new_request_id() const override;

    // cluster-adapter.ts onMessage and onResponse (cluster_adapter_receive.cpp); `from` is the
    // sender's uid.
    void on_broadcast(json const& data, std::string const& from, std::string const& offset);
    void on_fetch(json const& data, std::string const& from);
    void on_server_side(json const& data, std::string const& from);
    void on_response(sharded_type type, json const& data);
    std::string answer_channel(std::string const& uid) const { return channel_ + uid + "#"; }

    // Callbacks hold this, weakly: they do nothing once the adapter is gone.
    std::shared_ptr<cluster_adapter*> self_;
};

} // namespace kibitz::cluster
