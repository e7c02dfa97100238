#pragma once

#include "redis_hub.hpp"

#include <kibitz/cluster/messages.hpp>
#include <kibitz/cluster/requests.hpp>
#include <kibitz/redis/value.hpp>
#include <kibitz/socketio/adapter.hpp>

#include <memory>
#include <string>

namespace kibitz::cluster {

class redis_hub;

// The adapter of one namespace: the in-memory room index and local delivery, plus the classic
// protocol (docs/cluster.md) through the hub's connections. Joins, leaves and disconnects are
// applied here at once and published; our own echo is ignored (Node waits for it: socket.io
// #4734). Server thread only.
class redis_adapter : public socketio::memory_adapter, public hub_member {
public:
    redis_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub);
    ~redis_adapter() override;

    void broadcast(socketio::packet p, socketio::broadcast_options const& opts) override;
    void broadcast_with_ack(socketio::packet p, socketio::broadcast_options const& opts,
                            std::function<void(std::size_t)> on_count,
                            std::function<void(json)> on_ack) override;
    void fetch_sockets(socketio::broadcast_options const& opts,
                       socketio::fetch_sockets_handler done) override;
    void add_sockets(socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms) override;
    void del_sockets(socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms) override;
    void disconnect_sockets(socketio::broadcast_options const& opts, bool close) override;
    void server_count(socketio::server_count_handler done) override;
    void all_rooms(socketio::all_rooms_handler done) override;
    void server_side_emit(json data, socketio::broadcast_ack_handler done) override;

    channels const& chans() const { return chans_; }
    // From the hub: a message on one of our channels, by kind.
    void on_broadcast(std::string const& channel, std::string const& payload);
    void on_request(std::string const& payload);
    void on_response(std::string const& payload);
    // Ends the requests and ack collections whose deadline passed at `now`.
    void expire(util::time_point now) override;
    std::optional<util::time_point> next_deadline() const override;
    std::size_t pending_requests() const override { return requests_.size(); }
    std::size_t pending_acks() const override { return acks_.size(); }

private:
    // Sends a request that waits for the other servers: NUMSUB first, then `r` with `body`
    // published (or finished at once when alone, when Redis is down, or when the map is full).
    void start_request(pending_request r, fields body);
    void answer(request const& req, fields const& body, bool force_msgpack = false);
    void publish_request(std::string payload);
    void on_broadcast_request(request const& req);
    void on_server_side_request(request const& req);
    void apply_remote(request const& req);
    std::string new_request_id() const;

    std::shared_ptr<redis_hub> hub_;
    channels chans_;
    deadline_map<pending_request> requests_;
    deadline_map<pending_ack> acks_;
    // Callbacks of Redis replies hold this, weakly: they do nothing once the adapter is gone.
    std::shared_ptr<redis_adapter*> self_;
};

} // namespace kibitz::cluster
