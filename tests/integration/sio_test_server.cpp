// The Socket.IO server the interop tests drive (tests/interop/socketio/, tests/python/): every
// server-side operation the tests need is an event a client can send. Namespaces:
//   "/", "/a", "/b", "/recover" and dynamic "^/dyn-\d+$": the hooks below;
//   "/mw": a middleware refuses unless auth.token is "good", with
//          connect_error {message: "unauthorized", data: {code: 401}};
//   "/async": the same check, answered later from a timer ("async unauthorized", code 403);
//   "/throwing": its middleware throws when auth.throw is "middleware", its connection handler
//          when auth.throw is "connection" (the library contains both).
//   "/api": the handler shapes (api hooks below): typed "add" {a, b} -> ack a + b (a wrong type
//          gets {error: "invalid arguments"}), two "count" listeners (count-off removes the
//          second, counts answers the calls), a per-packet middleware refusing "forbidden" with
//          "unauthorized event" (the socket's on_error emits `packet-error` {message}), co-ping ->
//          a coroutine awaits the ack of `co-ping` and emits `co-pong` with it (or {error}).
// Hooks (each takes one object argument; "ack" means it answers the client's ack):
//   echo (ack and an `echo` event with the same arguments), whoami, join/leave {room}, rooms,
//   to-room {room, except?, event, args}, except-room {room, event, args},
//   broadcast {to?, except?, event, args} (socket.broadcast), emit-all {event, args} (io.emit),
//   server-ack {timeout_ms, args, report_to?} -> emit_with_ack("need-ack") then
//   `server-ack-result` (to the caller, or to the socket report_to),
//   broadcast-ack {room, timeout_ms, args} -> io.to(room).timeout().emit_with_ack("need-ack")
//   then `broadcast-ack-result`, volatile {count, spread?, room?} (spread: one per loop turn)
//   then `vol-done`,
//   flood {count, size} then `flood-done`, make-binary, fetch {room?, except?},
//   sockets-join {room?, except?, join}, sockets-leave {room?, except?, leave},
//   disconnect-sockets {room?, except?, close}, disconnect-me {close}, data-set {key, value},
//   data-get, handshake, last-disconnect (every {id, nsp, reason} so far),
//   wait-disconnect {id} (answers once that socket has disconnected),
//   throw (its handler throws std::runtime_error), throw-any {event} (an on_any handler that
//   throws for that event), throw-on-ack -> emit_with_ack("need-ack") whose ack handler throws
//   when the client answers, namespaces {name?} -> {count, has} (namespaces that exist now).
// Prints `listening on http://HOST:PORT`; exits 0 on SIGTERM or SIGINT.
//
//   sio-test-server [--host H] [--port P] [--ping-interval MS] [--ping-timeout MS]
//       [--max-payload BYTES] [--connect-timeout MS] [--max-send-queue BYTES]
//       [--binary-timeout-ms MS] [--recovery] [--recovery-ms MS] [--client-dist DIR]
//       [--max-namespaces-per-client N] [--max-child-namespaces N] [--max-auth-bytes B]
//       [--max-namespace-length B] [--max-pending-acks N] [--log-level debug|info|warn|error|off]
// GCC 12 at -O1 reports a false -Wmaybe-uninitialized inside libstdc++'s regex compiler, which
// server::of(std::regex) makes us instantiate: silence it for the standard headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

#include <kibitz/engineio/server.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/util/log.hpp>

#include <utility> // Boost 1.74: before <boost/asio/awaitable.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/system/system_error.hpp>
#include <kibitz/socketio/awaitable.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace eio = kibitz::engineio;
namespace net = kibitz::net;
namespace sio = kibitz::socketio;
namespace util = kibitz::util;
using kibitz::json;

namespace {

// Every server-side disconnect so far, and the clients waiting for one.
struct disconnect_log {
    std::vector<json> records;
    std::multimap<std::string, sio::ack_callback> waiters; // by socket id

