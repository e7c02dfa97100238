#include "client.hpp"
#include "event.hpp"
#include "guard.hpp"
#include "socket_extras.hpp"
#include "socket_guard.hpp"
#include "timer.hpp"
#include "tracker.hpp"

#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/socketio/wire.hpp>

#include <algorithm>

namespace kibitz::socketio {

socket::socket(detail::passkey<socketio::nsp>, socketio::nsp& n,
               std::shared_ptr<detail::client> client, json auth, std::string id, std::string pid)
    : nsp_(&n), client_(std::move(client)),
      auth_(auth.is_object() && !auth.empty() ? std::move(auth) : json()), issued_(util::unix_ms()),
      id_(std::move(id)), pid_(std::move(pid)), tracker_(n.tracker()) {
    ++tracker_->live;
    client_->joining_started();
}

socket::~socket() {
    end_joining();
    if (extras_ && !extras_->any_outgoing.empty()) --tracker_->watching_outgoing;
    // The namespace may be removed now (a dynamic child left empty): touch nsp_ no more.
    tracker_->released();
}

void socket::end_joining() {
    if (!joining_) return;
    joining_ = false;
    client_->joining_ended();
}

socketio::handshake const& socket::handshake() const {
    if (!handshake_)
        handshake_ = std::make_unique<socketio::handshake>(
            client_->make_handshake(std::exchange(auth_, json()), issued_));
    return *handshake_;
}

std::string_view socket::transport() const {
    return client_->conn().transport();
}

std::string const& socket::client_id() const {
    return client_->conn().id();
}

std::optional<std::int64_t> socket::rtt_ms() const {
    auto const rtt = client_->conn().rtt();
    if (!rtt) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*rtt).count();
}

void socket::on_disconnecting(disconnect_handler handler) {
    more().on_disconnecting = std::move(handler);
}
void socket::on_disconnect(disconnect_handler handler) {
    on_disconnect_ = std::move(handler);
}

bool socket::notify_outgoing(packet const& p) {
    // An event's data is [event, args...] (detail::event_data, or a broadcast's packet).
    if (!extras_ || extras_->any_outgoing.empty() || !p.data.is_array() || p.data.empty() ||
        !p.data[0].is_string())
        return true;
    auto const& event = p.data[0].get_ref<std::string const&>();
    json const args(p.data.begin() + 1, p.data.end());
    auto self = shared_from_this();
    auto listeners = extras_->any_outgoing;
    for (auto& l : listeners) {
        if (!guarded("on_any_outgoing handler of", event, [&] { l.fn(*this, event, args); }))
            return false;
        if (!connected_) return false;
    }
    return true;
}

void socket::emit_args(std::string_view event, json args) {
    send_event(event, std::move(args), false);
}

void socket::emit_args_volatile(std::string_view event, json args) {
    send_event(event, std::move(args), true);
}

void socket::send_event(std::string_view event, json args, bool is_volatile) {
    if (!connected_) return;
    packet p{packet_type::event, nsp_->name(), std::nullopt,
             detail::event_data(event, std::move(args))};
    // With recovery, a socket's own events go through the adapter so they get an offset and
    // are kept for a reconnect (socket.io 4.6 does the same); volatile ones are not kept. The
    // adapter runs the outgoing listeners then (with the offset, as Node's do).
    if (!is_volatile && nsp_->server().opts().connection_state_recovery) {
        broadcast_options opts;
        opts.rooms.insert(id_);
        return nsp_->adapter().broadcast(std::move(p), opts);
    }
    if (!notify_outgoing(p)) return;
    send_packet(std::move(p), is_volatile);
}

socket_emitter socket::timeout(util::duration d) {
    return {shared_from_this(), d, false};
}

socket_emitter socket::volatile_() {
    return {shared_from_this(), std::nullopt, true};
}

void socket_emitter::emit_args(std::string_view event, json args) const {
    socket_->send_event(event, std::move(args), is_volatile_);
}

void socket_emitter::emit_args_with_ack(std::string_view event, json args, ack_handler done) const {
    socket_->send_with_ack(event, std::move(args), timeout_.value_or(util::duration::zero()),
                           std::move(done), is_volatile_);
}

void socket::emit_args_with_ack(std::string_view event, json args, util::duration timeout,
                                ack_handler done) {
    send_with_ack(event, std::move(args), timeout, std::move(done), false);
}

void socket::send_with_ack(std::string_view event, json args, util::duration timeout,
                           ack_handler done, bool is_volatile) {
    if (!connected_) {
        if (done) done(std::make_error_code(std::errc::not_connected), json::array());
        return;
    }
    auto id = nsp_->next_ack_id();
    packet p{packet_type::event, nsp_->name(), id, detail::event_data(event, std::move(args))};
    if (!notify_outgoing(p)) {
        if (done) done(std::make_error_code(std::errc::not_connected), json::array());
        return;
    }
    if (!register_ack(id, done, timeout)) {
        // A client that leaves max_pending_acks unanswered gets no more requests for acks.
        if (done) done(std::make_error_code(std::errc::no_buffer_space), json::array());
        return;
    }
    send_packet(std::move(p), is_volatile);
}

