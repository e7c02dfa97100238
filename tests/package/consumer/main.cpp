// Echo server built against an installed Kibitz: `consumer` prints its port, serves one
// Socket.IO namespace and stops on SIGTERM. It uses the handler shapes, the variadic emit and a
// coroutine awaiting an ack (kibitz/socketio/awaitable.hpp).
#include <utility> // Boost 1.74: before <boost/asio/awaitable.hpp>

#include <kibitz/http/server.hpp>
#include <kibitz/socketio/awaitable.hpp>
#include <kibitz/socketio/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <csignal>
#include <iostream>
#include <string>

namespace sio = kibitz::socketio;

// Asks the client `hello` and emits `hello-back` with its answer. By value: a coroutine.
boost::asio::awaitable<void> greet(sio::socket_ptr s) {
    auto answer = co_await s->timeout(std::chrono::seconds(5))
                      .emit_with_ack("hello", 1, boost::asio::use_awaitable);
    s->emit("hello-back", answer);
}

int main() {
    boost::asio::io_context ioc;
    sio::server io(ioc);
    io.on_connection([&ioc](sio::socket_ptr s) {
        s->on<std::string>("ping", [](std::string text, sio::ack_callback ack) {
            if (ack) ack(text);
        });
        s->on("greet", [&ioc](sio::socket& self, kibitz::json&) {
            boost::asio::co_spawn(ioc, greet(self.shared_from_this()), boost::asio::detached);
        });
    });
    kibitz::http::server http(ioc);
    io.attach(http);
    std::cout << "listening on http://127.0.0.1:" << http.listen("127.0.0.1", 0) << std::endl;
    boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](auto, int) { ioc.stop(); });
    ioc.run();
}