    void add(sio::socket const& s, std::string_view reason) {
        json record = {{"id", s.id()}, {"nsp", s.ns().name()}, {"reason", std::string(reason)}};
        records.push_back(record);
        auto [first, last] = waiters.equal_range(s.id());
        std::vector<sio::ack_callback> ready;
        for (auto it = first; it != last; ++it)
            ready.push_back(std::move(it->second));
        waiters.erase(first, last);
        for (auto& ack : ready)
            ack(json::array({record}));
    }

    // Answers at once if `id` already disconnected, else when it does.
    void wait(std::string const& id, sio::ack_callback ack) {
        for (auto it = records.rbegin(); it != records.rend(); ++it)
            if ((*it)["id"] == id) return ack(json::array({*it}));
        waiters.emplace(id, std::move(ack));
    }
};

struct context {
    net::asio::io_context& ioc;
    sio::server& io;
    disconnect_log disconnects;
};

// The first argument when it is an object, else an empty object.
json param(json const& args) {
    if (args.is_array() && !args.empty() && args[0].is_object()) return args[0];
    return json::object();
}

std::string str(json const& p, char const* key, std::string fallback = "") {
    auto it = p.find(key);
    return it != p.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// A client's number, clamped to [0, 10^9] (a double outside long's range would be UB to cast).
long num(json const& p, char const* key, long fallback) {
    auto it = p.find(key);
    if (it == p.end() || !it->is_number()) return fallback;
    double const v = it->get<double>();
    return v != v || v < 0 ? 0 : v > 1e9 ? 1'000'000'000 : static_cast<long>(v);
}

bool flag(json const& p, char const* key) {
    auto it = p.find(key);
    return it != p.end() && it->is_boolean() && it->get<bool>();
}

// A string or an array of strings, as a list.
std::vector<std::string> names(json const& p, char const* key) {
    std::vector<std::string> out;
    auto it = p.find(key);
    if (it == p.end()) return out;
    if (it->is_string()) out.push_back(it->get<std::string>());
    if (it->is_array())
        for (auto const& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// `base` narrowed to p.room/p.to and widened by p.except.
sio::broadcast_operator select(sio::broadcast_operator base, json const& p) {
    for (auto& r : names(p, "room"))
        base = base.to(r);
    for (auto& r : names(p, "to"))
        base = base.to(r);
    for (auto& r : names(p, "except"))
        base = base.except(r);
    return base;
}

json event_args(json const& p) {
    auto it = p.find("args");
    if (it == p.end()) return json::array();
    return it->is_array() ? *it : json::array({*it});
}

void answer(sio::ack_callback const& ack, json args = json::array()) {
    if (ack) ack(std::move(args));
}

std::string error_name(std::error_code ec) {
    if (!ec) return "";
    return ec == std::errc::timed_out ? "timeout" : ec.message();
}

json handshake_json(sio::handshake const& hs) {
    json headers = json::object();
    for (auto const& [k, v] : hs.headers) {
        std::string key = k;
        for (auto& c : key)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!headers.contains(key)) headers[key] = v;
    }
    return {{"headers", headers},    {"query", hs.query}, {"auth", hs.auth},
            {"address", hs.address}, {"url", hs.url},     {"issued", hs.issued},
            {"secure", hs.secure}};
}

// Binary values at several depths: a top-level buffer, in an array, in an object in an array.
json binary_sample() {
    auto bytes = [](std::initializer_list<std::uint8_t> b) {
        return json::binary(std::vector<std::uint8_t>(b));
    };
    json nested = {{"label", "nested"},
                   {"buf", bytes({1, 2, 3})},
                   {"list", json::array({bytes({4, 5}), json{{"deep", bytes({6})}}})}};
    return json::array({bytes({0, 255, 128}), nested});
}

// Emits volatile event `index` (to the caller, or to p.room with volatile()), then the rest one
// per loop turn, then the `vol-done` marker the same way but not volatile.
void volatile_chain(context& ctx, std::weak_ptr<sio::socket> weak, json p, long index, long count) {
    auto s = weak.lock();
    if (!s || !s->connected()) return;
    bool const to_room = p.contains("room");
    if (index == count) {
        if (to_room) return select(s->ns().all(), p).emit("vol-done", count);
        return s->emit("vol-done", count);
    }
    if (to_room)
        select(s->ns().volatile_(), p).emit("vol", index);
    else
        s->emit_args_volatile("vol", json::array({index}));
    if (!flag(p, "spread")) return volatile_chain(ctx, weak, std::move(p), index + 1, count);
    net::asio::post(ctx.ioc, [&ctx, weak, p = std::move(p), index, count]() mutable {
        volatile_chain(ctx, weak, std::move(p), index + 1, count);
    });
}

void on_volatile(context& ctx, sio::socket& s, json const& p, sio::ack_callback const& ack) {
    answer(ack);
    volatile_chain(ctx, s.weak_from_this(), p, 0, num(p, "count", 100));
}

void on_flood(sio::socket& s, json const& p, sio::ack_callback const& ack) {
    long count = num(p, "count", 10);
    std::string filler(static_cast<std::size_t>(num(p, "size", 1000)), 'x');
    answer(ack);
    for (long i = 0; i < count && s.connected(); ++i)
        s.emit("flood", i, filler);
    s.emit("flood-done", count);
}

// The result goes back to the caller, or to the socket p.report_to (which may outlive it).
void on_server_ack(sio::socket& s, json const& p) {
    auto timeout = std::chrono::milliseconds(num(p, "timeout_ms", 1000));
    std::weak_ptr<sio::socket> weak = s.weak_from_this();
    auto report = [weak, n = &s.ns(), to = str(p, "report_to")](json result) {
        if (!to.empty()) return n->to(to).emit("server-ack-result", result);
        if (auto self = weak.lock()) self->emit("server-ack-result", result);
    };
    s.emit_args_with_ack("need-ack", event_args(p), timeout,
                         [report](std::error_code ec, json args) {
                             report({{"err", error_name(ec)}, {"args", args}});
                         });
}

void on_broadcast_ack(sio::socket& s, json const& p) {
    auto timeout = std::chrono::milliseconds(num(p, "timeout_ms", 1000));
    std::weak_ptr<sio::socket> weak = s.weak_from_this();
    select(s.ns().all(), p)
        .timeout(timeout)
        .emit_args_with_ack("need-ack", event_args(p),
                            [weak](std::error_code ec, std::vector<json> r) {
                                if (auto self = weak.lock())
                                    self->emit("broadcast-ack-result",
                                               json{{"err", error_name(ec)}, {"responses", r}});
                            });
}

void on_fetch(sio::socket& s, json const& p, sio::ack_callback ack) {
    select(s.ns().all(), p).fetch_sockets([ack](std::vector<sio::socket_info> infos) {
        json out = json::array();
        for (auto const& i : infos)
            out.push_back({{"id", i.id}, {"rooms", i.rooms}, {"data", i.data}});
        answer(ack, json::array({out}));
    });
}

// The hooks that broadcast or touch other sockets.
void add_broadcast_hooks(sio::socket& s) {
    s.on("to-room", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto p = param(args);
        select(self.ns().all(), p).emit_args(str(p, "event", "room-event"), event_args(p));
        answer(ack);
    });
    s.on("except-room", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto p = param(args);
        self.ns().except(str(p, "room")).emit_args(str(p, "event", "except-event"), event_args(p));
        answer(ack);
    });
    s.on("broadcast", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto p = param(args);
        select(self.broadcast(), p).emit_args(str(p, "event", "broadcast-event"), event_args(p));
        answer(ack);
    });
    s.on("emit-all", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto p = param(args);
        self.ns().emit_args(str(p, "event", "all-event"), event_args(p));
        answer(ack);
    });
    s.on("broadcast-ack", [](sio::socket& self, json& args, sio::ack_callback ack) {
        on_broadcast_ack(self, param(args));
        answer(ack);
    });
    s.on("fetch", [](sio::socket& self, json& args, sio::ack_callback ack) {
        on_fetch(self, param(args), std::move(ack));
    });
    s.on("sockets-join", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto p = param(args);
        select(self.ns().all(), p).sockets_join(str(p, "join"));
        answer(ack);
    });
    s.on("sockets-leave", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto p = param(args);
        select(self.ns().all(), p).sockets_leave(str(p, "leave"));
        answer(ack);
    });
    s.on("disconnect-sockets", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto p = param(args);
        answer(ack);
        select(self.ns().all(), p).disconnect_sockets(flag(p, "close"));
    });
}

