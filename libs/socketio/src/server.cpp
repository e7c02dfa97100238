#include "client.hpp"
#include "timer.hpp"
#include "tracker.hpp"

#include <kibitz/http/static_files.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/wire.hpp>
#include <kibitz/util/log.hpp>

#include <algorithm>
#include <array>

namespace kibitz::socketio {

server::server(boost::asio::io_context& ioc, server_options opts)
    : ioc_(ioc), opts_(std::move(opts)),
      engine_(std::make_unique<engineio::server>(ioc, opts_.engine)) {
    of("/");
    engine_->on_connection([this](engineio::socket_ptr conn) { on_engine_connection(conn); });
    if (opts_.connection_state_recovery) prune_recovery();
}

server::~server() {
    close();
    *alive_ = false;
}

nsp& server::of(std::string const& name) {
    std::string key = name.empty() || name[0] != '/' ? "/" + name : name;
    auto it = namespaces_.find(key);
    if (it != namespaces_.end()) {
        // Asked for by name, a child becomes a namespace of its own (it is never removed).
        children_.erase(key);
        return *it->second;
    }
    auto n = std::make_unique<nsp>(detail::passkey<server>{}, *this, key);
    auto& ref = *n;
    namespaces_.emplace(key, std::move(n));
    notify([&](server_observer const& o) {
        if (o.namespace_created) o.namespace_created(ref);
    });
    return ref;
}

nsp& server::of(std::regex const& pattern) {
    // std::regex matching recurses per character: the name is at most max_namespace_length.
    return of([pattern](std::string const& name, json const&) {
        return std::regex_match(name, pattern);
    });
}

nsp& server::of(namespace_predicate predicate) {
    auto parent = std::make_unique<nsp>(detail::passkey<server>{}, *this,
                                        "/_dynamic_" + std::to_string(parents_.size()));
    auto& ref = *parent;
    parents_.push_back({std::move(predicate), std::move(parent)});
    return ref;
}

bool server::parent_accepts(namespace_predicate const& accepts, std::string const& name,
                            json const& auth) const {
    try {
        return accepts(name, auth);
    } catch (std::exception const& e) {
        // A regex may give up (std::regex_error) and a user predicate may throw: a refusal.
        util::log(util::log_level::warn, "socket.io: namespace predicate threw: ", e.what());
    } catch (...) {
        util::log(util::log_level::warn, "socket.io: namespace predicate threw");
    }
    return false;
}

nsp* server::find_or_create(std::string const& name, json const& auth, std::string_view& refusal) {
    refusal = wire::error_invalid_namespace;
    auto it = namespaces_.find(name);
    if (it != namespaces_.end()) return it->second.get();
    if (name.size() > opts_.max_namespace_length) return nullptr;
    for (auto const& p : parents_) {
        if (!parent_accepts(p.accepts, name, auth)) continue;
        if (children_.size() >= opts_.max_child_namespaces) {
            refusal = wire::error_too_many_namespaces;
            return nullptr;
        }
        auto key = name.empty() || name[0] != '/' ? "/" + name : name;
        auto n = std::make_unique<nsp>(detail::passkey<server>{}, *this, key);
        auto& child = *n;
        namespaces_.emplace(key, std::move(n));
        children_.insert(key);
        child.inherit(*p.parent);
        // Its last socket object gone (disconnected, refused or abandoned), the child may go.
        child.tracker()->on_idle = [this, key] { child_released(key); };
        notify([&](server_observer const& o) {
            if (o.namespace_created) o.namespace_created(child);
        });
        return &child;
    }
    return nullptr;
}

void server::child_released(std::string const& name) {
    if (!*alive_ || !opts_.cleanup_empty_child_namespaces || !children_.count(name)) return;
    // Removed on a later loop turn, outside whatever call released the last socket.
    std::weak_ptr<bool> alive = alive_;
    net::asio::post(ioc_, [this, alive, name] {
        auto token = alive.lock();
        if (!token || !*token || !children_.count(name)) return;
        auto it = namespaces_.find(name);
        if (it == namespaces_.end() || it->second->live_sockets() != 0) return;
        children_.erase(name);
        namespaces_.erase(it);
    });
}

void server::on_engine_connection(engineio::socket_ptr conn) {
    notify([&](server_observer const& o) {
        if (o.engine_opened) o.engine_opened(*conn);
    });
    auto c = std::make_shared<detail::client>(*this, std::move(conn));
    c->start();
}

std::vector<std::string> server::namespace_names() const {
    std::vector<std::string> names;
    names.reserve(namespaces_.size());
    for (auto const& [name, n] : namespaces_)
        names.push_back(name);
    return names;
}

nsp* server::find(std::string const& name) const {
    auto it = namespaces_.find(name);
    return it == namespaces_.end() ? nullptr : it->second.get();
}

observer_id server::observe(server_observer o) {
    auto id = next_observer_++;
    observers_.emplace_back(id, std::move(o));
    return id;
}

void server::unobserve(observer_id id) {
    std::erase_if(observers_, [id](auto const& entry) { return entry.first == id; });
}

void server::prune_recovery() {
    // What each adapter keeps, and how it expires it, is its own business.
    auto const at = now();
    for (auto const& [name, n] : namespaces_)
        n->adapter().prune(at);
    auto every = std::min(opts_.connection_state_recovery->max_disconnection_duration,
                          util::duration(60000));
    prune_timer_ = detail::timer::start(ioc_, every, [this] { prune_recovery(); });
}

namespace {
// The bundles Node's serveClient answers (socket.io/lib/index.ts, serve()), by the parser they
// speak: a bundle of the other parser could never connect, so it is not served.
constexpr std::array<std::string_view, 6> json_client_files = {
    "socket.io.js",         "socket.io.js.map",     "socket.io.min.js",
    "socket.io.min.js.map", "socket.io.esm.min.js", "socket.io.esm.min.js.map",
};
constexpr std::array<std::string_view, 2> msgpack_client_files = {
    "socket.io.msgpack.min.js",
    "socket.io.msgpack.min.js.map",
};

bool is_client_file(std::string_view name, parser_kind parser) {
    auto has = [name](auto const& list) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    return parser == parser_kind::msgpack ? has(msgpack_client_files) : has(json_client_files);
}
} // namespace

void server::attach(http::server& http) {
    http.mount(engine_->opts().path, *engine_);
    if (opts_.client_dist_dir.empty()) return;
    // Read once, here (start-up): serving never touches the disk.
    auto files =
        std::make_shared<http::static_files const>(opts_.client_dist_dir, engine_->opts().path);
    auto base = engine_->opts().path;
    engine_->set_subpath_handler(
        [files, base, parser = opts_.parser](http::request const& req, http::responder& respond) {
            if (!std::string_view(req.path).starts_with(base)) return false;
            if (!is_client_file(std::string_view(req.path).substr(base.size()), parser))
                return false;
            http::responder with_nosniff = [&respond](http::response r) {
                r.set("X-Content-Type-Options", "nosniff");
                respond(std::move(r));
            };
            return files->serve(req, with_nosniff);
        });
}

void server::close() {
    prune_timer_.reset();
    for (auto const& [name, n] : namespaces_)
        for (auto const& s : n->sockets())
            s->client().close(wire::reason_server_shutting_down);
    // Node's Server.close(): each adapter is closed after its sockets (their sessions kept).
    if (!adapters_closed_) {
        adapters_closed_ = true;
        for (auto const& [name, n] : namespaces_)
            n->adapter().close();
    }
    engine_->close();
}

} // namespace kibitz::socketio
