// on_any_outgoing sees every event sent to a socket: its own emits and the broadcasts that reach
// it (Node's onAnyOutgoing), through the adapter's delivery path (adapter_context::outgoing);
// broadcasts while no socket listens skip that path. And the variadic emit_with_ack and
// server_side_emit forms, and the cleanup of empty dynamic children.

#include "harness.hpp"

#include <kibitz/socketio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace kibitz;
using socketio::testing::polling_client;

namespace {

// Records, at each broadcast, whether the namespace told the adapter to run outgoing listeners.
struct watching_adapter : socketio::memory_adapter {
    watching_adapter(socketio::adapter_context ctx, std::vector<bool>& log)
        : memory_adapter(std::move(ctx)), log_(&log) {}
    void broadcast(socketio::packet p, socketio::broadcast_options const& opts) override {
        log_->push_back(context().outgoing_watched());
        memory_adapter::broadcast(std::move(p), opts);
    }
    std::vector<bool>* log_;
};

struct fixture {
    boost::asio::io_context ioc;
    std::vector<bool> watched;
    std::unique_ptr<socketio::server> io;
    std::vector<socketio::socket_ptr> sockets;

    explicit fixture(socketio::server_options opts = {}) {
        opts.make_adapter = [this](socketio::adapter_context ctx) {
            return std::make_unique<watching_adapter>(std::move(ctx), watched);
        };
        io = std::make_unique<socketio::server>(ioc, opts);
        io->on_connection([this](socketio::socket_ptr s) { sockets.push_back(s); });
    }
};

std::string seen_as(std::string_view event, json const& args) {
    return std::string(event) + args.dump();
}

} // namespace

TEST(socket_outgoing, listeners_see_the_broadcasts_that_reach_their_socket) {
    fixture f;
    polling_client a(f.ioc, *f.io);
    polling_client b(f.ioc, *f.io);
    a.connect();
    b.connect();
    auto& s = *f.sockets.at(0);
    std::vector<std::string> seen;
    s.on_any_outgoing([&](socketio::socket&, std::string_view e, json const& args) {
        seen.push_back(seen_as(e, args));
    });
    f.sockets.at(1)->join("elsewhere");
    f.io->emit("all", 1, "two");                 // reaches s
    f.io->to("elsewhere").emit("not-mine");      // does not
    f.sockets.at(1)->broadcast().emit("from-b"); // b's broadcast reaches s
    f.io->timeout(std::chrono::seconds(1))
        .emit_with_ack("ask", 3, [](std::error_code, std::vector<json>) {});
    s.emit("own");
    EXPECT_EQ(seen, (std::vector<std::string>{"all[1,\"two\"]", "from-b[]", "ask[3]", "own[]"}));
    // The client got each of them, in order; the other client got its own.
    EXPECT_EQ(a.receive(), (std::vector<std::string>{"2[\"all\",1,\"two\"]", "2[\"from-b\"]",
                                                     "20[\"ask\",3]", "2[\"own\"]"}));
    EXPECT_EQ(b.receive(), (std::vector<std::string>{"2[\"all\",1,\"two\"]", "2[\"not-mine\"]",
                                                     "20[\"ask\",3]"}));
}

TEST(socket_outgoing, broadcasts_skip_the_listeners_path_while_no_socket_listens) {
    fixture f;
    polling_client a(f.ioc, *f.io);
    a.connect();
    auto& s = *f.sockets.at(0);
    f.io->emit("before");
    auto first = s.on_any_outgoing([](socketio::socket&, std::string_view, json const&) {});
    auto second = s.on_any_outgoing([](socketio::socket&, std::string_view, json const&) {});
    f.io->emit("two listening");
    s.off_any_outgoing(first);
    f.io->emit("one listening");
    s.off_any_outgoing(second);
    f.io->emit("none again");
    s.on_any_outgoing([](socketio::socket&, std::string_view, json const&) {});
    s.disconnect(); // a disconnected socket's listeners go with it
    f.io->emit("gone");
    EXPECT_EQ(f.watched, (std::vector<bool>{false, true, true, false, false}));
}

TEST(socket_outgoing, a_listener_may_change_rooms_or_throw_without_harming_the_broadcast) {
    fixture f;
    polling_client thrower(f.ioc, *f.io);
    polling_client mover(f.ioc, *f.io);
    polling_client bystander(f.ioc, *f.io);
    thrower.connect();
    mover.connect();
    bystander.connect();
    for (auto const& s : f.sockets)
        s->join("r");
    f.sockets.at(0)->on_any_outgoing([](socketio::socket&, std::string_view e, json const&) {
        if (e == "boom") throw std::runtime_error("an outgoing listener that throws");
    });
    // Leaving and joining rooms while the broadcast walks the room's members.
    f.sockets.at(1)->on_any_outgoing([](socketio::socket& self, std::string_view, json const&) {
        self.leave("r");
        self.join("r2");
    });
    f.io->to("r").emit("boom");
    EXPECT_FALSE(f.sockets.at(0)->connected()) << "the thrower's socket is disconnected";
    EXPECT_TRUE(f.sockets.at(1)->connected());
    EXPECT_FALSE(f.sockets.at(1)->rooms().count("r"));
    auto got = thrower.receive();
    EXPECT_TRUE(std::find(got.begin(), got.end(), "2[\"boom\"]") == got.end())
        << "nothing sent to the socket whose listener threw";
    EXPECT_EQ(mover.receive(), std::vector<std::string>{"2[\"boom\"]"});
    EXPECT_EQ(bystander.receive(), std::vector<std::string>{"2[\"boom\"]"});
}

