#include "event.hpp"
#include "harness.hpp"

#include <kibitz/socketio/server.hpp>
#include <kibitz/util/clock.hpp>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace kibitz;
using socketio::testing::polling_client;

namespace {

struct point {
    int x = 0;
    int y = 0;
};
void from_json(json const& j, point& p) {
    j.at("x").get_to(p.x);
    j.at("y").get_to(p.y);
}

// One server and the socket of each connected client, in order.
struct fixture {
    boost::asio::io_context ioc;
    socketio::server io{ioc};
    std::vector<socketio::socket_ptr> sockets;

    explicit fixture(std::function<void(socketio::socket&)> setup = {}) {
        io.on_connection([this, setup](socketio::socket_ptr s) {
            sockets.push_back(s);
            if (setup) setup(*s);
        });
    }
};

} // namespace

TEST(socket_handlers, take_only_what_they_need) {
    std::vector<std::string> calls;
    fixture f([&](socketio::socket& s) {
        s.on("e", [&](json& args) { calls.push_back("args " + args.dump()); });
        s.on("e", [&](socketio::socket& self, json&) { calls.push_back("socket " + self.id()); });
        s.on("e", [&](socketio::socket&, json&, socketio::ack_callback ack) {
            calls.push_back("ack");
            ack(json::array({"done"}));
        });
    });
    polling_client c(f.ioc, f.io);
    c.connect();
    c.send("21[\"e\",1]");
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_EQ(calls[0], "args [1]");
    EXPECT_EQ(calls[1], "socket " + f.sockets.at(0)->id());
    EXPECT_EQ(calls[2], "ack");
    EXPECT_EQ(c.receive(), std::vector<std::string>{"31[\"done\"]"});
}

TEST(socket_handlers, off_and_once_remove_listeners) {
    std::vector<int> calls;
    socketio::listener_id second = 0;
    fixture f([&](socketio::socket& s) {
        s.on("e", [&](json&) { calls.push_back(1); });
        second = s.on("e", [&](json&) { calls.push_back(2); });
        s.once("e", [&](json&) { calls.push_back(3); });
    });
    polling_client c(f.ioc, f.io);
    c.connect();
    c.send("2[\"e\"]");
    EXPECT_EQ(calls, (std::vector<int>{1, 2, 3}));
    auto& s = *f.sockets.at(0);
    s.off("e", second);
    c.send("2[\"e\"]");
    EXPECT_EQ(calls, (std::vector<int>{1, 2, 3, 1}));
    s.off("e");
    EXPECT_EQ(s.listener_count("e"), 0u);
    c.send("2[\"e\"]");
    EXPECT_EQ(calls.size(), 4u);
}

TEST(socket_handlers, any_listeners_in_order_and_removable) {
    std::vector<std::string> calls;
    socketio::listener_id first = 0;
    fixture f([&](socketio::socket& s) {
        first = s.on_any(
            [&](socketio::socket&, std::string const& e, json&) { calls.push_back("any " + e); });
        s.prepend_any([&](socketio::socket&, std::string const& e, json&) {
            calls.push_back("prepended " + e);
        });
        s.on("e", [&](json&) { calls.push_back("e"); });
    });
    polling_client c(f.ioc, f.io);
    c.connect();
    c.send("2[\"e\"]");
    EXPECT_EQ(calls, (std::vector<std::string>{"prepended e", "any e", "e"}));
    f.sockets.at(0)->off_any(first);
    c.send("2[\"e\"]");
    EXPECT_EQ(calls.size(), 5u);
    EXPECT_EQ(calls[3], "prepended e");
    f.sockets.at(0)->off_any();
    c.send("2[\"e\"]");
    EXPECT_EQ(calls.size(), 6u);
}

