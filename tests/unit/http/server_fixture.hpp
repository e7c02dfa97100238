#pragma once

// An http::server whose loop runs on a thread of its own, and blocking loopback clients with a
// receive timeout as the safety net: what the server and TLS tests share. A test makes
// `server_`, then calls listen().

#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <future>
#include <optional>
#include <thread>

namespace kibitz::test {

class server_fixture : public ::testing::Test {
protected:
    // Listens on a free loopback port and starts the loop.
    void listen() {
        port_ = server_->listen("127.0.0.1", 0);
        loop_ = std::thread([this] { ioc_.run(); });
    }

    // Runs `f` on the server's loop and returns its result.
    template<class F>
    auto on_loop(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        net::asio::post(ioc_, [&task] { task(); });
        return result.get();
    }

    void TearDown() override {
        if (server_ && loop_.joinable()) on_loop([this] { server_->stop(); });
        guard_.reset();
        ioc_.stop();
        if (loop_.joinable()) loop_.join();
        server_.reset(); // before the derived fixture's handlers go
    }

    // A connected client; `receive_buffer` (bytes) set before connecting when not 0.
    net::tcp::socket connect(int receive_buffer = 0) {
        net::tcp::socket s(client_ioc_);
        if (receive_buffer) {
            s.open(net::tcp::v4());
            ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                         sizeof receive_buffer);
        }
        s.connect({net::asio::ip::make_address("127.0.0.1"), port_});
        timeval tv{5, 0}; // the safety net: no test waits longer than this for a byte
        ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        return s;
    }

    net::asio::io_context ioc_;
    net::asio::executor_work_guard<net::asio::io_context::executor_type> guard_{
        ioc_.get_executor()};
    net::asio::io_context client_ioc_;
    std::optional<http::server> server_;
    std::thread loop_;
    std::uint16_t port_ = 0;
};

} // namespace kibitz::test
