#include "redis_adapter_impl.hpp"
#include "redis_hub.hpp"

#include <kibitz/socketio/server.hpp>
#include <kibitz/util/random.hpp>

namespace kibitz::cluster {

namespace {

int type_number(request_type t) {
    return static_cast<int>(t);
}

} // namespace

redis_adapter::redis_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub)
    : memory_adapter(std::move(ctx)), hub_(std::move(hub)),
      chans_(channels::make(hub_->opts().prefix, ctx_.nsp)),
      requests_(hub_->opts().max_pending_requests), acks_(hub_->opts().max_pending_acks),
      self_(std::make_shared<redis_adapter*>(this)) {
    hub_->attach(*this);
}

redis_adapter::~redis_adapter() {
    hub_->detach(*this);
    // The namespace goes with us: its callbacks are not called any more.
    requests_.clear();
    acks_.clear();
}

std::string redis_adapter::new_request_id() const {
    return util::random_id(32);
}

void redis_adapter::broadcast(socketio::packet p, socketio::broadcast_options const& opts) {
    // Published before local delivery, as Node does; `local` stays here.
    if (!opts.local)
        hub_->publish(chans_.broadcast_to(opts), encode_broadcast(hub_->uid(), p, opts));
    memory_adapter::broadcast(std::move(p), opts);
}

void redis_adapter::broadcast_with_ack(socketio::packet p, socketio::broadcast_options const& opts,
                                       std::function<void(std::size_t)> on_count,
                                       std::function<void(json)> on_ack) {
    if (!opts.local && hub_->publisher_up()) {
        auto id = new_request_id();
        auto timeout =
            opts.ack_timeout.count() > 0 ? opts.ack_timeout : hub_->opts().requests_timeout;
        pending_ack entry{ctx_.clock() + timeout, on_count, on_ack};
        // Full: the other servers are not asked (the caller's own timeout ends it).
        if (acks_.add(id, std::move(entry))) {
            hub_->publish(chans_.request, encode_broadcast_request(hub_->uid(), id, p, opts));
            hub_->wake_at(*acks_.next_deadline());
        }
    }
    memory_adapter::broadcast_with_ack(std::move(p), opts, std::move(on_count), std::move(on_ack));
}

void redis_adapter::start_request(pending_request r, fields body) {
    std::weak_ptr<redis_adapter*> weak = self_;
    auto state = std::make_shared<pending_request>(std::move(r));
    hub_->numsub(chans_.request, [weak, state, body = std::move(body)](
                                     std::error_code ec, std::size_t servers) mutable {
        auto self = weak.lock();
        if (!self) return;
        auto& a = **self;
        if (ec) return state->finish(errc::not_connected);
        // NUMSUB counts us; alone (or not yet subscribed), our own part is the answer.
        if (servers <= 1) return state->finish({});
        state->expected = servers - 1;
        state->deadline = a.ctx_.clock() + a.hub_->opts().requests_timeout;
        auto id = body[1].second.get<std::string>();
        if (!a.requests_.add(id, std::move(*state))) return state->finish(errc::too_many_requests);
        a.hub_->publish(a.chans_.request, encode_object(body), [weak, id](std::error_code pec) {
            auto s = weak.lock();
            if (!s || !pec) return;
            if (auto req = (**s).requests_.take(id)) req->finish(pec);
        });
        a.hub_->wake_at(*a.requests_.next_deadline());
    });
}

void redis_adapter::fetch_sockets(socketio::broadcast_options const& opts,
                                  socketio::fetch_sockets_handler done) {
    auto local = local_socket_infos(opts);
    if (opts.local) return done({}, std::move(local));
    if (!hub_->publisher_up()) return done(errc::not_connected, std::move(local));
    if (requests_.size() >= requests_.max()) return done(errc::too_many_requests, std::move(local));
    pending_request r;
    r.type = request_type::remote_fetch;
    r.sockets = std::move(local);
    r.on_sockets = std::move(done);
    fields body = {{"uid", hub_->uid()},
                   {"requestId", new_request_id()},
                   {"type", type_number(request_type::remote_fetch)},
                   {"opts", encode_opts(opts, false)}};
    start_request(std::move(r), std::move(body));
}