TEST(socket_handlers, typed_handler_converts_or_answers_the_ack_with_an_error) {
    std::vector<int> sums;
    fixture f([&](socketio::socket& s) {
        s.on<point>("move", [&](socketio::socket&, point p, socketio::ack_callback ack) {
            sums.push_back(p.x + p.y);
            if (ack) ack(json::array({"ok"}));
        });
        s.on<std::string>("name", [&](socketio::socket&, std::string n) {
            sums.push_back(static_cast<int>(n.size()));
        });
    });
    polling_client c(f.ioc, f.io);
    c.connect();
    c.send("21[\"move\",{\"x\":1,\"y\":2}]");
    EXPECT_EQ(c.receive(), std::vector<std::string>{"31[\"ok\"]"});
    c.send("22[\"move\",{\"x\":\"one\"}]");
    EXPECT_EQ(c.receive(), std::vector<std::string>{"32[{\"error\":\"invalid arguments\"}]"});
    c.send("23[\"move\"]");
    EXPECT_EQ(c.receive(), std::vector<std::string>{"33[{\"error\":\"invalid arguments\"}]"});
    c.send("2[\"name\",42]"); // no ack asked: skipped, nothing sent, still connected
    c.send("2[\"name\",\"ab\"]");
    EXPECT_EQ(sums, (std::vector<int>{3, 2}));
    EXPECT_TRUE(f.sockets.at(0)->connected());
}

TEST(socket_handlers, typed_handlers_may_take_only_the_value) {
    std::vector<std::string> calls;
    fixture f([&](socketio::socket& s) {
        s.on<std::string>("msg", [&](std::string m) { calls.push_back("msg " + m); });
        s.on<int>("num", [&](int n, socketio::ack_callback ack) {
            calls.push_back("num " + std::to_string(n));
            if (ack) ack(json::array({n + 1}));
        });
    });
    polling_client c(f.ioc, f.io);
    c.connect();
    c.send(R"(2["msg","hi"])");
    c.send(R"(2["msg",7])"); // skipped
    c.send(R"(21["num",1])");
    EXPECT_EQ(c.receive(), std::vector<std::string>{"31[2]"});
    c.send(R"(22["num","x"])");
    EXPECT_EQ(c.receive(), std::vector<std::string>{R"(32[{"error":"invalid arguments"}])"});
    EXPECT_EQ(calls, (std::vector<std::string>{"msg hi", "num 1"}));
}

TEST(socket_containment, a_throwing_handler_disconnects_only_its_socket) {
    int bystander_calls = 0;
    fixture f([&](socketio::socket& s) {
        s.on("boom", [](json& args) { (void)args.at(0).get<std::string>(); });
        s.on("ping", [&](socketio::socket&, json&, socketio::ack_callback ack) {
            ++bystander_calls;
            ack(json::array({"pong"}));
        });
    });
    polling_client victim(f.ioc, f.io);
    polling_client bystander(f.ioc, f.io);
    victim.connect();
    bystander.connect();
    victim.send("2[\"boom\",42]"); // get<std::string> on a number throws type_error
    EXPECT_EQ(victim.receive(), std::vector<std::string>{"1"});
    EXPECT_FALSE(f.sockets.at(0)->connected());
    EXPECT_TRUE(f.sockets.at(1)->connected());
    bystander.send("25[\"ping\"]");
    EXPECT_EQ(bystander.receive(), std::vector<std::string>{"35[\"pong\"]"});
    EXPECT_EQ(bystander_calls, 1);
}

TEST(socket_emit, each_value_is_one_argument_and_emit_args_spreads_an_array) {
    fixture f;
    polling_client c(f.ioc, f.io);
    c.connect();
    auto& s = *f.sockets.at(0);
    std::vector<std::string> names{"ann", "bob"};
    s.emit("users", names);
    s.emit("pair", 1, "two");
    s.emit("none");
    s.emit_args("spread", json::array({1, 2}));
    EXPECT_EQ(c.receive(),
              (std::vector<std::string>{"2[\"users\",[\"ann\",\"bob\"]]", "2[\"pair\",1,\"two\"]",
                                        "2[\"none\"]", "2[\"spread\",1,2]"}));
}

TEST(socket_emit, timeout_emitter_takes_the_ack_handler_last) {
    fixture f;
    polling_client c(f.ioc, f.io);
    c.connect();
    auto& s = *f.sockets.at(0);
    std::optional<json> answer;
    s.timeout(std::chrono::seconds(5))
        .emit_with_ack("q", json::array({1}), [&](std::error_code ec, json a) {
            EXPECT_FALSE(ec);
            answer = std::move(a);
        });
    EXPECT_EQ(c.receive(), std::vector<std::string>{"20[\"q\",[1]]"});
    c.send("30[\"yes\"]");
    ASSERT_TRUE(answer);
    EXPECT_EQ(*answer, json::array({"yes"}));
    s.volatile_().emit("dropped");    // no poll open: the transport cannot take it now
    EXPECT_TRUE(c.receive().empty()); // holds a poll open
    s.volatile_().emit("v", 3);
    EXPECT_EQ(c.receive(), std::vector<std::string>{"2[\"v\",3]"});
}

