// The counters instruments read (socketio/counters.hpp, GET /metrics):
// a volatile packet the transport cannot take is counted as dropped, each broadcast's recipients
// land in the fan-out histogram, and an ack not sent within its timeout is counted. A real
// server with no network (harness.hpp).
#include "harness.hpp"

#include <kibitz/socketio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <system_error>
#include <vector>

using namespace kibitz;
using socketio::testing::polling_client;

namespace {

struct fixture {
    boost::asio::io_context ioc;
    socketio::server io{ioc};
    std::vector<socketio::socket_ptr> sockets;
    fixture() {
        io.on_connection([this](socketio::socket_ptr s) { sockets.push_back(s); });
    }
};

} // namespace

TEST(counters, a_volatile_packet_the_transport_cannot_take_is_counted) {
    fixture f;
    polling_client c(f.ioc, f.io);
    c.connect();
    auto& s = *f.sockets.at(0);
    s.emit("first");               // queued, not yet written
    s.volatile_().emit("dropped"); // the transport is not free: dropped
    EXPECT_EQ(f.io.counters().volatile_drops, 1u);
    EXPECT_EQ(c.receive(), std::vector<std::string>{"2[\"first\"]"});
    EXPECT_TRUE(c.receive().empty()); // holds a poll open: the next one goes
    s.volatile_().emit("taken");
    EXPECT_EQ(f.io.counters().volatile_drops, 1u);
    EXPECT_EQ(c.receive(), std::vector<std::string>{"2[\"taken\"]"});
}

TEST(counters, each_broadcast_counts_its_recipients) {
    fixture f;
    polling_client a(f.ioc, f.io);
    polling_client b(f.ioc, f.io);
    a.connect();
    b.connect();
    auto const& fanout = f.io.counters().fanout;
    auto const before = fanout.count(0) + fanout.count(1);
    f.io.emit("all", 1);                           // two recipients: the le=10 bucket
    f.io.to(f.sockets.at(0)->id()).emit("one", 2); // one: the le=1 bucket
    f.io.to("nobody").emit("none", 3);             // none: not observed
    EXPECT_EQ(fanout.count(0) + fanout.count(1), before + 2);
    EXPECT_EQ(fanout.count(1), 1u);
    EXPECT_EQ(fanout.count(0), 1u);
    EXPECT_EQ(fanout.sum(), 3u);
}

TEST(counters, an_ack_not_sent_in_time_is_counted) {
    fixture f;
    polling_client c(f.ioc, f.io);
    c.connect();
    auto& s = *f.sockets.at(0);
    std::error_code got;
    bool called = false;
    s.timeout(std::chrono::milliseconds(1)).emit_with_ack("q", [&](std::error_code ec, json) {
        got = ec;
        called = true;
    });
    EXPECT_EQ(f.io.counters().ack_timeouts, 0u);
    // The timer is real: run the loop until its handler ran (capped).
    auto const cap = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!called && std::chrono::steady_clock::now() < cap)
        f.ioc.run_one_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(called);
    EXPECT_EQ(got, std::errc::timed_out);
    EXPECT_EQ(f.io.counters().ack_timeouts, 1u);
}
