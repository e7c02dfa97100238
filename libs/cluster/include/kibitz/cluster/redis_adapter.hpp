#pragma once

#include <kibitz/cluster/messages.hpp>
#include <kibitz/redis/url.hpp>
#include <kibitz/socketio/adapter.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

// The Redis adapter: Kibitz servers, and Node socket.io servers with @socket.io/redis-adapter
// 8.3 (the classic protocol, docs/cluster.md), share one Redis and broadcast, fetch and join
// across each other as one server.
namespace kibitz::cluster {

// Which of Node's Redis adapters the cluster speaks (docs/cluster.md): every server of one
// cluster uses the same, and never shares a prefix with the other kind.
enum class protocol : std::uint8_t {
    classic, // createAdapter (8.x): PUBLISH, PSUBSCRIBE, requests 0-9
    sharded, // createShardedAdapter: SPUBLISH/SSUBSCRIBE (Redis >= 7), ClusterAdapter messages,
             // subscriptionMode "dynamic" (a channel per public room)
    streams, // @socket.io/redis-streams-adapter 0.3: durable messages in a Redis stream (XADD,
             // XREAD), the others PUBLISHed; connection state recovery across servers
};

// The streams protocol (docs/cluster.md), named after the options of Node's createAdapter.
struct streams_options {
    // The stream every server of the cluster XADDs to and reads (Node's streamName); one
    // stream (Node's streamCount 1).
    std::string stream_name = "socket.io";
    // XADD MAXLEN ~ (Node's maxLen): older entries are trimmed, so a client away for longer
    // than this many messages cannot be recovered.
    std::size_t max_len = 10000;
    // XREAD COUNT (Node's readCount): entries handled per read.
    std::size_t read_count = 100;
    // XREAD BLOCK (Node's blockTimeInMs), at most ping_interval so the reader's health PING
    // is answered between two reads.
    util::duration block_time{5000};
    // Sessions kept for connection state recovery: SET <prefix><pid> ... PX
    // <maxDisconnectionDuration> (Node's sessionKeyPrefix).
    std::string session_key_prefix = "sio:session:";
    // A restore reads the entries after the client's offset with XRANGE ... COUNT this, at
    // most restore_max_calls times (Node: 100 unbounded XRANGEs); a client further behind is
    // not recovered (it connects as new) rather than recovered with a gap.
    std::size_t restore_batch = 1000;
    std::size_t restore_max_calls = 100;
};

struct redis_adapter_options {
    redis::url url;
    cluster::protocol protocol = cluster::protocol::classic;
    // Channel prefix (Node's `key`): every server of one cluster uses the same.
    std::string prefix = "socket.io";
    // fetch_sockets, all_rooms and server_side_emit with ack end with errc::timed_out and what
    // came after this long (Node's requestsTimeout, 5000 ms).
    util::duration requests_timeout{5000};
    // Requests of one namespace awaiting answers; one more fails at once (too_many_requests).
    std::size_t max_pending_requests = 1000;
    // Broadcasts with ack of one namespace collecting the other servers' answers; past it a
    // broadcast with ack reaches this server's sockets only.
    std::size_t max_pending_acks = 1000;
    // Health PING on both connections (redis::connection_options::ping_interval): a Redis, or
    // a path to it, that freezes without closing is dropped after two silent ticks, and the
    // subscriber reconnects and resubscribes.
    util::duration ping_interval = std::chrono::seconds(4);
    // Messages from Redis past these limits are dropped (and counted).
    message_limits limits;
    streams_options streams;
};

// What the adapters of one server did, for tests and metrics.
struct redis_adapter_stats {
    std::uint64_t published = 0;       // PUBLISH sent
    std::uint64_t publish_dropped = 0; // not sent: Redis down (nothing is queued for later)
    std::uint64_t received = 0;        // messages read from our channels
    std::uint64_t dropped_invalid = 0; // malformed messages dropped
    std::uint64_t dropped_room = 0;    // room broadcasts for a room we do not have (not decoded)
    std::size_t pending_requests = 0;  // now, every namespace
    std::size_t pending_acks = 0;      // now, every namespace
    // Requests to the other servers (fetch_sockets, all_rooms, server_side_emit with ack...):
    // published, answered by every server, ended by the requests timeout.
    std::uint64_t requests_sent = 0;
    std::uint64_t requests_answered = 0;
    std::uint64_t requests_timed_out = 0;
    std::uint64_t reconnects = 0; // connects of the publisher and subscriber after their first
    // Streams protocol: entries read from the stream, and sessions restored / not restored.
    std::uint64_t stream_entries = 0;
    std::uint64_t sessions_restored = 0;
    std::uint64_t sessions_not_restored = 0;
};

class redis_hub;

// The Redis connections of one server (a publisher and a subscriber, shared by the adapters of
// every namespace, as Node shares its pub/sub clients), and the factory of its adapters. Create
// it before the socketio::server, give factory() to server_options::make_adapter, keep it while
// the server lives. Server thread only.
class redis_cluster {
public:
    redis_cluster(boost::asio::io_context& ioc, redis_adapter_options opts);
    ~redis_cluster();
    redis_cluster(redis_cluster const&) = delete;
    redis_cluster& operator=(redis_cluster const&) = delete;

    socketio::adapter_factory factory() const;
    // This server's uid on the wire (6 characters, as Node's uid2(6)).
    std::string const& uid() const;
    // Both connections ready.
    bool connected() const;
    // No command awaits its reply (a SET of a session persisted at shutdown included).
    bool flushed() const;
    redis_adapter_stats stats() const;

private:
    std::shared_ptr<redis_hub> hub_;
};

} // namespace kibitz::cluster