TEST(socket_emit, outgoing_listeners_see_what_the_socket_sends) {
    std::vector<std::string> seen;
    fixture f([&](socketio::socket& s) {
        s.on_any_outgoing([&](socketio::socket&, std::string_view e, json const& args) {
            seen.push_back(std::string(e) + args.dump());
        });
    });
    polling_client c(f.ioc, f.io);
    c.connect();
    auto& s = *f.sockets.at(0);
    s.emit("a", 1);
    s.timeout(std::chrono::seconds(1)).emit_with_ack("b", [](std::error_code, json) {});
    f.io.emit("broadcast", 2); // a broadcast that reaches it too (outgoing_test.cpp)
    s.off_any_outgoing();
    s.emit("c");
    EXPECT_EQ(seen, (std::vector<std::string>{"a[1]", "b[]", "broadcast[2]"}));
}

TEST(server_shorthands, forward_to_the_main_namespace) {
    fixture f;
    polling_client c(f.ioc, f.io);
    c.connect();
    auto& s = *f.sockets.at(0);
    f.io.sockets_join("r");
    EXPECT_TRUE(s.rooms().count("r"));
    EXPECT_TRUE(c.receive().empty()); // holds a poll open, so the volatile event goes
    f.io.volatile_().emit("vol");
    f.io.in("r").emit("in-r", 1);
    f.io.local().emit("local");
    EXPECT_EQ(c.receive(),
              (std::vector<std::string>{"2[\"vol\"]", "2[\"in-r\",1]", "2[\"local\"]"}));
    std::size_t fetched = 0;
    f.io.fetch_sockets([&](std::vector<socketio::socket_info> infos) { fetched = infos.size(); });
    EXPECT_EQ(fetched, 1u);
    f.io.sockets_leave("r");
    EXPECT_FALSE(s.rooms().count("r"));
    f.io.disconnect_sockets();
    EXPECT_FALSE(s.connected());
}

TEST(socket_middleware, refuses_a_packet_with_an_error_event_and_lets_others_through) {
    std::vector<std::string> calls;
    fixture f([&](socketio::socket& s) {
        s.use([&](socketio::event_packet& p, socketio::packet_next next) {
            calls.push_back("mw " + p.event);
            if (p.event == "admin") return next(socketio::packet_error{"unauthorized event", {}});
            p.args.push_back("checked");
            next(std::nullopt);
        });
        s.on_error([&](socketio::socket&, socketio::packet_error const& e) {
            calls.push_back("error " + e.message);
        });
        s.on("admin", [&](json&) { calls.push_back("admin ran"); });
        s.on("chat", [&](json& args) { calls.push_back("chat " + args.dump()); });
    });
    polling_client c(f.ioc, f.io);
    c.connect();
    c.send("21[\"admin\"]");
    c.send("2[\"chat\",1]");
    EXPECT_EQ(calls, (std::vector<std::string>{"mw admin", "error unauthorized event", "mw chat",
                                               "chat [1,\"checked\"]"}));
    EXPECT_TRUE(c.receive().empty()); // the refused event's ack is never answered
    EXPECT_TRUE(f.sockets.at(0)->connected());
}

TEST(socket_middleware, may_call_next_later) {
    std::vector<socketio::packet_next> held;
    int ran = 0;
    fixture f([&](socketio::socket& s) {
        s.use([&](socketio::socket&, socketio::event_packet&, socketio::packet_next next) {
            held.push_back(std::move(next));
        });
        s.on("e", [&](json&) { ++ran; });
    });
    polling_client c(f.ioc, f.io);
    c.connect();
    c.send("2[\"e\"]");
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(ran, 0);
    held[0](std::nullopt);
    held[0](std::nullopt); // a second call is ignored
    EXPECT_EQ(ran, 1);
}

