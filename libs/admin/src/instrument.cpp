// The Admin UI instrument: setup, auth, the stats timer and the server observer. The admin
// socket's own events (config, all_sockets, commands) are in instrument_commands.cpp.
#include "instrument_impl.hpp"

#include <kibitz/admin/bcrypt.hpp>
#include <kibitz/admin/serialize.hpp>
#include <kibitz/engineio/server.hpp>
#include <kibitz/engineio/socket.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/util/log.hpp>
#include <kibitz/util/random.hpp>

#include <unistd.h>

#include <array>
#include <stdexcept>

namespace kibitz::admin {

namespace {
constexpr std::string_view invalid_credentials = "invalid credentials";
constexpr std::size_t max_pending_sessions = 64;

std::string host_name() {
    std::array<char, 256> buf{};
    if (gethostname(buf.data(), buf.size() - 1) != 0) return "localhost";
    return buf.data();
}

std::string to_hex(std::string const& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char ch : bytes) {
        auto c = static_cast<unsigned char>(ch);
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0xf]);
    }
    return out;
}

// Equal strings, in a time that depends on their lengths only.
bool same(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
    return diff == 0;
}

std::string string_field(json const& auth, char const* name) {
    if (!auth.is_object()) return {};
    auto it = auth.find(name);
    return it != auth.end() && it->is_string() ? it->get<std::string>() : std::string();
}
} // namespace

std::optional<std::string> validate(options const& o) {
    if (o.namespace_name.empty() || o.namespace_name[0] != '/')
        return "the admin namespace must start with '/'";
    if (o.stats_interval.count() <= 0) return "the stats interval must be positive";
    if (o.auth == auth_mode::off) return std::nullopt;
    if (o.username.empty()) return "basic auth needs a username (--admin-user)";
    if (!is_bcrypt_hash(o.password_hash))
        return "the admin password hash must be a bcrypt hash ($2b$10$...)";
    return std::nullopt;
}

instrument::impl::impl(socketio::server& io, options o)
    : io_(io), opts_(std::move(o)), hostname_(host_name()), admin_(io.of(opts_.namespace_name)),
      development_(opts_.mode == mode::development), started_(util::steady_clock::now()),
      timer_(io.io_context()) {
    server_id_ =
        opts_.server_id.empty() ? hostname_ + "#" + std::to_string(getpid()) : opts_.server_id;
}

void instrument::impl::start() {
    std::weak_ptr<impl> weak = shared_from_this();
    if (opts_.auth == auth_mode::basic) {
        auto& ioc = io_.io_context();
        verifier_ = std::make_unique<verifier>(
            opts_.password_hash,
            [&ioc](std::function<void()> fn) { net::asio::post(ioc, std::move(fn)); },
            opts_.max_pending_logins);
    } else {
        util::log(util::log_level::warn, "admin: authentication is off for ", opts_.namespace_name);
    }
    admin_.use([weak](socketio::socket& s, socketio::next_fn next) {
        if (auto self = weak.lock()) return self->authenticate(s, std::move(next));
        next(socketio::connect_error{std::string(invalid_credentials), nullptr});
    });
    admin_.on_connection([weak](socketio::socket_ptr s) {
        if (auto self = weak.lock()) self->on_admin_connection(std::move(s));
    });
    observer_ = io_.observe(make_observer());
    last_traffic_ = io_.traffic();
    // Node emits the first stats at once, then every interval.
    later([](impl& self) {
        self.emit_stats();
        self.arm_stats_timer();
    });
}

void instrument::impl::stop() {
    io_.unobserve(observer_);
    timer_.cancel();
    verifier_.reset();
}