bool socket::register_ack(std::uint64_t id, ack_handler handler, util::duration timeout) {
    auto& acks = more().acks;
    if (acks.size() >= nsp_->server().opts().max_pending_acks) return false;
    // The handler is shared by the socket (for the ack) and the timer (for the timeout); the
    // timeout fires even after the socket is gone, as in Node (socket.timeout(ms).emit).
    auto shared = std::make_shared<ack_handler>(std::move(handler));
    pending_ack pending{shared, {}};
    if (timeout.count() > 0) {
        std::weak_ptr<socket> weak = shared_from_this();
        auto& srv = nsp_->server();
        pending.timer = detail::timer::start_detached(
            srv.io_context(), timeout, [weak, id, shared, counts = srv.counters_] {
                auto self = weak.lock();
                if (self && self->extras_) self->extras_->acks.erase(id);
                auto h = std::move(*shared);
                *shared = nullptr;
                if (!h) return;
                ++counts->ack_timeouts;
                auto timed_out = [&] {
                    h(std::make_error_code(std::errc::timed_out), json::array());
                };
                if (self) return void(self->guarded("ack timeout handler of", "", timed_out));
                detail::run_guarded("ack timeout handler", "", timed_out);
            });
    }
    acks[id] = std::move(pending);
    return true;
}

void socket::send_packet(packet p, bool is_volatile) {
    client_->send(p, is_volatile);
}

void socket::join(std::string room) {
    nsp_->adapter().add_all(id_, {std::move(room)});
}

void socket::join(std::set<std::string> const& rooms) {
    nsp_->adapter().add_all(id_, rooms);
}

void socket::leave(std::string const& room) {
    nsp_->adapter().del(id_, room);
}

std::set<std::string> socket::rooms() const {
    return nsp_->adapter().socket_rooms(id_);
}

broadcast_operator socket::broadcast() const {
    broadcast_options opts;
    opts.except.insert(id_);
    return broadcast_operator(*nsp_, std::move(opts));
}

void socket::disconnect(bool close) {
    if (!connected_) return;
    if (close) return client_->disconnect_all();
    client_->send(packet{packet_type::disconnect, nsp_->name(), std::nullopt, nullptr});
    on_close(wire::reason_server_namespace_disconnect);
}

void socket::on_connect() {
    end_joining();
    connected_ = true;
    join(id_);
    json payload = {{"sid", id_}};
    if (!pid_.empty()) payload["pid"] = pid_;
    client_->send(packet{packet_type::connect, nsp_->name(), std::nullopt, std::move(payload)});
    // The CONNECT reply leaves in a write of its own, before what the connection handlers emit
    // (the official suite's raw client drops a frame that arrives in the same read).
    client_->conn().flush();
}

void socket::on_connect_repeated() {
    json payload = {{"sid", id_}};
    if (!pid_.empty()) payload["pid"] = pid_;
    client_->send(packet{packet_type::connect, nsp_->name(), std::nullopt, std::move(payload)});
}

void socket::set_recovered(restored_session r) {
    recovered_ = true;
    data = r.session.data;
    restored_ = std::make_unique<restored_session>(std::move(r));
}

std::optional<restored_session> socket::take_restored() {
    if (!restored_) return std::nullopt;
    auto r = std::move(*restored_);
    restored_.reset();
    return r;
}

void socket::on_packet(packet& p) {
    switch (p.type) {
    case packet_type::event:
    case packet_type::binary_event:
        return on_event(p);
    case packet_type::ack:
    case packet_type::binary_ack:
        return on_ack(p);
    case packet_type::disconnect:
        return on_close(wire::reason_client_namespace_disconnect);
    case packet_type::connect:
    case packet_type::connect_error:
        return;
    }
}

void socket::on_ack(packet& p) {
    if (!p.id || !extras_) return;
    auto& acks = extras_->acks;
    auto it = acks.find(*p.id);
    if (it == acks.end()) return;
    auto pending = std::move(it->second);
    acks.erase(it);
    if (auto t = pending.timer.lock()) t->cancel();
    auto h = std::move(*pending.handler);
    *pending.handler = nullptr;
    json args = p.has_data() ? std::move(p.data) : json::array();
    auto self = shared_from_this();
    if (h) guarded("ack handler of", nsp_->name(), [&] { h({}, std::move(args)); });
}

void socket::on_close(std::string_view reason) {
    if (!connected_) return;
    auto self = shared_from_this();
    if (extras_ && extras_->on_disconnecting) {
        auto disconnecting = extras_->on_disconnecting;
        detail::run_guarded("disconnecting handler of", nsp_->name(),
                            [&] { disconnecting(*this, reason); });
        if (!connected_) return; // it disconnected the socket itself
    }
    auto const& recovery = nsp_->server().opts().connection_state_recovery;
    auto const& recoverable = wire::recoverable_reasons;
    if (recovery &&
        std::find(recoverable.begin(), recoverable.end(), reason) != recoverable.end()) {
        auto& a = nsp_->adapter();
        a.persist_session({id_, pid_, rooms(), data, a.context().clock()});
    }
    nsp_->adapter().del_all(id_);
    connected_ = false;
    nsp_->remove(*this);
    client_->remove_socket(*this);
    // Handlers may hold this socket: drop them (ending the cycle) before the last call.
    auto on_disconnect = std::move(on_disconnect_);
    handlers_.clear();
    on_disconnect_ = nullptr;
    if (extras_) {
        auto& x = *extras_;
        x.any.clear();
        if (!x.any_outgoing.empty()) --tracker_->watching_outgoing;
        x.any_outgoing.clear();
        x.packet_middlewares.clear();
        x.on_error = nullptr;
        x.on_disconnecting = nullptr;
    }
    nsp_->server().notify([&](server_observer const& o) {
        if (o.socket_disconnected) o.socket_disconnected(*this, reason);
    });
    if (on_disconnect)
        detail::run_guarded("disconnect handler of", nsp_->name(),
                            [&] { on_disconnect(*this, reason); });
}

} // namespace kibitz::socketio
