#pragma once

#include "cluster_adapter.hpp"
#include "redis_hub.hpp"

#include <kibitz/cluster/messages.hpp>
#include <kibitz/cluster/streams_messages.hpp>
#include <kibitz/socketio/adapter.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace kibitz::cluster {

// The adapter of one namespace for Node's @socket.io/redis-streams-adapter 0.3.1
// (docs/cluster.md): ClusterAdapter messages (cluster_adapter); BROADCAST without ack,
// SOCKETS_JOIN, SOCKETS_LEAVE and DISCONNECT_SOCKETS are XADDed to the stream (MAXLEN ~) and
// read back by every server's stream_reader; BROADCAST with ack, FETCH_SOCKETS and
// SERVER_SIDE_EMIT are PUBLISHed in msgpack, as every answer. Server count:
// PUBSUB NUMSUB of "<prefix>#<nsp>#" (0.3 has no heartbeats). With connection state recovery,
// an EVENT broadcast without ack and not volatile carries its stream id as last argument (the
// sender delivers it locally once XADD answers); sessions are kept in Redis (SET ... PX), and a
// restore reads the entries after the offset (XRANGE), so a client recovers on any server.
// Joins, leaves and disconnects are applied here at once (Node waits for its XADD). Server
// thread only.
class streams_adapter : public cluster_adapter {
public:
    streams_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub);
    ~streams_adapter() override;

    // Subscribes the channels and attaches to the stream reader; close() undoes both.
    void init() override;
    void close() override;

    void broadcast(socketio::packet p, socketio::broadcast_options const& opts) override;

    // SET <session_key_prefix><pid> base64(msgpack) PX <max_disconnection_duration>.
    void persist_session(socketio::session_record record) override;
    // MULTI GET DEL EXEC of the session and XRANGE of the offset (both must exist), then the
    // entries after it (streams_session.cpp).
    void restore_session(std::string const& pid, std::string const& offset,
                         socketio::restore_handler done) override;
    // Redis expires the sessions (PX) and trims the stream (MAXLEN): nothing to prune here.
    void prune(util::time_point) override {}

private:
    struct restore_state;
    // XADD of a durable message; `done` (optional) gets the entry id, or an error.
    void xadd(sharded_type type, nlohmann::ordered_json const& data,
              std::function<void(std::error_code, std::string)> done);
    std::string encode(sharded_type type, nlohmann::ordered_json const& data) const override;
    void send_durable(sharded_type type, nlohmann::ordered_json const& data,
                      socketio::broadcast_options const& opts) override;
    // From the stream: its entry id is the offset (Node's addOffsetIfNecessary).
    void deliver_broadcast(socketio::packet p, socketio::broadcast_options const& opts,
                           std::string const& offset) override;
    // The offset (a stream id) goes last in `p`'s arguments when recovery stores it.
    bool takes_offset(socketio::packet const& p, socketio::broadcast_options const& opts) const;

    // From the reader: an entry, with its id.
    void on_entry(stream_entry& e);

    void restore_scan(std::shared_ptr<restore_state> const& st);
    void restore_batch(std::shared_ptr<restore_state> const& st, redis::value const& reply);
    void restore_end(std::shared_ptr<restore_state> const& st, bool ok);

    bool started_ = false;
    std::shared_ptr<streams_adapter*> self_;
};

} // namespace kibitz::cluster