// The hooks about the calling socket itself.
void add_self_hooks(context& ctx, sio::socket& s) {
    s.on("echo", [](sio::socket& self, json& args, sio::ack_callback ack) {
        answer(ack, args);
        self.emit_args("echo", args);
    });
    s.on("whoami", [](sio::socket& self, json&, sio::ack_callback ack) {
        answer(ack, json::array({{{"id", self.id()},
                                  {"nsp", self.ns().name()},
                                  {"recovered", self.recovered()},
                                  {"transport", std::string(self.transport())}}}));
    });
    s.on("join", [](sio::socket& self, json& args, sio::ack_callback ack) {
        for (auto& r : names(param(args), "room"))
            self.join(r);
        answer(ack, json::array({self.rooms()}));
    });
    s.on("leave", [](sio::socket& self, json& args, sio::ack_callback ack) {
        for (auto& r : names(param(args), "room"))
            self.leave(r);
        answer(ack, json::array({self.rooms()}));
    });
    s.on("rooms", [](sio::socket& self, json&, sio::ack_callback ack) {
        answer(ack, json::array({self.rooms()}));
    });
    s.on("server-ack", [](sio::socket& self, json& args, sio::ack_callback ack) {
        answer(ack);
        on_server_ack(self, param(args));
    });
    s.on("volatile", [&ctx](sio::socket& self, json& args, sio::ack_callback ack) {
        on_volatile(ctx, self, param(args), ack);
    });
    s.on("flood", [](sio::socket& self, json& args, sio::ack_callback ack) {
        on_flood(self, param(args), ack);
    });
    s.on("make-binary", [](sio::socket& self, json&, sio::ack_callback ack) {
        self.emit_args("binary", binary_sample());
        answer(ack, binary_sample());
    });
    s.on("disconnect-me", [](sio::socket& self, json& args, sio::ack_callback) {
        self.disconnect(flag(param(args), "close"));
    });
    s.on("data-set", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto p = param(args);
        self.data[str(p, "key", "value")] = p.value("value", json());
        answer(ack, json::array({self.data}));
    });
    s.on("data-get", [](sio::socket& self, json&, sio::ack_callback ack) {
        answer(ack, json::array({self.data}));
    });
    s.on("handshake", [](sio::socket& self, json&, sio::ack_callback ack) {
        answer(ack, json::array({handshake_json(self.handshake())}));
    });
}

