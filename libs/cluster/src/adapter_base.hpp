#pragma once

#include "redis_hub.hpp"

#include <kibitz/cluster/requests.hpp>
#include <kibitz/socketio/adapter.hpp>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>

namespace kibitz::cluster {

// What the classic, sharded and streams adapters share, whatever their envelopes: the in-memory
// room index and local delivery (memory_adapter), the hub, the requests waiting for the other
// servers and the broadcasts collecting their acks, each with its deadline, the count of
// servers (the subscribers of the request channel), and when the other servers are told:
// broadcasts before local delivery, joins and leaves after (applied here at once; Node
// classic waits for its own echo: socket.io #4734), disconnects before. Server thread only.
class adapter_base : public socketio::memory_adapter, public hub_member {
public:
    void broadcast(socketio::packet p, socketio::broadcast_options const& opts) override;
    // With an ack collection open (see open_ack_collection) the broadcast goes out as a
    // request; else without ack.
    void broadcast_with_ack(socketio::packet p, socketio::broadcast_options const& opts,
                            std::function<void(std::size_t)> on_count,
                            std::function<void(json)> on_ack) final;
    void add_sockets(socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms) final;
    void del_sockets(socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms) final;
    void disconnect_sockets(socketio::broadcast_options const& opts, bool close) final;
    void fetch_sockets(socketio::broadcast_options const& opts,
                       socketio::fetch_sockets_handler done) final;
    void server_side_emit(json data, socketio::broadcast_ack_handler done) final;
    void server_count(socketio::server_count_handler done) final;
    // Ends the requests and ack collections whose deadline passed at `now`.
    void expire(util::time_point now) final;
    std::optional<util::time_point> next_deadline() const final;
    std::size_t pending_requests() const final { return requests_.size(); }
    std::size_t pending_acks() const final { return acks_.size(); }

protected:
    // `sharded`: SPUBLISH and PUBSUB SHARDNUMSUB. The derived constructor sets request_channel_.
    adapter_base(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub, bool sharded);
    ~adapter_base() override;

    // The protocol's envelopes: a new request id; the fetch_sockets request `id`; the
    // server_side_emit of `data` (`id` empty: without ack, no answer awaited).
    virtual std::string new_request_id() const = 0;
    virtual std::string fetch_request(std::string const& id,
                                      socketio::broadcast_options const& opts) const = 0;
    virtual std::string server_side_request(std::string const& id, json data) const = 0;
    // The protocol's transport of what the other servers are told (none of it `local`): a
    // broadcast of `p` (`ack_id` empty: without ack, else the request collecting their acks),
    // a join (`join`) or leave of `rooms`, a disconnect.
    virtual void send_broadcast(socketio::packet const& p, socketio::broadcast_options const& opts,
                                std::string const& ack_id) = 0;
    virtual void send_rooms(bool join, socketio::broadcast_options const& opts,
                            std::set<std::string> const& rooms) = 0;
    virtual void send_disconnect(socketio::broadcast_options const& opts, bool close) = 0;
    // SPUBLISH and SHARDNUMSUB rather than PUBLISH and NUMSUB.
    bool sharded() const { return sharded_; }

    // `payload` (JSON or msgpack) decoded within the limits into `out`; false, and counted as
    // dropped_invalid, when it does not decode.
    bool decode_payload(std::string const& payload, json& out);
    // What another server asked for, applied to this server's sockets only (not told again).
    void apply_broadcast(socketio::packet p, socketio::broadcast_options const& opts);
    void apply_rooms(bool join, socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms);
    void apply_disconnect(socketio::broadcast_options const& opts, bool close);
    // Why a request cannot start now: Redis is down, or too many are waiting; else nothing.
    std::error_code refusal() const;
    // Registers the collection of the other servers' acks for a broadcast under `id`, until
    // its ack timeout (the requests timeout when it has none). False when Redis is down or the
    // map is full: then the broadcast goes to the other servers without ack (delivered, their
    // acks not collected: the caller's own timeout ends it with what came).
    bool open_ack_collection(std::string const& id, socketio::broadcast_options const& opts,
                             std::function<void(std::size_t)> const& on_count,
                             std::function<void(json)> const& on_ack);
    // Sends a request that waits for the other servers: their count first, then `payload`
    // published on request_channel_, `r` kept under `id` until every answer or its deadline
    // (or finished at once when alone, when Redis fails, or when the map is full).
    void start_request(pending_request r, std::string id, std::string payload);
    // An answer to our request `id` (its body in the classic shape); the last one finishes it.
    void add_answer(std::string const& id, json const& body);
    // A client count or an ack of our broadcast `id`; true when `id` is one of them.
    bool on_ack_count(std::string const& id, json const& count);
    bool on_ack_packet(std::string const& id, json packet);

    std::shared_ptr<redis_hub> hub_;
    std::string request_channel_;
    deadline_map<pending_request> requests_;
    deadline_map<pending_ack> acks_;

private:
    bool sharded_;
    // Callbacks of Redis replies hold this, weakly: they do nothing once the adapter is gone.
    std::shared_ptr<adapter_base*> alive_;
};

} // namespace kibitz::cluster