// Events held by a middleware that calls next later count against max_events_in_middleware:
// freed once next runs (or is dropped); one past the cap disconnects only that socket.
TEST(socket_middleware, events_held_in_middleware_are_capped) {
    boost::asio::io_context ioc;
    socketio::server_options opts;
    opts.max_events_in_middleware = 3;
    socketio::server io{ioc, opts};
    std::vector<socketio::socket_ptr> sockets;
    std::vector<socketio::packet_next> held;
    int ran = 0;
    io.on_connection([&](socketio::socket_ptr s) {
        sockets.push_back(s);
        s->use([&](socketio::socket&, socketio::event_packet&, socketio::packet_next next) {
            held.push_back(std::move(next));
        });
        s->on("e", [&](json&) { ++ran; });
    });
    polling_client flooder(ioc, io);
    polling_client bystander(ioc, io);
    flooder.connect();
    bystander.connect();
    for (int i = 0; i < 3; ++i)
        flooder.send("2[\"e\"]");
    ASSERT_EQ(held.size(), 3u);
    for (auto& next : held)
        next(std::nullopt);
    EXPECT_EQ(ran, 3);
    held.clear();
    for (int i = 0; i < 3; ++i)
        flooder.send("2[\"e\"]");
    EXPECT_TRUE(sockets.at(0)->connected()) << "3 held: at the cap, not past it";
    flooder.send("2[\"e\"]");
    EXPECT_FALSE(sockets.at(0)->connected()) << "a 4th held event disconnects";
    EXPECT_EQ(held.size(), 3u) << "the 4th never reached the middleware";
    bystander.send("2[\"e\"]");
    EXPECT_TRUE(sockets.at(1)->connected());
    EXPECT_EQ(held.size(), 4u) << "the bystander's event went on";
}

TEST(socket_middleware, a_throwing_middleware_disconnects_only_its_socket) {
    fixture f([&](socketio::socket& s) {
        s.use([](socketio::event_packet& p, socketio::packet_next next) {
            if (p.event == "boom") throw std::runtime_error("a middleware that throws");
            next(std::nullopt);
        });
    });
    polling_client victim(f.ioc, f.io);
    polling_client bystander(f.ioc, f.io);
    victim.connect();
    bystander.connect();
    victim.send("2[\"boom\"]");
    EXPECT_FALSE(f.sockets.at(0)->connected());
    EXPECT_TRUE(f.sockets.at(1)->connected());
}

TEST(remote_socket, fetched_sockets_have_methods) {
    fixture f;
    polling_client a(f.ioc, f.io);
    polling_client b(f.ioc, f.io);
    a.connect();
    b.connect();
    f.sockets.at(0)->join("r");
    std::vector<socketio::remote_socket> found;
    f.io.in("r").fetch_remote_sockets(
        [&](std::vector<socketio::remote_socket> s) { found = std::move(s); });
    ASSERT_EQ(found.size(), 1u);
    auto const& r = found[0];
    EXPECT_EQ(r.id(), f.sockets.at(0)->id());
    EXPECT_TRUE(r.rooms().count("r"));
    r.emit("hi", json::array({1, 2}));
    EXPECT_EQ(a.receive(), std::vector<std::string>{"2[\"hi\",[1,2]]"});
    EXPECT_TRUE(b.receive().empty());
    r.join("s");
    EXPECT_TRUE(f.sockets.at(0)->rooms().count("s"));
    r.leave("r");
    EXPECT_FALSE(f.sockets.at(0)->rooms().count("r"));
    r.disconnect();
    EXPECT_FALSE(f.sockets.at(0)->connected());
    EXPECT_TRUE(f.sockets.at(1)->connected());
}

// io.engine().on_connection adds a handler of its own: Socket.IO keeps its engine (the footgun
// where it replaced Socket.IO's and every client hung is gone).
TEST(server_engine, an_engine_connection_handler_leaves_socketio_connected) {
    fixture f;
    int sessions = 0;
    f.io.engine().on_connection([&](kibitz::engineio::socket_ptr) { ++sessions; });
    polling_client c(f.ioc, f.io);
    auto reply = c.connect();
    ASSERT_EQ(f.sockets.size(), 1u);
    EXPECT_EQ(reply, "0{\"sid\":\"" + f.sockets.at(0)->id() + "\"}");
    EXPECT_EQ(sessions, 1);
}

