// A CONNECT with {pid, offset} waits for the adapter's asynchronous restore_session (a cluster
// adapter asks Redis): what the client sends meanwhile is kept in order and bounded, a failed
// or late restore connects as new; and the adapter's init and close hooks.

#include "harness.hpp"

#include <kibitz/socketio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace kibitz;
using socketio::testing::polling_client;

namespace {

// Keeps each restore's `done` for the test to call; counts the hooks.
struct later_adapter : socketio::memory_adapter {
    struct log {
        std::vector<socketio::restore_handler> held;
        std::vector<std::string> asked;
        int inits = 0;
        int closes = 0;
    };
    later_adapter(socketio::adapter_context ctx, log& l)
        : memory_adapter(std::move(ctx)), log_(&l) {}
    void init() override { ++log_->inits; }
    void close() override { ++log_->closes; }
    void restore_session(std::string const& pid, std::string const& offset,
                         socketio::restore_handler done) override {
        log_->asked.push_back(pid + "@" + offset);
        log_->held.push_back(std::move(done));
    }
    log* log_;
};

constexpr char const* old_sid = "AAAAAAAAAAAAAAAAAAAA";

struct fixture {
    explicit fixture(socketio::recovery_options recovery = {}) {
        socketio::server_options opts;
        opts.connection_state_recovery = recovery;
        opts.make_adapter = [this](socketio::adapter_context ctx) {
            return std::make_unique<later_adapter>(std::move(ctx), log);
        };
        io = std::make_unique<socketio::server>(ioc, opts);
        io->on_connection([this](socketio::socket_ptr s) {
            sockets.push_back(s);
            s->on("ev", [](socketio::socket& self, json& args, socketio::ack_callback) {
                self.emit("echo", args.at(0));
            });
        });
    }
    socketio::restored_session restored() const {
        socketio::restored_session r;
        r.session.sid = old_sid;
        r.session.pid = "p1";
        r.session.rooms = {old_sid, "r1"};
        r.session.data = {{"user", "u1"}};
        r.missed.push_back(json::array({"missed", "8"}));
        return r;
    }
    boost::asio::io_context ioc;
    later_adapter::log log;
    std::unique_ptr<socketio::server> io;
    std::vector<socketio::socket_ptr> sockets;
};

bool starts_with(std::string const& s, std::string const& prefix) {
    return s.rfind(prefix, 0) == 0;
}

TEST(restore_wait, the_connect_waits_and_the_packets_sent_meanwhile_follow_in_order) {
    fixture f;
    polling_client a(f.ioc, *f.io);
    a.send(R"(0{"pid":"p1","offset":"7"})");
    a.send(R"(2["ev",1])");
    a.send(R"(2["ev",2])");
    EXPECT_TRUE(a.receive().empty()) << "no CONNECT answer before the adapter's";
    ASSERT_EQ(f.log.asked, std::vector<std::string>{"p1@7"});
    ASSERT_EQ(f.log.held.size(), 1u);
    f.log.held[0](f.restored());
    // The poll held since then answers with the first packets; the next GET has the rest.
    auto got = a.receive();
    for (auto more = a.receive(); !more.empty(); more = a.receive())
        got.insert(got.end(), more.begin(), more.end());
    ASSERT_EQ(got.size(), 4u);
    EXPECT_TRUE(starts_with(got[0], "0{")) << got[0];
    EXPECT_NE(got[0].find(old_sid), std::string::npos) << "the old id back";
    EXPECT_EQ(got[1], R"(2["missed","8"])") << "what it missed, after the CONNECT";
    EXPECT_TRUE(starts_with(got[2], R"(2["echo",1)")) << got[2];
    EXPECT_TRUE(starts_with(got[3], R"(2["echo",2)")) << got[3];
    ASSERT_EQ(f.sockets.size(), 1u);
    EXPECT_TRUE(f.sockets[0]->recovered());
    EXPECT_TRUE(f.sockets[0]->rooms().count("r1"));
    EXPECT_EQ(f.sockets[0]->data["user"], "u1");
}

TEST(restore_wait, more_packets_than_the_bound_close_the_connection) {
    socketio::recovery_options r;
    r.max_packets_while_restoring = 2;
    fixture f(r);
    polling_client a(f.ioc, *f.io);
    polling_client bystander(f.ioc, *f.io);
    bystander.connect();
    a.send(R"(0{"pid":"p1","offset":"7"})");
    a.send(R"(2["ev",1])");
    a.send(R"(2["ev",2])");
    EXPECT_FALSE(a.closed());
    a.send(R"(2["ev",3])");
    a.receive();
    EXPECT_TRUE(a.closed());
    // The late answer finds the client gone: nothing happens.
    f.log.held.at(0)(f.restored());
    EXPECT_EQ(f.sockets.size(), 1u) << "the bystander only";
    f.sockets[0]->emit("still", 1);
    auto got = bystander.receive();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(starts_with(got[0], R"(2["still",1)"));
}

TEST(restore_wait, a_failed_restore_connects_as_new) {
    fixture f;
    polling_client a(f.ioc, *f.io);
    a.send(R"(0{"pid":"p1","offset":"7"})");
    f.log.held.at(0)(std::nullopt);
    auto got = a.receive();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(starts_with(got[0], "0{"));
    EXPECT_EQ(got[0].find(old_sid), std::string::npos);
    ASSERT_EQ(f.sockets.size(), 1u);
    EXPECT_FALSE(f.sockets[0]->recovered());
    EXPECT_EQ(f.sockets[0]->id().size(), 20u);
}

TEST(restore_wait, a_restore_past_its_timeout_connects_as_new_and_its_late_answer_is_dropped) {
    socketio::recovery_options r;
    r.restore_timeout = std::chrono::milliseconds(0);
    fixture f(r);
    polling_client a(f.ioc, *f.io);
    a.send(R"(0{"pid":"p1","offset":"7"})");
    auto got = a.receive();
    ASSERT_EQ(got.size(), 1u) << "the timer (due at once) connected it as new";
    ASSERT_EQ(f.sockets.size(), 1u);
    EXPECT_FALSE(f.sockets[0]->recovered());
    f.log.held.at(0)(f.restored());
    EXPECT_EQ(f.sockets.size(), 1u);
    EXPECT_TRUE(a.receive().empty());
}

TEST(restore_wait, without_pid_and_offset_nothing_is_asked) {
    fixture f;
    polling_client a(f.ioc, *f.io);
    EXPECT_TRUE(starts_with(a.connect(), "0{"));
    EXPECT_TRUE(f.log.asked.empty());
}

TEST(adapter_hooks, init_once_per_namespace_and_close_once_when_the_server_closes) {
    fixture f;
    f.io->of("/other");
    EXPECT_EQ(f.log.inits, 2);
    EXPECT_EQ(f.log.closes, 0);
    f.io->close();
    EXPECT_EQ(f.log.closes, 2);
    f.io.reset();
    EXPECT_EQ(f.log.closes, 2) << "not again when destroyed";
}

} // namespace
