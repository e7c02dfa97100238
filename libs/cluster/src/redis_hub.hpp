#pragma once

#include <kibitz/cluster/redis_adapter.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/redis/connection.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kibitz::cluster {

class redis_adapter;
class stream_reader;

// What the hub's timer and stats need of an adapter, whichever protocol it speaks.
class hub_member {
public:
    virtual ~hub_member() = default;
    // Ends the requests and ack collections whose deadline passed at `now`.
    virtual void expire(util::time_point now) = 0;
    virtual std::optional<util::time_point> next_deadline() const = 0;
    virtual std::size_t pending_requests() const = 0;
    virtual std::size_t pending_acks() const = 0;
};

using shard_handler = std::function<void(std::string const& channel, std::string const& payload)>;

// The shared part of one server's adapters: the publisher and subscriber connections, the
// routing of subscribed messages to the adapter of their namespace, and the one timer that
// expires their requests. Lives as long as the last adapter or the redis_cluster (shared_ptr).
class redis_hub : public std::enable_shared_from_this<redis_hub> {
public:
    redis_hub(net::asio::io_context& ioc, redis_adapter_options opts);
    ~redis_hub();

    // Starts the connections (once the hub is owned by a shared_ptr).
    void start();

    // An adapter's channels: subscribed now and after every reconnect, routed to it.
    void attach(redis_adapter& a);
    void detach(redis_adapter& a);
    // A sharded adapter: its timer and stats, and its shard channels (SSUBSCRIBE), each routed
    // to its handler.
    void join(hub_member& m);
    void leave(hub_member& m);
    void shard_subscribe(std::string const& channel, shard_handler handler);
    void shard_unsubscribe(std::string const& channel);

    // A plain channel (SUBSCRIBE) routed to `handler` (the streams adapter's); subscribed now
    // and after every reconnect.
    void channel_subscribe(std::string const& channel, shard_handler handler);
    void channel_unsubscribe(std::string const& channel);
    // Any command on the publisher (XADD, XRANGE, SET, MULTI...): fails fast (posted
    // not_connected) while it is down, nothing queued for later.
    void command(std::vector<std::string> args, redis::reply_handler done);
    // The reader of the streams protocol's stream (one per server, made on first use).
    stream_reader& reader();
    // No command of ours awaits its reply (a shutdown waits for this before it stops).
    bool flushed() const { return pub_.pending() == 0; }

    // PUBLISH (SPUBLISH when sharded); dropped (and counted) while the publisher is down.
    // `done` (optional) gets the outcome.
    void publish(std::string const& channel, std::string payload,
                 std::function<void(std::error_code)> done = nullptr, bool sharded = false);
    // PUBSUB NUMSUB (SHARDNUMSUB when sharded) of `channel`: the subscribers (servers) of it.
    void numsub(std::string const& channel, std::function<void(std::error_code, std::size_t)> done,
                bool sharded = false);
    // Calls expire() of every adapter at `at` (or earlier if asked again with an earlier time).
    void wake_at(util::time_point at);

    bool connected() const { return pub_.connected() && sub_.connected(); }
    bool publisher_up() const { return pub_.connected(); }
    std::string const& uid() const { return uid_; }
    redis_adapter_options const& opts() const { return opts_; }
    redis_adapter_stats& stats() { return stats_; }
    redis_adapter_stats stats_now() const;

private:
    void on_push(redis::push const& p);
    void on_timer();

    net::asio::io_context& ioc_;
    redis_adapter_options opts_;
    std::string uid_;
    redis::connection pub_;
    redis::connection sub_;
    // By pattern (broadcasts), and by channel (requests, responses).
    std::unordered_map<std::string, redis_adapter*> by_pattern_;
    std::unordered_map<std::string, redis_adapter*> by_channel_;
    std::unordered_map<std::string, shard_handler> by_shard_channel_;
    std::unordered_map<std::string, shard_handler> by_plain_channel_;
    std::shared_ptr<stream_reader> reader_;
    std::vector<hub_member*> adapters_;
    net::asio::steady_timer timer_;
    std::optional<util::time_point> armed_;
    redis_adapter_stats stats_;
};

} // namespace kibitz::cluster
