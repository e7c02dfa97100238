#include "harness.hpp"

#include <utility> // Boost 1.74: before <boost/asio/awaitable.hpp>

#include <kibitz/socketio/awaitable.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/system/system_error.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

using namespace kibitz;
using socketio::testing::polling_client;

namespace {

struct outcome {
    std::optional<json> answer;
    std::optional<boost::system::error_code> error;
};

// Coroutine parameters by value (a reference to a temporary would dangle across co_await).
boost::asio::awaitable<void> ask(socketio::socket_ptr s, std::shared_ptr<outcome> out) {
    try {
        out->answer = co_await s->timeout(std::chrono::seconds(5))
                          .emit_with_ack("ping", 1, "two", boost::asio::use_awaitable);
    } catch (boost::system::system_error const& e) {
        out->error = e.code();
    }
}

} // namespace

TEST(socket_awaitable, co_await_yields_the_client_ack) {
    boost::asio::io_context ioc;
    socketio::server io(ioc);
    socketio::socket_ptr socket;
    io.on_connection([&](socketio::socket_ptr s) { socket = s; });
    polling_client c(ioc, io);
    c.connect();
    ASSERT_TRUE(socket);
    auto out = std::make_shared<outcome>();
    boost::asio::co_spawn(ioc, ask(socket, out), boost::asio::detached);
    ioc.poll();
    EXPECT_EQ(c.receive(), std::vector<std::string>{"20[\"ping\",1,\"two\"]"});
    EXPECT_FALSE(out->answer);
    c.send("30[\"pong\",2]");
    ioc.poll();
    ASSERT_TRUE(out->answer);
    EXPECT_EQ(*out->answer, json::parse("[\"pong\",2]"));
    EXPECT_FALSE(out->error);
}

TEST(socket_awaitable, co_await_throws_when_the_socket_is_gone) {
    boost::asio::io_context ioc;
    socketio::server io(ioc);
    socketio::socket_ptr socket;
    io.on_connection([&](socketio::socket_ptr s) { socket = s; });
    polling_client c(ioc, io);
    c.connect();
    ASSERT_TRUE(socket);
    socket->disconnect();
    auto out = std::make_shared<outcome>();
    boost::asio::co_spawn(ioc, ask(socket, out), boost::asio::detached);
    ioc.poll();
    ASSERT_TRUE(out->error);
    EXPECT_EQ(*out->error, boost::system::errc::not_connected);
    EXPECT_FALSE(out->answer);
}