void add_log_hooks(context& ctx, sio::socket& s) {
    s.on("last-disconnect", [&ctx](sio::socket&, json&, sio::ack_callback ack) {
        answer(ack, json::array({ctx.disconnects.records}));
    });
    s.on("wait-disconnect", [&ctx](sio::socket&, json& args, sio::ack_callback ack) {
        if (ack) ctx.disconnects.wait(str(param(args), "id"), std::move(ack));
    });
    s.on_disconnect(
        [&ctx](sio::socket& self, std::string_view reason) { ctx.disconnects.add(self, reason); });
}

// Hooks whose user code misbehaves, and a view of the namespaces the server holds.
void add_hostile_hooks(context& ctx, sio::socket& s) {
    s.on("throw", [](sio::socket&, json&, sio::ack_callback) {
        throw std::runtime_error("a handler that throws");
    });
    s.on("throw-any", [](sio::socket& self, json& args, sio::ack_callback ack) {
        auto event = str(param(args), "event", "boom");
        self.on_any([event](sio::socket&, std::string const& name, json&) {
            if (name == event) throw std::logic_error("an on_any handler that throws");
        });
        answer(ack);
    });
    s.on("throw-on-ack", [](sio::socket& self, json&, sio::ack_callback ack) {
        answer(ack);
        self.timeout(std::chrono::seconds(5)).emit_with_ack("need-ack", [](std::error_code, json) {
            throw std::runtime_error("an ack handler that throws");
        });
    });
    s.on("namespaces", [&ctx](sio::socket&, json& args, sio::ack_callback ack) {
        auto name = str(param(args), "name");
        answer(ack, json::array({{{"count", ctx.io.namespace_count()},
                                  {"has", !name.empty() && ctx.io.has_namespace(name)}}}));
    });
}

