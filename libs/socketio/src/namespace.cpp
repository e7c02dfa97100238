#include "client.hpp"

#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/util/random.hpp>

namespace kibitz::socketio {

nsp::nsp(socketio::server& srv, std::string name) : server_(&srv), name_(std::move(name)) {
    auto const& factory = srv.opts().make_adapter;
    adapter_ = factory ? factory(*this) : std::make_unique<memory_adapter>(*this);
}

nsp::~nsp() = default;

void nsp::use(middleware m) {
    middlewares_.push_back(std::move(m));
}

void nsp::on_connection(connection_handler handler) {
    connection_handlers_.push_back(std::move(handler));
}

void nsp::inherit(nsp const& parent) {
    middlewares_ = parent.middlewares_;
    connection_handlers_ = parent.connection_handlers_;
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
    auto hs = client->make_handshake(auth);
    auto const& recovery = server_->opts().connection_state_recovery;
    // socket.io 4.6: a CONNECT with {pid, offset} may restore a session that ended abnormally.
    if (recovery && auth.is_object() && auth.contains("pid") && auth["pid"].is_string() &&
        auth.contains("offset") && auth["offset"].is_string()) {
        auto restored = adapter_->restore_session(auth["pid"].get<std::string>(),
                                                  auth["offset"].get<std::string>());
        if (restored && !sockets_.count(restored->session.sid)) {
            auto s = std::make_shared<socket>(*this, client, std::move(hs), restored->session.sid,
                                              restored->session.pid);
            s->set_recovered(std::move(*restored));
            if (recovery->skip_middlewares) return connect(s);
            return run_middlewares(s, 0, true, std::move(auth));
        }
    }
    auto pid = recovery ? util::random_id(128) : std::string();
    auto s = std::make_shared<socket>(*this, client, std::move(hs), util::random_id(128),
                                      std::move(pid));
    run_middlewares(s, 0, false, std::move(auth));
}

void nsp::run_middlewares(socket_ptr s, std::size_t index, bool recovered, json auth) {
    if (!s->client().open()) return;
    if (index == middlewares_.size()) return connect(s);
    auto called = std::make_shared<bool>(false);
    auto next = [this, s, index, recovered, auth, called](std::optional<connect_error> error) {
        if (*called) return;
        *called = true;
        if (!s->client().open()) return;
        if (error) {
            // Node sends {message} or {message, data} in CONNECT_ERROR.
            json payload = {{"message", error->message}};
            if (!error->data.is_null()) payload["data"] = error->data;
            s->client().send(
                packet{packet_type::connect_error, name_, std::nullopt, std::move(payload)});
            return;
        }
        run_middlewares(s, index + 1, recovered, auth);
    };
    auto m = middlewares_[index];
    m(*s, std::move(next));
}

void nsp::connect(socket_ptr s) {
    if (!s->client().open()) return;
    sockets_[s->id()] = s;
    s->client().add_socket(s);
    // A recovered socket gets its rooms back, then the CONNECT reply, then the events it
    // missed, in order and once (socket.io 4.6).
    auto restored = s->take_restored();
    if (restored) s->join(restored->session.rooms);
    s->on_connect();
    if (restored)
        for (auto& data : restored->missed)
            s->client().send(packet{packet_type::event, name_, std::nullopt, std::move(data)});
    auto handlers = connection_handlers_;
    for (auto const& h : handlers) {
        if (!s->connected()) break;
        h(s);
    }
}

void nsp::remove(socket& s) {
    auto it = sockets_.find(s.id());
    if (it != sockets_.end() && it->second.get() == &s) sockets_.erase(it);
}

void nsp::deliver(std::string const& sid, std::vector<engineio::outgoing_ptr> const& parts,
                  bool is_volatile) {
    auto it = sockets_.find(sid);
    if (it == sockets_.end()) return;
    it->second->client().send_parts(parts, is_volatile);
}

} // namespace kibitz::socketio
