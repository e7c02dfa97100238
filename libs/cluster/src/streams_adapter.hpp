#pragma once

#include "adapter_base.hpp"
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
// (docs/cluster.md): ClusterAdapter messages; BROADCAST without ack, SOCKETS_JOIN,
// SOCKETS_LEAVE and DISCONNECT_SOCKETS are XADDed to the stream (MAXLEN ~) and read back by
// every server's stream_reader; BROADCAST with ack, FETCH_SOCKETS and SERVER_SIDE_EMIT are
// PUBLISHed in msgpack on "<prefix>#<nsp>#", answers on "<prefix>#<nsp>#<uid>#". Server count:
// PUBSUB NUMSUB of "<prefix>#<nsp>#" (0.3 has no heartbeats). With connection state recovery,
// an EVENT broadcast without ack and not volatile carries its stream id as last argument (the
// sender delivers it locally once XADD answers); sessions are kept in Redis (SET ... PX), and a
// restore reads the entries after the offset (XRANGE), so a client recovers on any server.
// Joins, leaves and disconnects are applied here at once (Node waits for its XADD). No
// all_rooms across servers (ClusterAdapter has none). Server thread only.
class streams_adapter : public adapter_base {
public:
    streams_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub);
    ~streams_adapter() override;

    // Subscribes the channels and attaches to the stream reader; close() undoes both.
    void init() override;
    void close() override;

    void broadcast(socketio::packet p, socketio::broadcast_options const& opts) override;
    void broadcast_with_ack(socketio::packet p, socketio::broadcast_options const& opts,
                            std::function<void(std::size_t)> on_count,
                            std::function<void(json)> on_ack) override;
    void add_sockets(socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms) override;
    void del_sockets(socketio::broadcast_options const& opts,
                     std::set<std::string> const& rooms) override;
    void disconnect_sockets(socketio::broadcast_options const& opts, bool close) override;

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
    void publish_to(std::string const& channel, sharded_type type,
                    nlohmann::ordered_json const& data);
    // The offset (a stream id) goes last in `p`'s arguments when recovery stores it.
    bool takes_offset(socketio::packet const& p, socketio::broadcast_options const& opts) const;

    // From the reader (an entry, with its id) and the subscriber (a msgpack envelope).
    void on_entry(stream_entry& e);
    void on_published(std::string const& payload);
    void on_message(int type, json const& data, std::string const& from, std::string const& offset);
    void on_broadcast(json const& data, std::string const& from, std::string const& offset);
    void on_fetch(json const& data, std::string const& from);
    void on_server_side(json const& data, std::string const& from);
    void on_response(int type, json const& data);

    void restore_scan(std::shared_ptr<restore_state> const& st);
    void restore_batch(std::shared_ptr<restore_state> const& st, redis::value const& reply);
    void restore_end(std::shared_ptr<restore_state> const& st, bool ok);

    std::string new_request_id() const override;
    std::string fetch_request(std::string const& id,
                              socketio::broadcast_options const& opts) const override;
    std::string server_side_request(std::string const& id, json data) const override;

    std::string uid_;     // 16 hex characters, as ClusterAdapter's randomId()
    std::string channel_; // "<prefix>#<nsp>#"
    std::string response_channel_;
    bool started_ = false;
    std::shared_ptr<streams_adapter*> self_;
};

} // namespace kibitz::cluster
