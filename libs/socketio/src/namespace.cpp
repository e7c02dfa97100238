#include "client.hpp"
#include "event.hpp"
#include "guard.hpp"
#include "timer.hpp"
#include "tracker.hpp"

#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/socketio/wire.hpp>
#include <kibitz/util/random.hpp>

namespace kibitz::socketio {

nsp::nsp(detail::passkey<socketio::server>, socketio::server& srv, std::string name)
    : server_(&srv), name_(std::move(name)), tracker_(std::make_shared<detail::nsp_tracker>()) {
    auto const& factory = srv.opts().make_adapter;
    adapter_ = factory ? factory(make_context()) : std::make_unique<memory_adapter>(make_context());
    adapter_->init();
}

adapter_context nsp::make_context() {
    // The adapter is destroyed with the namespace: the functions may hold `this`.
    adapter_context ctx;
    ctx.nsp = name_;
    ctx.recovery = server_->opts().connection_state_recovery;
    ctx.clock = [srv = server_] { return srv->now(); };
    ctx.counters = server_->counters_.get();
    ctx.deliver = [this](std::string const& sid, frames const& parts, bool is_volatile) {
        deliver(sid, parts, is_volatile);
    };
    ctx.deliver_with_ack = [this](std::string const& sid, std::uint64_t ack_id, frames const& parts,
                                  bool is_volatile, util::duration timeout, ack_handler on_ack) {
        return deliver_with_ack(sid, ack_id, parts, is_volatile, timeout, std::move(on_ack));
    };
    ctx.socket_by_id = [this](std::string const& sid) { return socket_by_id(sid); };
    ctx.encode = [srv = server_](packet const& p) {
        return detail::to_wire(p, srv->opts().parser);
    };
    ctx.next_ack_id = [this] { return next_ack_id(); };
    ctx.room_changed = [this](std::string const& room, std::string const& sid, bool joined) {
        server_->notify([&](server_observer const& o) {
            auto const& fn = joined ? o.room_joined : o.room_left;
            if (fn) fn(*this, room, sid);
        });
    };
    ctx.server_side = [this](json data, ack_callback ack) {
        on_server_side_event(std::move(data), std::move(ack));
    };
    ctx.outgoing_watched = [t = tracker_] { return t->watching_outgoing > 0; };
    ctx.outgoing = [this](std::string const& sid, packet const& p) {
        auto s = socket_by_id(sid);
        return !s || s->notify_outgoing(p);
    };
    return ctx;
}

void nsp::server_side_emit_args(std::string_view event, json args) {
    adapter_->server_side_emit(detail::event_data(event, std::move(args)), nullptr);
}

void nsp::server_side_emit_args(std::string_view event, json args, broadcast_ack_handler done) {
    adapter_->server_side_emit(detail::event_data(event, std::move(args)), std::move(done));
}

void nsp::on_server_side(std::string event, server_side_handler handler) {
    server_side_handlers_[std::move(event)] = std::move(handler);
}

void nsp::on_server_side_event(json data, ack_callback ack) {
    // [event, args...]: anything else, or an event nobody handles, is dropped (a waiting
    // server gets its timeout, as from a Node peer without a listener).
    if (!data.is_array() || data.empty() || !data[0].is_string()) return;
    auto it = server_side_handlers_.find(data[0].get<std::string>());
    if (it == server_side_handlers_.end()) return;
    auto handler = it->second;
    json args = json::array();
    for (std::size_t i = 1; i < data.size(); ++i)
        args.push_back(std::move(data[i]));
    detail::run_guarded("server-side handler of", it->first, [&] { handler(args, ack); });
}

nsp::~nsp() {
    tracker_->on_idle = nullptr;
}

std::size_t nsp::live_sockets() const {
    return tracker_->live;
}

void nsp::use(middleware m) {
    middlewares_.push_back(std::move(m));
}

void nsp::on_connection(connection_handler handler) {
    connection_handlers_.push_back(std::move(handler));
}

void nsp::inherit(nsp const& parent) {
    middlewares_ = parent.middlewares_;
    connection_handlers_ = parent.connection_handlers_;
    server_side_handlers_ = parent.server_side_handlers_;
}

socket_ptr nsp::socket_by_id(std::string const& id) const {
    auto it = sockets_.find(id);
    return it == sockets_.end() ? nullptr : it->second;
}

std::vector<socket_ptr> nsp::sockets() const {
    std::vector<socket_ptr> out;
    out.reserve(sockets_.size());
    for (auto const& [id, s] : sockets_)
        out.push_back(s);
    return out;
}

void nsp::add(std::shared_ptr<detail::client> client, json auth) {
    // socket.io 4.6: a CONNECT with {pid, offset} may restore a session that ended abnormally.
    if (server_->opts().connection_state_recovery && auth.is_object()) {
        auto pid = auth.find("pid");
        auto offset = auth.find("offset");
        if (pid != auth.end() && pid->is_string() && offset != auth.end() && offset->is_string()) {
            auto p = pid->get<std::string>();
            auto o = offset->get<std::string>();
            return restore(std::move(client), std::move(auth), p, o);
        }
    }
    add_restored(client, std::move(auth), std::nullopt);
}

void nsp::restore(std::shared_ptr<detail::client> client, json auth, std::string const& pid,
                  std::string const& offset) {
    // The adapter may answer later (Redis): the client keeps this namespace's packets until
    // then. Whichever comes first, the answer or the timeout, goes on; the other is dropped.
    struct wait {
        std::shared_ptr<detail::client> client;
        json auth;
        std::shared_ptr<detail::timer> timeout;
        bool done = false;
    };
    auto const& recovery = *server_->opts().connection_state_recovery;
    client->restore_started(name_, recovery.max_packets_while_restoring);
    auto w = std::make_shared<wait>(wait{std::move(client), std::move(auth), nullptr, false});
    std::weak_ptr<nsp*> weak = self_;
    auto finish = [weak](wait& state, std::optional<restored_session> restored) {
        auto self = weak.lock();
        if (!self || state.done) return;
        state.done = true;
        state.timeout.reset();
        (**self).add_restored(state.client, std::move(state.auth), std::move(restored));
    };
    std::weak_ptr<wait> weak_wait = w;
    w->timeout =
        detail::timer::start(server_->io_context(), recovery.restore_timeout, [weak_wait, finish] {
            if (auto state = weak_wait.lock()) finish(*state, std::nullopt);
        });
    adapter_->restore_session(
        pid, offset, [w, finish](std::optional<restored_session> r) { finish(*w, std::move(r)); });
}

void nsp::add_restored(std::shared_ptr<detail::client> const& client, json auth,
                       std::optional<restored_session> restored) {
    auto const& recovery = server_->opts().connection_state_recovery;
    auto kept = client->restore_ended(name_);
    if (!client->open()) return;
    if (restored && sockets_.count(restored->session.sid)) restored.reset();
    // The auth is kept once, by the socket, for its handshake(); the middlewares read it there.
    socket_ptr s;
    if (restored) {
        s = std::make_shared<socket>(detail::passkey<nsp>{}, *this, client, std::move(auth),
                                     restored->session.sid, restored->session.pid);
        s->set_recovered(std::move(*restored));
    } else {
        auto pid = recovery ? util::random_id(128) : std::string();
        s = std::make_shared<socket>(detail::passkey<nsp>{}, *this, client, std::move(auth),
                                     util::random_id(120), std::move(pid));
    }
    if (s->recovered() && recovery->skip_middlewares)
        connect(s);
    else
        run_middlewares(s, 0);
    // What the client sent while it waited, in order: to its socket if connected by now (a
    // packet for a socket still in its middlewares closes the client, as any would).
    for (auto& p : kept) {
        if (!client->open()) break;
        client->replay(std::move(p));
    }
}

void nsp::refuse(socket& s, std::string_view message, json data) {
    // Node sends {message} or {message, data} in CONNECT_ERROR.
    json payload = {{"message", std::string(message)}};
    if (!data.is_null()) payload["data"] = std::move(data);
    s.client().send(packet{packet_type::connect_error, name_, std::nullopt, std::move(payload)});
}

void nsp::run_middlewares(socket_ptr s, std::size_t index) {
    if (!s->client().open()) return;
    if (index == middlewares_.size()) return connect(s);
    auto called = std::make_shared<bool>(false);
    auto next = [this, s, index, called](std::optional<connect_error> error) {
        if (*called) return;
        *called = true;
        if (!s->client().open()) return;
        if (error) return refuse(*s, error->message, std::move(error->data));
        run_middlewares(s, index + 1);
    };
    auto m = middlewares_[index];
    bool const ok = detail::run_guarded("middleware of", name_, [&] { m(*s, std::move(next)); });
    if (ok) return;
    // A middleware that threw before calling next() refuses; after, its socket is closed.
    if (!*called) {
        *called = true;
        if (s->client().open()) refuse(*s, wire::error_server_error);
    } else {
        s->disconnect();
    }
}

void nsp::connect(socket_ptr s) {
    if (!s->client().open()) return;
    // The key views the id of the socket it maps to: a socket replacing another of the same
    // id (none today) brings its own key.
    sockets_.erase(s->id());
    sockets_.emplace(s->id(), s);
    s->client().add_socket(s);
    // A recovered socket gets its rooms back, then the CONNECT reply, then the events it
    // missed, in order and once (socket.io 4.6).
    auto restored = s->take_restored();
    if (restored) s->join(restored->session.rooms);
    s->on_connect();
    server_->notify([&](server_observer const& o) {
        if (o.socket_connected) o.socket_connected(*s);
    });
    if (restored)
        for (auto& data : restored->missed)
            s->client().send(packet{packet_type::event, name_, std::nullopt, std::move(data)});
    auto handlers = connection_handlers_;
    for (auto const& h : handlers) {
        if (!s->connected()) break;
        if (!detail::run_guarded("connection handler of", name_, [&] { h(s); }))
            return s->disconnect();
    }
}

void nsp::remove(socket& s) {
    auto it = sockets_.find(s.id());
    if (it != sockets_.end() && it->second.get() == &s) sockets_.erase(it);
}

void nsp::deliver(std::string const& sid, frames const& parts, bool is_volatile) {
    auto it = sockets_.find(sid);
    if (it == sockets_.end()) return;
    it->second->client().send_parts(parts, is_volatile);
}

bool nsp::deliver_with_ack(std::string const& sid, std::uint64_t ack_id, frames const& parts,
                           bool is_volatile, util::duration timeout, ack_handler on_ack) {
    auto it = sockets_.find(sid);
    if (it == sockets_.end()) return false;
    auto const& s = it->second;
    if (!s->register_ack(ack_id, std::move(on_ack), timeout)) return false;
    s->client().send_parts(parts, is_volatile);
    return true;
}

} // namespace kibitz::socketio
