#pragma once

#include "adapter_base.hpp"
#include "redis_hub.hpp"

#include <kibitz/cluster/messages.hpp>
#include <kibitz/cluster/requests.hpp>
#include <kibitz/redis/value.hpp>
#include <kibitz/socketio/adapter.hpp>

#include <memory>
#include <set>
#include <string>

namespace kibitz::cluster {

class redis_hub;

// The adapter of one namespace: the in-memory room index and local delivery, plus the classic
// protocol (docs/cluster.md) through the hub's connections. Joins, leaves and disconnects are
// applied here at once and published; our own echo is ignored (Node waits for it: socket.io
// #4734). Server thread only.
class redis_adapter : public adapter_base {
public:
    redis_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub);
    ~redis_adapter() override;

    void all_rooms(socketio::all_rooms_handler done) override;

    channels const& chans() const { return chans_; }
    // From the hub: a message on one of our channels, by kind.
    void on_broadcast(std::string const& channel, std::string const& payload);
    void on_request(std::string const& payload);
    void on_response(std::string const& payload);

private:
    // start_request with the classic body (its requestId second).
    void send_request(pending_request r, fields body);
    void answer(request const& req, fields const& body, bool force_msgpack = false);
    void on_broadcast_request(request const& req);
    void on_server_side_request(request const& req);
    void apply_remote(request const& req);
    std::string new_request_id() const override;
    std::string fetch_request(std::string const& id,
                              socketio::broadcast_options const& opts) const override;
    std::string server_side_request(std::string const& id, json data) const override;
    // A broadcast on its room's channel (the request channel with an ack), the rest on the
    // request channel, in the classic shapes.
    void send_broadcast(socketio::packet const& p, socketio::broadcast_options const& opts,
                        std::string const& ack_id) override;
    void send_rooms(bool join, socketio::broadcast_options const& opts,
                    std::set<std::string> const& rooms) override;
    void send_disconnect(socketio::broadcast_options const& opts, bool close) override;

    channels chans_;
    // Callbacks of Redis replies hold this, weakly: they do nothing once the adapter is gone.
    std::shared_ptr<redis_adapter*> self_;
};

} // namespace kibitz::cluster