TEST(room_delivery, reaches_a_socket_that_joined_before_connecting_and_none_gone) {
    // The adapter points at each connected socket; one that joined a room in a middleware
    // (not connected yet) is found when it connects, and one gone is never reached again.
    fixture f;
    f.io.use([](socketio::socket& s, socketio::next_fn next) {
        s.join("early");
        next(std::nullopt);
    });
    polling_client a(f.ioc, f.io);
    polling_client b(f.ioc, f.io);
    a.connect();
    b.connect();
    ASSERT_EQ(f.sockets.size(), 2u);
    EXPECT_TRUE(a.receive().empty()); // hold a poll open
    f.io.to("early").emit("r", 1);
    f.io.to(f.sockets[0]->id()).emit("own", 2);
    EXPECT_EQ(a.receive(), (std::vector<std::string>{"2[\"r\",1]", "2[\"own\",2]"}));
    b.send("1"); // b leaves its namespace
    EXPECT_FALSE(f.sockets[1]->connected());
    f.sockets.pop_back(); // nothing keeps b's socket
    EXPECT_TRUE(a.receive().empty());
    f.io.emit("all", 3);
    f.io.to("early").emit("r", 4);
    EXPECT_EQ(a.receive(), (std::vector<std::string>{"2[\"all\",3]", "2[\"r\",4]"}));
}

TEST(socket_handshake, is_built_by_its_first_call_from_the_request_the_connection_keeps) {
    fixture f;
    auto const before = util::unix_ms();
    polling_client c(f.ioc, f.io);
    c.send("0{\"token\":\"t\"}");
    ASSERT_FALSE(c.receive().empty());
    polling_client d(f.ioc, f.io);
    d.connect();
    auto const after = util::unix_ms();
    ASSERT_EQ(f.sockets.size(), 2u);
    auto s = f.sockets[0];
    // Asked for the first time once the socket has left: the values of its CONNECT.
    s->disconnect();
    auto const& hs = s->handshake();
    EXPECT_EQ(hs.auth, json({{"token", "t"}}));
    EXPECT_EQ(hs.query, json({{"EIO", "4"}, {"transport", "polling"}}));
    EXPECT_EQ(hs.url, "/socket.io/?EIO=4&transport=polling");
    EXPECT_EQ(hs.address, "127.0.0.1");
    EXPECT_GE(hs.issued, before);
    EXPECT_LE(hs.issued, after);
    EXPECT_EQ(hs.time, socketio::js_date_string(hs.issued));
    EXPECT_EQ(&s->handshake(), &hs); // built once
    // No CONNECT payload: {} (kept as null until asked).
    EXPECT_EQ(f.sockets[1]->handshake().auth, json::object());
}

TEST(socket_emit, an_array_of_arguments_becomes_the_event_data_in_place) {
    json args = json::array();
    args.get_ref<json::array_t&>().reserve(2);
    args.push_back({{"to", "x"}});
    auto const* storage = args.get_ref<json::array_t&>().data();
    auto data = socketio::detail::event_data("dm", std::move(args));
    EXPECT_EQ(data, json::array({"dm", {{"to", "x"}}}));
    EXPECT_EQ(data.get_ref<json::array_t&>().data(), storage); // no new array
    EXPECT_EQ(socketio::detail::event_data("e", 5), json::array({"e", 5}));
    EXPECT_EQ(socketio::detail::event_data("e", {{"a", 1}}), json::array({"e", {{"a", 1}}}));
}

TEST(socket_emit, release_empties_a_value_from_its_leaves_at_any_depth) {
    json j = json::array({"dm", {{"to", "x"}, {"list", {1, 2, {{"k", "v"}}}}}});
    socketio::detail::release(j);
    EXPECT_EQ(j, json::array());
    // Deeper than release recurses: the rest is left to nlohmann's own destructor.
    json deep = json::array();
    json* at = &deep;
    for (int i = 0; i < 10000; ++i)
        at = &at->emplace_back(json::array());
    socketio::detail::release(deep);
    EXPECT_EQ(deep, json::array());
}