void instrument::impl::authenticate(socketio::socket& s, socketio::next_fn next) {
    if (opts_.auth == auth_mode::off) return next(std::nullopt);
    auto const& auth = s.handshake().auth;
    auto sid = string_field(auth, "sessionId");
    if (!sid.empty() && sessions_.count(sid)) return next(std::nullopt);
    if (sid.empty() || !opts_.shared_sessions.exists) return check_password(s.id(), auth, next);
    // Another node's session (Node's RedisStore): asked for, then the credentials as in Node.
    std::weak_ptr<impl> weak = shared_from_this();
    opts_.shared_sessions.exists(
        sid, [weak, sid, id = s.id(), auth, next = std::move(next)](bool found) {
            auto self = weak.lock();
            if (!self) return;
            if (!found) return self->check_password(id, auth, next);
            self->remember(sid);
            next(std::nullopt);
        });
}

void instrument::impl::check_password(std::string const& sid, json const& auth,
                                      socketio::next_fn next) {
    auto refuse = [](socketio::next_fn const& n) {
        n(socketio::connect_error{std::string(invalid_credentials), nullptr});
    };
    if (!same(string_field(auth, "username"), opts_.username)) return refuse(next);
    std::weak_ptr<impl> weak = shared_from_this();
    auto done = [weak, id = sid, next, refuse](bool match) {
        auto self = weak.lock();
        if (!self || !match) return refuse(next);
        if (self->pending_sessions_.size() >= max_pending_sessions) self->pending_sessions_.clear();
        self->pending_sessions_[id] = self->new_session();
        next(std::nullopt);
    };
    // A full queue of checks refuses at once: logins are not worth an unbounded backlog.
    if (!verifier_->check(string_field(auth, "password"), done)) refuse(next);
}

std::string instrument::impl::new_session() {
    auto id = to_hex(util::random_bytes(8));
    remember(id);
    if (opts_.shared_sessions.save) opts_.shared_sessions.save(id);
    return id;
}

void instrument::impl::remember(std::string const& id) {
    if (!sessions_.insert(id).second) return;
    session_order_.push_back(id);
    while (session_order_.size() > opts_.max_sessions) {
        sessions_.erase(session_order_.front());
        session_order_.pop_front();
    }
}

void instrument::impl::arm_stats_timer() {
    timer_.expires_after(opts_.stats_interval);
    std::weak_ptr<impl> weak = shared_from_this();
    timer_.async_wait([weak](net::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        self->emit_stats();
        self->arm_stats_timer();
    });
}

void instrument::impl::emit_stats() {
    auto now = opts_.wall_clock();
    // The traffic since the last stats, counted at this second (Node counts each packet at its
    // own second: the graphs are the same at the UI's resolution).
    auto const& t = io_.traffic();
    events_.push(now, event_packets_in, {}, t.packets_in - last_traffic_.packets_in);
    events_.push(now, event_packets_out, {}, t.packets_out - last_traffic_.packets_out);
    events_.push(now, event_bytes_in, {}, t.bytes_in - last_traffic_.bytes_in);
    events_.push(now, event_bytes_out, {}, t.bytes_out - last_traffic_.bytes_out);
    last_traffic_ = t;
    stats_input in;
    in.server_id = server_id_;
    in.hostname = hostname_;
    in.pid = getpid();
    in.uptime_seconds = std::chrono::duration<double>(util::steady_clock::now() - started_).count();
    in.clients_count = io_.engine().clients_count();
    in.polling_clients_count = io_.engine().polling_clients_count();
    in.events = events_.take();
    for (auto const& name : io_.namespace_names())
        if (auto* n = io_.find(name)) in.namespaces.emplace_back(name, n->sockets_count());
    admin_.emit("server_stats", server_stats(in));
    if (development_) check_transports();
}

void instrument::impl::check_transports() {
    for (auto it = tracked_.begin(); it != tracked_.end();) {
        auto s = it->second.socket.lock();
        if (!s || !s->connected()) {
            it = tracked_.erase(it);
            continue;
        }
        ensure_admin_data(*s);
        if (auto now = s->transport(); now != it->second.transport) {
            it->second.transport = std::string(now);
            admin_.emit("socket_updated",
                        json{{"id", s->id()}, {"nsp", s->ns().name()}, {"transport", now}});
        }
        ++it;
    }
}