struct addends {
    long a = 0;
    long b = 0;
};
void from_json(json const& j, addends& v) {
    j.at("a").get_to(v.a);
    j.at("b").get_to(v.b);
}

// Awaits the client's ack of `co-ping` (2 s), then emits `co-pong` with it. By value: a coroutine.
boost::asio::awaitable<void> co_ping(sio::socket_ptr s) {
    json reply;
    try {
        reply = co_await s->timeout(std::chrono::seconds(2))
                    .emit_with_ack("co-ping", 1, boost::asio::use_awaitable);
    } catch (boost::system::system_error const& e) {
        reply = json{{"error", e.code().message()}};
    }
    s->emit("co-pong", reply);
}

void add_api_hooks(context& ctx, sio::socket& s) {
    s.on<addends>("add", [](sio::socket&, addends v, sio::ack_callback ack) {
        if (ack) ack(json::array({v.a + v.b}));
    });
    s.data["calls"] = json::array();
    s.on("count", [](sio::socket& self, json&) { self.data["calls"].push_back("first"); });
    auto second = s.on("count", [](sio::socket& self, json&, sio::ack_callback ack) {
        self.data["calls"].push_back("second");
        if (ack) ack(json::array({self.data["calls"]}));
    });
    s.on("count-off", [second](sio::socket& self, json&, sio::ack_callback ack) {
        self.off("count", second);
        answer(ack);
    });
    s.on("counts", [](sio::socket& self, json&, sio::ack_callback ack) {
        answer(ack, json::array({self.data["calls"]}));
    });
    s.use([](sio::event_packet& p, sio::packet_next next) {
        if (p.event == "forbidden") return next(sio::packet_error{"unauthorized event", {}});
        next(std::nullopt);
    });
    s.on("forbidden", [](sio::socket&, json&, sio::ack_callback ack) { answer(ack); });
    s.on_error([](sio::socket& self, sio::packet_error const& e) {
        self.emit("packet-error", json{{"message", e.message}});
    });
    s.on("co-ping", [&ctx](sio::socket& self, json&, sio::ack_callback ack) {
        answer(ack);
        boost::asio::co_spawn(ctx.ioc, co_ping(self.shared_from_this()), boost::asio::detached);
    });
}

void install(context& ctx, sio::nsp& n) {
    n.on_connection([&ctx](sio::socket_ptr s) {
        add_self_hooks(ctx, *s);
        add_broadcast_hooks(*s);
        add_log_hooks(ctx, *s);
        add_hostile_hooks(ctx, *s);
    });
}

bool has_good_token(sio::socket const& s) {
    auto const& auth = s.handshake().auth;
    auto it = auth.find("token");
    return it != auth.end() && it->is_string() && *it == "good";
}

void setup_namespaces(context& ctx) {
    for (auto name : {"/", "/a", "/b", "/recover"})
        install(ctx, ctx.io.of(name));
    install(ctx, ctx.io.of(std::regex(R"(^/dyn-\d+$)")));

    auto& mw = ctx.io.of("/mw");
    mw.use([](sio::socket& s, sio::next_fn next) {
        if (has_good_token(s)) return next(std::nullopt);
        next(sio::connect_error{"unauthorized", json{{"code", 401}}});
    });
    install(ctx, mw);

    // A middleware that answers from a timer, after its call has returned.
    auto& async = ctx.io.of("/async");
    async.use([&ctx](sio::socket& s, sio::next_fn next) {
        auto timer = std::make_shared<net::asio::steady_timer>(ctx.ioc);
        timer->expires_after(std::chrono::milliseconds(20));
        bool ok = has_good_token(s);
        timer->async_wait([timer, next, ok](net::error_code) {
            if (ok) return next(std::nullopt);
            next(sio::connect_error{"async unauthorized", json{{"code", 403}}});
        });
    });
    install(ctx, async);

    auto& api = ctx.io.of("/api");
    install(ctx, api);
    api.on_connection([&ctx](sio::socket_ptr s) { add_api_hooks(ctx, *s); });

    // User code that throws: the middleware or the connection handler, as auth.throw says.
    auto& throwing = ctx.io.of("/throwing");
    throwing.use([](sio::socket& s, sio::next_fn next) {
        if (str(s.handshake().auth, "throw") == "middleware")
            throw std::runtime_error("a middleware that throws");
        next(std::nullopt);
    });
    install(ctx, throwing);
    throwing.on_connection([](sio::socket_ptr s) {
        if (str(s->handshake().auth, "throw") == "connection")
            throw std::runtime_error("a connection handler that throws");
    });
}

