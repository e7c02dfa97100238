#include "adapter_base.hpp"

#include <kibitz/cluster/messages.hpp>

#include <algorithm>

namespace kibitz::cluster {

adapter_base::adapter_base(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub,
                           bool sharded)
    : memory_adapter(std::move(ctx)), hub_(std::move(hub)),
      requests_(hub_->opts().max_pending_requests), acks_(hub_->opts().max_pending_acks),
      sharded_(sharded), alive_(std::make_shared<adapter_base*>(this)) {}

adapter_base::~adapter_base() {
    // The namespace goes with us: its callbacks are not called any more.
    requests_.clear();
    acks_.clear();
}

void adapter_base::broadcast(socketio::packet p, socketio::broadcast_options const& opts) {
    // Published before local delivery, as Node does; `local` stays here.
    if (!opts.local) send_broadcast(p, opts, {});
    memory_adapter::broadcast(std::move(p), opts);
}

void adapter_base::broadcast_with_ack(socketio::packet p, socketio::broadcast_options const& opts,
                                      std::function<void(std::size_t)> on_count,
                                      std::function<void(json)> on_ack) {
    if (!opts.local) {
        auto id = new_request_id();
        if (!open_ack_collection(id, opts, on_count, on_ack)) id.clear();
        send_broadcast(p, opts, id);
    }
    memory_adapter::broadcast_with_ack(std::move(p), opts, std::move(on_count), std::move(on_ack));
}

void adapter_base::add_sockets(socketio::broadcast_options const& opts,
                               std::set<std::string> const& rooms) {
    memory_adapter::add_sockets(opts, rooms);
    if (!opts.local) send_rooms(true, opts, rooms);
}

void adapter_base::del_sockets(socketio::broadcast_options const& opts,
                               std::set<std::string> const& rooms) {
    memory_adapter::del_sockets(opts, rooms);
    if (!opts.local) send_rooms(false, opts, rooms);
}

void adapter_base::disconnect_sockets(socketio::broadcast_options const& opts, bool close) {
    if (!opts.local) send_disconnect(opts, close);
    memory_adapter::disconnect_sockets(opts, close);
}

void adapter_base::apply_broadcast(socketio::packet p, socketio::broadcast_options const& opts) {
    memory_adapter::broadcast(std::move(p), opts);
}

void adapter_base::apply_rooms(bool join, socketio::broadcast_options const& opts,
                               std::set<std::string> const& rooms) {
    if (join) return memory_adapter::add_sockets(opts, rooms);
    memory_adapter::del_sockets(opts, rooms);
}

void adapter_base::apply_disconnect(socketio::broadcast_options const& opts, bool close) {
    memory_adapter::disconnect_sockets(opts, close);
}

void adapter_base::fetch_sockets(socketio::broadcast_options const& opts,
                                 socketio::fetch_sockets_handler done) {
    auto local = local_socket_infos(opts);
    if (opts.local) return done({}, std::move(local));
    if (auto ec = refusal()) return done(ec, std::move(local));
    pending_request r;
    r.type = request_type::remote_fetch;
    r.sockets = std::move(local);
    r.on_sockets = std::move(done);
    auto id = new_request_id();
    auto payload = fetch_request(id, opts);
    start_request(std::move(r), std::move(id), std::move(payload));
}

void adapter_base::server_side_emit(json data, socketio::broadcast_ack_handler done) {
    if (!done)
        return hub_->publish(request_channel_, server_side_request({}, std::move(data)), nullptr,
                             sharded_);
    if (auto ec = refusal()) return done(ec, {});
    pending_request r;
    r.type = request_type::server_side_emit;
    r.on_responses = std::move(done);
    auto id = new_request_id();
    auto payload = server_side_request(id, std::move(data));
    start_request(std::move(r), std::move(id), std::move(payload));
}

void adapter_base::server_count(socketio::server_count_handler done) {
    hub_->numsub(
        request_channel_,
        [done](std::error_code ec, std::size_t n) {
            if (ec) return done(ec, 1);
            done({}, n == 0 ? 1 : n);
        },
        sharded_);
}

bool adapter_base::decode_payload(std::string const& payload, json& out) {
    if (!decode_object(payload, out, hub_->opts().limits)) return true;
    ++hub_->stats().dropped_invalid;
    return false;
}

std::error_code adapter_base::refusal() const {
    if (!hub_->publisher_up()) return errc::not_connected;
    if (requests_.size() >= requests_.max()) return errc::too_many_requests;
    return {};
}

bool adapter_base::open_ack_collection(std::string const& id,
                                       socketio::broadcast_options const& opts,
                                       std::function<void(std::size_t)> const& on_count,
                                       std::function<void(json)> const& on_ack) {
    if (!hub_->publisher_up()) return false;
    auto const timeout =
        opts.ack_timeout.count() > 0 ? opts.ack_timeout : hub_->opts().requests_timeout;
    if (!acks_.add(id, pending_ack{ctx_.clock() + timeout, on_count, on_ack})) return false;
    hub_->wake_at(*acks_.next_deadline());
    return true;
}

void adapter_base::start_request(pending_request r, std::string id, std::string payload) {
    std::weak_ptr<adapter_base*> weak = alive_;
    auto state = std::make_shared<pending_request>(std::move(r));
    auto on_count = [weak, state, id = std::move(id),
                     payload = std::move(payload)](std::error_code ec, std::size_t servers) {
        auto self = weak.lock();
        if (!self) return;
        auto& a = **self;
        if (ec) return state->finish(errc::not_connected);
        // The count includes us; alone (or not yet subscribed), our own part is the answer.
        if (servers <= 1) return state->finish({});
        state->expected = servers - 1;
        state->deadline = a.ctx_.clock() + a.hub_->opts().requests_timeout;
        if (!a.requests_.add(id, std::move(*state))) return state->finish(errc::too_many_requests);
        ++a.hub_->stats().requests_sent;
        a.hub_->publish(
            a.request_channel_, payload,
            [weak, id](std::error_code pec) {
                auto s = weak.lock();
                if (!s || !pec) return;
                if (auto req = (**s).requests_.take(id)) req->finish(pec);
            },
            a.sharded_);
        a.hub_->wake_at(*a.requests_.next_deadline());
    };
    hub_->numsub(request_channel_, std::move(on_count), sharded_);
}

void adapter_base::add_answer(std::string const& id, json const& body) {
    auto* r = requests_.find(id);
    if (!r || !r->add_answer(body)) return;
    ++hub_->stats().requests_answered;
    requests_.take(id)->finish({});
}

bool adapter_base::on_ack_count(std::string const& id, json const& count) {
    auto* a = acks_.find(id);
    if (!a) return false;
    if (count.is_number_integer() && count.get<std::int64_t>() >= 0)
        a->on_count(count.get<std::size_t>());
    return true;
}

bool adapter_base::on_ack_packet(std::string const& id, json packet) {
    auto* a = acks_.find(id);
    if (!a) return false;
    a->on_ack(std::move(packet));
    return true;
}

void adapter_base::expire(util::time_point now) {
    auto expired = requests_.expire(now);
    hub_->stats().requests_timed_out += expired.size();
    for (auto& r : expired)
        r.finish(errc::timed_out);
    // An ack collection past its timeout just ends: the caller's own timer reports it.
    acks_.expire(now);
}

std::optional<util::time_point> adapter_base::next_deadline() const {
    auto a = requests_.next_deadline();
    auto b = acks_.next_deadline();
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
}

} // namespace kibitz::cluster
