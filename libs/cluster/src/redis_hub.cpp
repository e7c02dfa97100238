#include "redis_hub.hpp"
#include "redis_adapter_impl.hpp"
#include "sharded_adapter.hpp"
#include "streams_adapter.hpp"
#include "streams_reader.hpp"

#include <kibitz/util/random.hpp>

#include <algorithm>

namespace kibitz::cluster {

namespace {

redis::connection_options connection_opts(redis_adapter_options const& o,
                                          redis::connection_mode mode) {
    redis::connection_options c;
    c.url = o.url;
    c.mode = mode;
    c.ping_interval = o.ping_interval;
    c.limits.max_bulk_bytes = std::max(c.limits.max_bulk_bytes, o.limits.msgpack.max_bytes);
    return c;
}

} // namespace

redis_hub::redis_hub(net::asio::io_context& ioc, redis_adapter_options opts)
    : ioc_(ioc), opts_(std::move(opts)), uid_(util::random_id(32)),
      pub_(ioc, connection_opts(opts_, redis::connection_mode::command)),
      sub_(ioc, connection_opts(opts_, redis::connection_mode::subscriber)), timer_(ioc) {}

redis_hub::~redis_hub() {
    timer_.cancel();
    if (reader_) reader_->stop();
    pub_.close();
    sub_.close();
}

void redis_hub::start() {
    std::weak_ptr<redis_hub> weak = shared_from_this();
    sub_.on_push([weak](redis::push const& p) {
        if (auto self = weak.lock()) self->on_push(p);
    });
    pub_.start();
    sub_.start();
}

void redis_hub::attach(redis_adapter& a) {
    auto const& c = a.chans();
    adapters_.push_back(&a);
    by_pattern_[c.pattern] = &a;
    for (auto const& ch : {c.request, c.response, c.response_to(uid_)})
        by_channel_[ch] = &a;
    sub_.psubscribe(c.pattern);
    sub_.subscribe(c.request);
    sub_.subscribe(c.response);
    sub_.subscribe(c.response_to(uid_));
}

void redis_hub::detach(redis_adapter& a) {
    auto const& c = a.chans();
    adapters_.erase(std::remove(adapters_.begin(), adapters_.end(), &a), adapters_.end());
    by_pattern_.erase(c.pattern);
    for (auto const& ch : {c.request, c.response, c.response_to(uid_)})
        by_channel_.erase(ch);
    sub_.punsubscribe(c.pattern);
    sub_.unsubscribe(c.request);
    sub_.unsubscribe(c.response);
    sub_.unsubscribe(c.response_to(uid_));
}

void redis_hub::join(hub_member& m) {
    adapters_.push_back(&m);
}

void redis_hub::leave(hub_member& m) {
    adapters_.erase(std::remove(adapters_.begin(), adapters_.end(), &m), adapters_.end());
}

void redis_hub::shard_subscribe(std::string const& channel, shard_handler handler) {
    by_shard_channel_[channel] = std::move(handler);
    sub_.ssubscribe(channel);
}

void redis_hub::shard_unsubscribe(std::string const& channel) {
    by_shard_channel_.erase(channel);
    sub_.sunsubscribe(channel);
}

void redis_hub::channel_subscribe(std::string const& channel, shard_handler handler) {
    by_plain_channel_[channel] = std::move(handler);
    sub_.subscribe(channel);
}

void redis_hub::channel_unsubscribe(std::string const& channel) {
    by_plain_channel_.erase(channel);
    sub_.unsubscribe(channel);
}

void redis_hub::command(std::vector<std::string> args, redis::reply_handler done) {
    if (!pub_.connected()) {
        net::asio::post(ioc_, [done] { done(errc::not_connected, {}); });
        return;
    }
    pub_.send(std::move(args), std::move(done));
}

stream_reader& redis_hub::reader() {
    if (!reader_) {
        reader_ = std::make_shared<stream_reader>(
            ioc_, connection_opts(opts_, redis::connection_mode::command), opts_);
        reader_->start();
    }
    return *reader_;
}

void redis_hub::on_push(redis::push const& p) {
    if (p.kind == redis::push_kind::smessage) {
        auto it = by_shard_channel_.find(p.channel);
        if (it == by_shard_channel_.end()) return;
        ++stats_.received;
        auto handler = it->second;
        return handler(p.channel, p.payload);
    }
    if (p.kind == redis::push_kind::pmessage) {
        auto it = by_pattern_.find(p.pattern);
        if (it == by_pattern_.end()) return;
        ++stats_.received;
        return it->second->on_broadcast(p.channel, p.payload);
    }
    if (p.kind != redis::push_kind::message) return;
    if (auto plain = by_plain_channel_.find(p.channel); plain != by_plain_channel_.end()) {
        ++stats_.received;
        auto handler = plain->second;
        return handler(p.channel, p.payload);
    }
    auto it = by_channel_.find(p.channel);
    if (it == by_channel_.end()) return;
    ++stats_.received;
    if (p.channel == it->second->chans().request) return it->second->on_request(p.payload);
    it->second->on_response(p.payload);
}

void redis_hub::publish(std::string const& channel, std::string payload,
                        std::function<void(std::error_code)> done, bool sharded) {
    // Fail fast while down: a message published now would be seen by nobody anyway (classic
    // pub/sub keeps nothing), and nothing waits in a queue that could grow.
    if (!pub_.connected()) {
        ++stats_.publish_dropped;
        if (done) net::asio::post(ioc_, [done] { done(errc::not_connected); });
        return;
    }
    ++stats_.published;
    pub_.send({sharded ? "SPUBLISH" : "PUBLISH", channel, std::move(payload)},
              [done = std::move(done)](std::error_code ec, redis::value reply) {
                  if (!done) return;
                  if (!ec && reply.is_error()) ec = errc::not_connected;
                  done(ec);
              });
}

void redis_hub::numsub(std::string const& channel,
                       std::function<void(std::error_code, std::size_t)> done, bool sharded) {
    if (!pub_.connected()) {
        net::asio::post(ioc_, [done] { done(errc::not_connected, 0); });
        return;
    }
    pub_.send({"PUBSUB", sharded ? "SHARDNUMSUB" : "NUMSUB", channel}, [done](std::error_code ec,
                                                                              redis::value reply) {
        // [channel, count]
        if (ec) return done(ec, 0);
        if (reply.type != redis::type::array || reply.elements.size() != 2 ||
            reply.elements[1].type != redis::type::integer || reply.elements[1].integer < 0)
            return done(errc::not_connected, 0);
        done({}, static_cast<std::size_t>(reply.elements[1].integer));
    });
}

void redis_hub::wake_at(util::time_point at) {
    if (armed_ && *armed_ <= at) return;
    armed_ = at;
    timer_.expires_at(at);
    std::weak_ptr<redis_hub> weak = shared_from_this();
    timer_.async_wait([weak](net::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_timer();
    });
}

void redis_hub::on_timer() {
    armed_.reset();
    auto const now = util::steady_clock::now();
    // An adapter's completion may destroy a namespace (and detach): iterate over a copy, and
    // only over adapters still attached.
    auto list = adapters_;
    for (auto* a : list)
        if (std::find(adapters_.begin(), adapters_.end(), a) != adapters_.end()) a->expire(now);
    std::optional<util::time_point> next;
    for (auto* a : adapters_)
        if (auto d = a->next_deadline(); d && (!next || *d < *next)) next = d;
    if (next) wake_at(*next);
}

redis_adapter_stats redis_hub::stats_now() const {
    auto s = stats_;
    auto again = [](std::size_t connects) { return connects > 1 ? connects - 1 : 0; };
    s.reconnects = again(pub_.connects()) + again(sub_.connects());
    s.pending_requests = 0;
    s.pending_acks = 0;
    if (reader_) {
        s.stream_entries = reader_->entries();
        s.dropped_invalid += reader_->dropped_invalid();
    }
    for (auto* a : adapters_) {
        s.pending_requests += a->pending_requests();
        s.pending_acks += a->pending_acks();
    }
    return s;
}

redis_cluster::redis_cluster(boost::asio::io_context& ioc, redis_adapter_options opts)
    : hub_(std::make_shared<redis_hub>(ioc, std::move(opts))) {
    hub_->start();
}

redis_cluster::~redis_cluster() = default;

socketio::adapter_factory redis_cluster::factory() const {
    return [hub = hub_](socketio::adapter_context ctx) -> std::unique_ptr<socketio::adapter> {
        if (hub->opts().protocol == protocol::sharded)
            return std::make_unique<sharded_adapter>(std::move(ctx), hub);
        if (hub->opts().protocol == protocol::streams)
            return std::make_unique<streams_adapter>(std::move(ctx), hub);
        return std::make_unique<redis_adapter>(std::move(ctx), hub);
    };
}

std::string const& redis_cluster::uid() const {
    return hub_->uid();
}

bool redis_cluster::connected() const {
    return hub_->connected();
}

bool redis_cluster::flushed() const {
    return hub_->flushed();
}

redis_adapter_stats redis_cluster::stats() const {
    return hub_->stats_now();
}

} // namespace kibitz::cluster