struct cli {
    std::string host = "127.0.0.1";
    int port = 0;
    sio::server_options opts;
};

[[noreturn]] void usage() {
    std::cerr << "usage: sio-test-server [--host H] [--port P] [--ping-interval MS] "
                 "[--ping-timeout MS] [--max-payload B] [--connect-timeout MS] "
                 "[--max-send-queue B] [--binary-timeout-ms MS] [--recovery] [--recovery-ms MS] "
                 "[--client-dist DIR] [--max-namespaces-per-client N] [--max-child-namespaces N] "
                 "[--max-auth-bytes B] [--max-namespace-length B] [--max-pending-acks N] "
                 "[--log-level L]\n";
    std::exit(2);
}

cli parse(int argc, char** argv) {
    cli c;
    c.opts.engine.cors.origins = {"*"};
    auto ms = [](char const* v) { return std::chrono::milliseconds(std::atol(v)); };
    for (int i = 1; i < argc; ++i) {
        std::string f = argv[i];
        if (f == "--recovery") {
            if (!c.opts.connection_state_recovery) c.opts.connection_state_recovery.emplace();
            c.opts.connection_state_recovery->max_disconnection_duration = ms("2000");
            continue;
        }
        if (i + 1 >= argc) usage();
        char const* v = argv[++i];
        if (f == "--host")
            c.host = v;
        else if (f == "--port")
            c.port = std::atoi(v);
        else if (f == "--ping-interval")
            c.opts.engine.ping_interval = ms(v);
        else if (f == "--ping-timeout")
            c.opts.engine.ping_timeout = ms(v);
        else if (f == "--max-payload")
            c.opts.engine.max_payload = std::strtoul(v, nullptr, 10);
        else if (f == "--connect-timeout")
            c.opts.connect_timeout = ms(v);
        else if (f == "--max-send-queue")
            c.opts.engine.max_send_queue_bytes = std::strtoul(v, nullptr, 10);
        else if (f == "--binary-timeout-ms")
            c.opts.limits.binary_timeout = ms(v);
        else if (f == "--recovery-ms")
            c.opts.connection_state_recovery.emplace().max_disconnection_duration = ms(v);
        else if (f == "--client-dist")
            c.opts.client_dist_dir = v;
        else if (f == "--max-namespaces-per-client")
            c.opts.max_namespaces_per_client = std::strtoul(v, nullptr, 10);
        else if (f == "--max-child-namespaces")
            c.opts.max_child_namespaces = std::strtoul(v, nullptr, 10);
        else if (f == "--max-auth-bytes")
            c.opts.max_auth_bytes = std::strtoul(v, nullptr, 10);
        else if (f == "--max-namespace-length")
            c.opts.max_namespace_length = std::strtoul(v, nullptr, 10);
        else if (f == "--max-pending-acks")
            c.opts.max_pending_acks = std::strtoul(v, nullptr, 10);
        else if (f == "--log-level") {
            util::log_level level;
            if (!util::parse_log_level(v, level)) usage();
            util::set_log_threshold(level);
        } else
            usage();
    }
    return c;
}

} // namespace

int main(int argc, char** argv) {
    auto c = parse(argc, argv);
    net::asio::io_context ioc;
    sio::server io(ioc, c.opts);
    context ctx{ioc, io, {}};
    setup_namespaces(ctx);

    kibitz::http::server http(ioc);
    io.attach(http);
    auto bound = http.listen(c.host, static_cast<std::uint16_t>(c.port));
    std::cout << "listening on http://" << c.host << ":" << bound << std::endl;

    net::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](net::error_code, int) {
        http.stop();
        io.close();
        ioc.stop();
    });
    ioc.run();
    return 0;
}
