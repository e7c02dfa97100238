#include "sharded_adapter.hpp"

#include <kibitz/util/random.hpp>

namespace kibitz::cluster {

namespace {

using ordered = nlohmann::ordered_json;

std::string hex_id() {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : util::random_bytes(8)) {
        auto const b = static_cast<unsigned char>(c);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

// Node's looksLikeASocketId: a room of 20 characters goes on the namespace channel.
bool looks_like_socket_id(std::string const& room) {
    return room.size() == 20;
}

} // namespace

sharded_adapter::sharded_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub)
    : memory_adapter(std::move(ctx)), hub_(std::move(hub)), uid_(hex_id()),
      channel_(hub_->opts().prefix + "#" + ctx_.nsp + "#"),
      response_channel_(channel_ + uid_ + "#"), requests_(hub_->opts().max_pending_requests),
      acks_(hub_->opts().max_pending_acks), self_(std::make_shared<sharded_adapter*>(this)) {
    hub_->join(*this);
    std::weak_ptr<sharded_adapter*> weak = self_;
    auto handler = [weak](std::string const&, std::string const& payload) {
        if (auto self = weak.lock()) (**self).on_message(payload);
    };
    hub_->shard_subscribe(channel_, handler);
    hub_->shard_subscribe(response_channel_, handler);
}

sharded_adapter::~sharded_adapter() {
    hub_->leave(*this);
    hub_->shard_unsubscribe(channel_);
    hub_->shard_unsubscribe(response_channel_);
    for (auto const& room : room_channels_)
        hub_->shard_unsubscribe(room_channel(room));
    requests_.clear();
    acks_.clear();
}

std::string sharded_adapter::new_request_id() const {
    return hex_id();
}

void sharded_adapter::sync_rooms(std::set<std::string> const& touched) {
    std::weak_ptr<sharded_adapter*> weak = self_;
    for (auto const& room : touched) {
        bool const exists = !local_sids({{room}, {}}).empty();
        // Public: not the own room of one of our sockets (Node's shouldUseASeparateNamespace).
        bool const is_public = socket_rooms(room).empty();
        bool const subscribed = room_channels_.count(room) != 0;
        if (exists && is_public && !subscribed) {
            room_channels_.insert(room);
            hub_->shard_subscribe(room_channel(room),
                                  [weak](std::string const&, std::string const& p) {
                                      if (auto self = weak.lock()) (**self).on_message(p);
                                  });
        } else if (!exists && subscribed) {
            room_channels_.erase(room);
            hub_->shard_unsubscribe(room_channel(room));
        }
    }
}

void sharded_adapter::add_all(std::string const& sid, std::set<std::string> const& rooms) {
    memory_adapter::add_all(sid, rooms);
    sync_rooms(rooms);
}

void sharded_adapter::del(std::string const& sid, std::string const& room) {
    memory_adapter::del(sid, room);
    sync_rooms({room});
}

void sharded_adapter::del_all(std::string const& sid) {
    auto rooms = socket_rooms(sid);
    memory_adapter::del_all(sid);
    sync_rooms(rooms);
}

void sharded_adapter::publish(sharded_type type, ordered data, std::string const& channel) {
    hub_->publish(channel, encode_envelope(type, data, uid_, ctx_.nsp), nullptr, true);
}

void sharded_adapter::broadcast(socketio::packet p, socketio::broadcast_options const& opts) {
    if (!opts.local) {
        // A broadcast to one public room goes on that room's channel (dynamic mode).
        auto channel = channel_;
        if (opts.rooms.size() == 1 && !looks_like_socket_id(*opts.rooms.begin()))
            channel = room_channel(*opts.rooms.begin());
        ordered packet = {{"type", 2}, {"data", to_ordered(p.data)}};
        publish(sharded_type::broadcast, {{"packet", packet}, {"opts", encode_sharded_opts(opts)}},
                channel);
    }
    memory_adapter::broadcast(std::move(p), opts);
}

void sharded_adapter::broadcast_with_ack(socketio::packet p,
                                         socketio::broadcast_options const& opts,
                                         std::function<void(std::size_t)> on_count,
                                         std::function<void(json)> on_ack) {
    if (!opts.local && hub_->publisher_up()) {
        auto id = new_request_id();
        auto timeout =
            opts.ack_timeout.count() > 0 ? opts.ack_timeout : hub_->opts().requests_timeout;
        pending_ack entry{ctx_.clock() + timeout, on_count, on_ack};
        if (acks_.add(id, std::move(entry))) {
            ordered packet = {{"type", 2}, {"data", to_ordered(p.data)}};
            publish(sharded_type::broadcast,
                    {{"packet", packet}, {"requestId", id}, {"opts", encode_sharded_opts(opts)}},
                    channel_);
            hub_->wake_at(*acks_.next_deadline());
        }
    }
    memory_adapter::broadcast_with_ack(std::move(p), opts, std::move(on_count), std::move(on_ack));
}

void sharded_adapter::start_request(pending_request r, sharded_type type, ordered data) {
    std::weak_ptr<sharded_adapter*> weak = self_;
    auto state = std::make_shared<pending_request>(std::move(r));
    auto on_count = [weak, state, type, data = std::move(data)](std::error_code ec,
                                                                std::size_t servers) {
        auto self = weak.lock();
        if (!self) return;
        auto& a = **self;
        if (ec) return state->finish(errc::not_connected);
        if (servers <= 1) return state->finish({});
        state->expected = servers - 1;
        state->deadline = a.ctx_.clock() + a.hub_->opts().requests_timeout;
        auto id = data["requestId"].get<std::string>();
        if (!a.requests_.add(id, std::move(*state))) return state->finish(errc::too_many_requests);
        a.hub_->publish(
            a.channel_, encode_envelope(type, data, a.uid_, a.ctx_.nsp),
            [weak, id](std::error_code pec) {
                auto s = weak.lock();
                if (!s || !pec) return;
                if (auto req = (**s).requests_.take(id)) req->finish(pec);
            },
            true);
        a.hub_->wake_at(*a.requests_.next_deadline());
    };
    hub_->numsub(channel_, on_count, true);
}

void sharded_adapter::fetch_sockets(socketio::broadcast_options const& opts,
                                    socketio::fetch_sockets_handler done) {
    auto local = local_socket_infos(opts);
    if (opts.local) return done({}, std::move(local));
    if (!hub_->publisher_up()) return done(errc::not_connected, std::move(local));
    if (requests_.size() >= requests_.max()) return done(errc::too_many_requests, std::move(local));
    pending_request r;
    r.type = request_type::remote_fetch;
    r.sockets = std::move(local);
    r.on_sockets = std::move(done);
    start_request(std::move(r), sharded_type::fetch_sockets,
                  {{"opts", encode_sharded_opts(opts)}, {"requestId", new_request_id()}});
}

void sharded_adapter::server_side_emit(json data, socketio::broadcast_ack_handler done) {
    if (!done)
        return publish(sharded_type::server_side_emit, {{"packet", to_ordered(data)}}, channel_);
    if (!hub_->publisher_up()) return done(errc::not_connected, {});
    if (requests_.size() >= requests_.max()) return done(errc::too_many_requests, {});
    pending_request r;
    r.type = request_type::server_side_emit;
    r.on_responses = std::move(done);
    start_request(std::move(r), sharded_type::server_side_emit,
                  {{"requestId", new_request_id()}, {"packet", to_ordered(data)}});
}

void sharded_adapter::server_count(socketio::server_count_handler done) {
    hub_->numsub(
        channel_,
        [done](std::error_code ec, std::size_t n) {
            if (ec) return done(ec, 1);
            done({}, n == 0 ? 1 : n);
        },
        true);
}

void sharded_adapter::add_sockets(socketio::broadcast_options const& opts,
                                  std::set<std::string> const& rooms) {
    memory_adapter::add_sockets(opts, rooms);
    if (opts.local) return;
    ordered list = ordered::array();
    for (auto const& r : rooms)
        list.push_back(r);
    publish(sharded_type::sockets_join, {{"opts", encode_sharded_opts(opts)}, {"rooms", list}},
            channel_);
}

void sharded_adapter::del_sockets(socketio::broadcast_options const& opts,
                                  std::set<std::string> const& rooms) {
    memory_adapter::del_sockets(opts, rooms);
    if (opts.local) return;
    ordered list = ordered::array();
    for (auto const& r : rooms)
        list.push_back(r);
    publish(sharded_type::sockets_leave, {{"opts", encode_sharded_opts(opts)}, {"rooms", list}},
            channel_);
}

void sharded_adapter::disconnect_sockets(socketio::broadcast_options const& opts, bool close) {
    if (!opts.local)
        publish(sharded_type::disconnect_sockets,
                {{"opts", encode_sharded_opts(opts)}, {"close", close}}, channel_);
    memory_adapter::disconnect_sockets(opts, close);
}

void sharded_adapter::expire(util::time_point now) {
    for (auto& r : requests_.expire(now))
        r.finish(errc::timed_out);
    acks_.expire(now);
}

std::optional<util::time_point> sharded_adapter::next_deadline() const {
    auto a = requests_.next_deadline();
    auto b = acks_.next_deadline();
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
}

} // namespace kibitz::cluster
