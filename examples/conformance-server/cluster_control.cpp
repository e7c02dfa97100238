#include "cluster_control.hpp"

#include <kibitz/cluster/messages.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace conformance {

namespace sio = kibitz::socketio;
using kibitz::json;

namespace {

json error_of(std::error_code ec) {
    return ec ? json(ec.message()) : json(nullptr);
}

bool flag_of(json const& cmd, char const* key) {
    auto it = cmd.find(key);
    return it != cmd.end() && it->is_boolean() && it->get<bool>();
}

// io.to(rooms...).except(except...) with the local and volatile flags of `cmd`.
sio::broadcast_operator select(sio::nsp& n, json const& cmd) {
    auto op = n.all();
    if (auto r = cmd.find("rooms"); r != cmd.end() && r->is_array())
        for (auto const& room : *r)
            if (room.is_string()) op = op.to(room.get<std::string>());
    if (auto e = cmd.find("except"); e != cmd.end() && e->is_array())
        for (auto const& room : *e)
            if (room.is_string()) op = op.except(room.get<std::string>());
    if (flag_of(cmd, "local")) op = op.local();
    if (flag_of(cmd, "volatile")) op = op.volatile_();
    return op;
}

json args_of(json const& cmd) {
    auto a = cmd.find("args");
    return a != cmd.end() && a->is_array() ? *a : json::array();
}

std::string string_of(json const& cmd, char const* key) {
    auto it = cmd.find(key);
    return it != cmd.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Records in s.data["outgoing"] each [event, args] its outgoing listener sees (its own emits
// and the broadcasts of any node that reach it); "outgoingLog" answers and empties it.
void watch_outgoing(sio::socket& s) {
    s.data["outgoing"] = json::array();
    s.on_any_outgoing([](sio::socket& self, std::string_view event, json const& args) {
        self.data["outgoing"].push_back(json::array({std::string(event), args}));
    });
}

void run_request(sio::socket& s, std::string const& op, json const& cmd, sio::ack_callback ack) {
    auto& n = s.ns();
    if (op == "fetchSockets") {
        return select(n, cmd).fetch_sockets(
            [ack](std::error_code ec, std::vector<sio::socket_info> infos) {
                json list = json::array();
                for (auto const& i : infos)
                    list.push_back(kibitz::cluster::encode_socket(i));
                ack(json::array({{{"error", error_of(ec)}, {"sockets", std::move(list)}}}));
            });
    }
    if (op == "allRooms") {
        return n.all_rooms([ack](std::error_code ec, std::set<std::string> rooms) {
            ack(json::array({{{"error", error_of(ec)}, {"rooms", rooms}}}));
        });
    }
    if (op == "serverCount") {
        return n.server_count([ack](std::error_code ec, std::size_t count) {
            ack(json::array({{{"error", error_of(ec)}, {"count", count}}}));
        });
    }
    if (op == "serverSideEmit") {
        auto event = string_of(cmd, "event");
        if (!flag_of(cmd, "ack")) {
            n.server_side_emit_args(event, args_of(cmd));
            return ack(json::array({{{"ok", true}}}));
        }
        return n.server_side_emit_args(
            event, args_of(cmd), [ack](std::error_code ec, std::vector<json> responses) {
                ack(json::array({{{"error", error_of(ec)}, {"responses", std::move(responses)}}}));
            });
    }
    if (op == "emitWithAck") {
        auto t = cmd.find("timeout");
        auto ms = t != cmd.end() && t->is_number_integer() ? t->get<std::int64_t>() : 2000;
        return select(n, cmd)
            .timeout(kibitz::util::duration(ms))
            .emit_args_with_ack(string_of(cmd, "event"), args_of(cmd),
                                [ack](std::error_code ec, std::vector<json> responses) {
                                    ack(json::array({{{"error", error_of(ec)},
                                                      {"responses", std::move(responses)}}}));
                                });
    }
    ack(json::array({{{"error", "unknown op"}}}));
}

void run(sio::socket& s, kibitz::cluster::redis_cluster& cl, json const& cmd,
         std::shared_ptr<json> const& log, sio::ack_callback ack) {
    auto op = string_of(cmd, "op");
    auto& n = s.ns();
    json ok = json::array({{{"ok", true}}});
    if (op == "emit") {
        select(n, cmd).emit_args(string_of(cmd, "event"), args_of(cmd));
    } else if (op == "socketsJoin") {
        select(n, cmd).sockets_join(string_of(cmd, "room"));
    } else if (op == "socketsLeave") {
        select(n, cmd).sockets_leave(string_of(cmd, "room"));
    } else if (op == "disconnectSockets") {
        select(n, cmd).disconnect_sockets(flag_of(cmd, "close"));
    } else if (op == "join") {
        s.join(string_of(cmd, "room"));
    } else if (op == "leave") {
        s.leave(string_of(cmd, "room"));
    } else if (op == "stats") {
        auto st = cl.stats();
        ok = json::array({{{"uid", cl.uid()},
                           {"connected", cl.connected()},
                           {"pendingRequests", st.pending_requests},
                           {"pendingAcks", st.pending_acks},
                           {"published", st.published},
                           {"publishDropped", st.publish_dropped},
                           {"droppedRoom", st.dropped_room},
                           {"droppedInvalid", st.dropped_invalid}}});
    } else if (op == "watchOutgoing") {
        watch_outgoing(s);
    } else if (op == "outgoingLog") {
        ok = json::array({std::exchange(s.data["outgoing"], json::array())});
    } else if (op == "serverSideLog") {
        ok = json::array({*log});
        *log = json::array();
    } else {
        return run_request(s, op, cmd, std::move(ack));
    }
    ack(std::move(ok));
}

} // namespace

void install_cluster_control(sio::server& io, kibitz::cluster::redis_cluster& cl) {
    auto log = std::make_shared<json>(json::array());
    for (auto const* event : {"hello-srv", "ping-srv", "silent-srv"}) {
        io.on_server_side(event,
                          [log, name = std::string(event)](json& args, sio::ack_callback ack) {
                              log->push_back(json::array({name, args}));
                              if (name == "ping-srv" && ack)
                                  ack(json::array({{{"pong", "kibitz"}, {"args", args}}}));
                          });
    }
    io.on_connection([&cl, log](sio::socket_ptr s) {
        s->data = {{"user", "k-" + s->id().substr(0, 3)}};
        s->on("cluster", [&cl, log](sio::socket& self, json& args, sio::ack_callback ack) {
            if (!ack || !args.is_array() || args.empty() || !args[0].is_object()) return;
            run(self, cl, args[0], log, std::move(ack));
        });
    });
}

} // namespace conformance