TEST(socket_outgoing, with_recovery_an_own_emit_is_seen_once_with_its_offset) {
    socketio::server_options opts;
    opts.connection_state_recovery = socketio::recovery_options{};
    fixture f(opts);
    polling_client a(f.ioc, *f.io);
    a.connect();
    auto& s = *f.sockets.at(0);
    std::vector<json> seen;
    s.on_any_outgoing([&](socketio::socket&, std::string_view e, json const& args) {
        seen.push_back(json::array({std::string(e), args}));
    });
    s.emit("own", 1);
    ASSERT_EQ(seen.size(), 1u) << "through the adapter, as Node: once";
    EXPECT_EQ(seen[0][0], "own");
    ASSERT_EQ(seen[0][1].size(), 2u);
    EXPECT_EQ(seen[0][1][0], 1);
    EXPECT_TRUE(seen[0][1][1].is_string()) << "the offset the client gets";
}

TEST(emit_with_ack, broadcast_and_socket_take_one_argument_per_value_and_the_handler_last) {
    fixture f;
    polling_client a(f.ioc, *f.io);
    a.connect();
    std::optional<std::vector<json>> responses;
    f.io->timeout(std::chrono::seconds(5))
        .emit_with_ack("q", 1, std::vector<int>{2, 3},
                       [&](std::error_code ec, std::vector<json> r) {
                           EXPECT_FALSE(ec);
                           responses = std::move(r);
                       });
    EXPECT_EQ(a.receive(), std::vector<std::string>{"20[\"q\",1,[2,3]]"});
    a.send("30[\"yes\"]");
    ASSERT_TRUE(responses);
    EXPECT_EQ(*responses, std::vector<json>{"yes"});
    // The array form under its own name spreads the array.
    f.io->to(f.sockets.at(0)->id())
        .emit_args_with_ack("spread", json::array({1, 2}),
                            [](std::error_code, std::vector<json>) {});
    EXPECT_EQ(a.receive(), std::vector<std::string>{"21[\"spread\",1,2]"});
    a.send("31[]");
    // A socket's own, without a timeout (as long as it lives), as Node's socket.emit(ev, a, cb).
    std::optional<json> answer;
    f.sockets.at(0)->emit_with_ack("hi", "there", [&](std::error_code ec, json args) {
        EXPECT_FALSE(ec);
        answer = std::move(args);
    });
    EXPECT_EQ(a.receive(), std::vector<std::string>{"22[\"hi\",\"there\"]"});
    a.send("32[4]");
    ASSERT_TRUE(answer);
    EXPECT_EQ(*answer, json::array({4}));
}

// server_options::cleanup_empty_child_namespaces: on (the default), a dynamic child goes on the
// loop turn after its last socket; off (Node's default), it stays.
TEST(dynamic_namespaces, an_empty_child_is_removed_unless_cleanup_is_off) {
    for (bool cleanup : {true, false}) {
        boost::asio::io_context ioc;
        socketio::server_options opts;
        opts.cleanup_empty_child_namespaces = cleanup;
        socketio::server io{ioc, opts};
        io.of([](std::string const& name, json const&) { return name.starts_with("/room-"); });
        polling_client c(ioc, io);
        EXPECT_EQ(c.connect("/room-1").substr(0, 9), "0/room-1,") << cleanup;
        EXPECT_TRUE(io.has_namespace("/room-1"));
        c.send("1/room-1,"); // the client leaves the namespace
        ioc.poll();
        EXPECT_EQ(io.has_namespace("/room-1"), !cleanup) << cleanup;
        EXPECT_EQ(c.connect("/room-1").substr(0, 9), "0/room-1,") << "joins again either way";
    }
}

namespace {
// Records what the namespace hands the adapter for the other servers (Node's serverSideEmit).
struct peer_adapter : socketio::memory_adapter {
    peer_adapter(socketio::adapter_context ctx, std::vector<json>& log)
        : memory_adapter(std::move(ctx)), log_(&log) {}
    void server_side_emit(json data, socketio::broadcast_ack_handler done) override {
        log_->push_back(data);
        if (done) done({}, {json("answer")});
    }
    std::vector<json>* log_;
};
} // namespace

TEST(server_side_emit, each_value_is_one_argument_and_the_args_forms_spread_an_array) {
    boost::asio::io_context ioc;
    std::vector<json> sent;
    socketio::server_options opts;
    opts.make_adapter = [&sent](socketio::adapter_context ctx) {
        return std::make_unique<peer_adapter>(std::move(ctx), sent);
    };
    socketio::server io(ioc, opts);
    json const names = json::array({"ann", "bob"});
    io.server_side_emit("users", names);       // one argument: the array
    io.server_side_emit("two", 1, "x");        // two arguments
    io.server_side_emit_args("spread", names); // the array's elements
    std::vector<json> answers;
    io.server_side_emit_with_ack("ask", 7, [&](std::error_code ec, std::vector<json> a) {
        EXPECT_FALSE(ec);
        answers = std::move(a);
    });
    io.of("/chat").server_side_emit_args("ask-args", json::array({1, 2}),
                                         [](std::error_code, std::vector<json>) {});
    EXPECT_EQ(sent, (std::vector<json>{
                        json::parse(R"(["users",["ann","bob"]])"), json::parse(R"(["two",1,"x"])"),
                        json::parse(R"(["spread","ann","bob"])"), json::parse(R"(["ask",7])"),
                        json::parse(R"(["ask-args",1,2])")}));
    EXPECT_EQ(answers, std::vector<json>{json("answer")});
}
