// The admin socket's side of the protocol: `session`, `config`, `all_sockets` and the commands
// emit, join, leave and _disconnect (@socket.io/admin-ui 0.5.1 lib/index.ts).
#include "instrument_impl.hpp"

#include <kibitz/admin/serialize.hpp>
#include <kibitz/socketio/broadcast.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/util/log.hpp>

#include <optional>
#include <vector>

namespace kibitz::admin {

namespace {
std::optional<std::string> string_at(json const& args, std::size_t i) {
    if (!args.is_array() || args.size() <= i || !args[i].is_string()) return std::nullopt;
    return args[i].get<std::string>();
}

// The sockets a command names: the namespace's all, or those in room `filter` (a socket id is
// a room too). A filter that is no string, or empty, means all, as Node's `if (filter)`.
std::optional<socketio::broadcast_operator> target(socketio::server& io, json const& args,
                                                   std::size_t nsp_at, std::size_t filter_at) {
    auto name = string_at(args, nsp_at);
    // An unknown namespace is not made here: names are input, and Node's io.of() would.
    socketio::nsp* n = name ? io.find(*name) : nullptr;
    if (n == nullptr) return std::nullopt;
    auto op = n->all();
    if (auto filter = string_at(args, filter_at); filter && !filter->empty())
        op = op.to(std::move(*filter));
    return op;
}

void ignored(std::string_view command) {
    util::log(util::log_level::debug, "admin: ", command, " with unusable arguments, ignored");
}
} // namespace

void instrument::impl::on_admin_connection(socketio::socket_ptr s) {
    if (auto it = pending_sessions_.find(s->id()); it != pending_sessions_.end()) {
        s->emit("session", it->second);
        pending_sessions_.erase(it);
    }
    if (!opts_.readonly) register_commands(*s);
    s->emit("config",
            json{{"supportedFeatures", supported_features(opts_.readonly, development_)}});
    if (development_) send_all_sockets(s);
}

void instrument::impl::register_commands(socketio::socket& s) {
    auto& io = io_;
    // emit(nsp, filter, event, ...args)
    s.on("emit", [&io](json& args) {
        auto op = target(io, args, 0, 1);
        auto event = string_at(args, 2);
        if (!op || !event) return ignored("emit");
        op->emit_args(*event, json(args.begin() + 3, args.end()));
    });
    // join(nsp, room, filter), leave(nsp, room, filter)
    s.on("join", [&io](json& args) {
        auto op = target(io, args, 0, 2);
        auto room = string_at(args, 1);
        if (!op || !room) return ignored("join");
        op->sockets_join(std::move(*room));
    });
    s.on("leave", [&io](json& args) {
        auto op = target(io, args, 0, 2);
        auto room = string_at(args, 1);
        if (!op || !room) return ignored("leave");
        op->sockets_leave(std::move(*room));
    });
    // _disconnect(nsp, close, filter)
    s.on("_disconnect", [&io](json& args) {
        auto op = target(io, args, 0, 2);
        if (!op || args.size() < 2) return ignored("_disconnect");
        op->disconnect_sockets(args[1].is_boolean() && args[1].get<bool>());
    });
}

void instrument::impl::send_all_sockets(socketio::socket_ptr s) {
    // Every namespace's sockets on every server (fetch_sockets through each adapter), then one
    // all_sockets; a server that does not answer in its request timeout is left out.
    struct gather {
        std::vector<json> sockets;
        std::size_t waiting = 0;
    };
    auto g = std::make_shared<gather>();
    std::vector<socketio::nsp*> namespaces;
    for (auto const& name : io_.namespace_names())
        if (auto* n = io_.find(name)) namespaces.push_back(n);
    g->waiting = namespaces.size();
    std::weak_ptr<socketio::socket> weak = s;
    for (auto* n : namespaces) {
        n->all().fetch_sockets(
            [g, weak, name = n->name()](std::error_code, std::vector<socketio::socket_info> found) {
                for (auto const& info : found)
                    g->sockets.push_back(serialize_socket(info, name));
                if (--g->waiting != 0) return;
                if (auto admin = weak.lock(); admin && admin->connected())
                    admin->emit("all_sockets", json(std::move(g->sockets)));
            });
    }
}

} // namespace kibitz::admin