void redis_adapter::all_rooms(socketio::all_rooms_handler done) {
    auto local = rooms();
    if (!hub_->publisher_up()) return done(errc::not_connected, std::move(local));
    if (requests_.size() >= requests_.max()) return done(errc::too_many_requests, std::move(local));
    pending_request r;
    r.type = request_type::all_rooms;
    r.rooms = std::move(local);
    r.on_rooms = std::move(done);
    fields body = {{"uid", hub_->uid()},
                   {"requestId", new_request_id()},
                   {"type", type_number(request_type::all_rooms)}};
    start_request(std::move(r), std::move(body));
}

void redis_adapter::server_side_emit(json data, socketio::broadcast_ack_handler done) {
    if (!done) {
        fields body = {{"uid", hub_->uid()},
                       {"type", type_number(request_type::server_side_emit)},
                       {"data", std::move(data)}};
        return hub_->publish(chans_.request, encode_object(body));
    }
    if (!hub_->publisher_up()) return done(errc::not_connected, {});
    if (requests_.size() >= requests_.max()) return done(errc::too_many_requests, {});
    pending_request r;
    r.type = request_type::server_side_emit;
    r.on_responses = std::move(done);
    fields body = {{"uid", hub_->uid()},
                   {"requestId", new_request_id()},
                   {"type", type_number(request_type::server_side_emit)},
                   {"data", std::move(data)}};
    start_request(std::move(r), std::move(body));
}

void redis_adapter::server_count(socketio::server_count_handler done) {
    hub_->numsub(chans_.request, [done](std::error_code ec, std::size_t n) {
        if (ec) return done(ec, 1);
        done({}, n == 0 ? 1 : n);
    });
}

void redis_adapter::add_sockets(socketio::broadcast_options const& opts,
                                std::set<std::string> const& rooms) {
    // Applied here now (Node waits for its own echo from Redis, socket.io #4734), then told.
    memory_adapter::add_sockets(opts, rooms);
    if (opts.local) return;
    json list = json::array();
    for (auto const& r : rooms)
        list.push_back(r);
    hub_->publish(chans_.request, encode_object({{"uid", hub_->uid()},
                                                 {"type", type_number(request_type::remote_join)},
                                                 {"opts", encode_opts(opts, false)},
                                                 {"rooms", std::move(list)}}));
}

void redis_adapter::del_sockets(socketio::broadcast_options const& opts,
                                std::set<std::string> const& rooms) {
    memory_adapter::del_sockets(opts, rooms);
    if (opts.local) return;
    json list = json::array();
    for (auto const& r : rooms)
        list.push_back(r);
    hub_->publish(chans_.request, encode_object({{"uid", hub_->uid()},
                                                 {"type", type_number(request_type::remote_leave)},
                                                 {"opts", encode_opts(opts, false)},
                                                 {"rooms", std::move(list)}}));
}

void redis_adapter::disconnect_sockets(socketio::broadcast_options const& opts, bool close) {
    if (!opts.local)
        hub_->publish(chans_.request,
                      encode_object({{"uid", hub_->uid()},
                                     {"type", type_number(request_type::remote_disconnect)},
                                     {"opts", encode_opts(opts, false)},
                                     {"close", close}}));
    memory_adapter::disconnect_sockets(opts, close);
}

void redis_adapter::expire(util::time_point now) {
    for (auto& r : requests_.expire(now))
        r.finish(errc::timed_out);
    // An ack collection past its timeout just ends: the caller's own timer reports it.
    acks_.expire(now);
}

std::optional<util::time_point> redis_adapter::next_deadline() const {
    auto a = requests_.next_deadline();
    auto b = acks_.next_deadline();
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
}

} // namespace kibitz::cluster