void instrument::impl::later(std::function<void(impl&)> fn) {
    std::weak_ptr<impl> weak = shared_from_this();
    net::asio::post(io_.io_context(), [weak, fn = std::move(fn)] {
        if (auto self = weak.lock()) fn(*self);
    });
}

void instrument::impl::broadcast_later(std::string event, json args) {
    later([event = std::move(event), args = std::move(args)](impl& self) mutable {
        self.admin_.emit_args(event, std::move(args));
    });
}

socketio::server_observer instrument::impl::make_observer() {
    socketio::server_observer o;
    // The observer is removed in stop(), before this object goes: `this` is safe here.
    o.engine_opened = [this](engineio::socket const&) {
        events_.push(opts_.wall_clock(), event_raw_connection);
    };
    o.engine_closed = [this](std::string_view reason) {
        events_.push(opts_.wall_clock(), event_raw_disconnection, reason);
    };
    if (!development_) return o;
    o.socket_connected = [this](socketio::socket& s) { on_socket_connected(s); };
    o.socket_disconnected = [this](socketio::socket& s, std::string_view reason) {
        tracked_.erase(&s);
        broadcast_later("socket_disconnected",
                        json::array({s.ns().name(), s.id(), reason, iso_time(opts_.wall_clock())}));
    };
    o.room_joined = [this](socketio::nsp& n, std::string const& room, std::string const& sid) {
        broadcast_later("room_joined",
                        json::array({n.name(), room, sid, iso_time(opts_.wall_clock())}));
    };
    o.room_left = [this](socketio::nsp& n, std::string const& room, std::string const& sid) {
        broadcast_later("room_left",
                        json::array({n.name(), room, sid, iso_time(opts_.wall_clock())}));
    };
    return o;
}

void ensure_admin_data(socketio::socket& s) {
    if (s.data.is_null()) s.data = json::object();
    if (s.data.is_object())
        s.data[std::string(admin_data_key)] = admin_data(s.client_id(), s.transport());
}

void instrument::impl::on_socket_connected(socketio::socket& s) {
    // What a node asked by fetch_sockets cannot learn otherwise (CLUSTER.md 5). A connection
    // handler may replace socket.data: it is put back after them, and at each stats.
    ensure_admin_data(s);
    later([weak = s.weak_from_this()](impl&) {
        if (auto alive = weak.lock(); alive && alive->connected()) ensure_admin_data(*alive);
    });
    tracked_[&s] = {s.weak_from_this(), std::string(s.transport())};
    socketio::socket_info info{s.id(), s.handshake(), s.rooms(), s.data};
    broadcast_later("socket_connected", json::array({serialize_socket(info, s.ns().name()),
                                                     iso_time(opts_.wall_clock())}));
    if (&s.ns() == &admin_) return;
    // Every event in and out, as Node's onAny / onAnyOutgoing listeners (not the admin's own).
    std::weak_ptr<impl> weak = shared_from_this();
    auto report = [weak](std::string_view kind, socketio::socket& from, std::string_view event,
                         json const& args) {
        auto self = weak.lock();
        if (!self) return;
        json all = json::array({event});
        if (args.is_array()) all.insert(all.end(), args.begin(), args.end());
        self->broadcast_later(std::string(kind),
                              json::array({from.ns().name(), from.id(), std::move(all),
                                           iso_time(self->opts_.wall_clock())}));
    };
    s.on_any([report](socketio::socket& from, std::string const& event, json& args) {
        report("event_received", from, event, args);
    });
    s.on_any_outgoing([report](socketio::socket& from, std::string_view event, json const& args) {
        report("event_sent", from, event, args);
    });
}

instrument::instrument(socketio::server& io, options o) {
    if (auto err = validate(o)) throw std::invalid_argument(*err);
    impl_ = std::make_shared<impl>(io, std::move(o));
    impl_->start();
}

instrument::~instrument() {
    impl_->stop();
}

std::string const& instrument::server_id() const {
    return impl_->server_id_;
}

} // namespace kibitz::admin
