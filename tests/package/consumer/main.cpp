// Echo server built against an installed Kibitz: `consumer` prints its port, serves one
// Socket.IO namespace and stops on SIGTERM.
#include <kibitz/http/server.hpp>
#include <kibitz/socketio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <iostream>

int main() {
    boost::asio::io_context ioc;
    kibitz::socketio::server io(ioc);
    io.on_connection([](kibitz::socketio::socket_ptr s) {
        s->on("ping", [](kibitz::socketio::socket&, kibitz::json& args,
                         kibitz::socketio::ack_callback ack) {
            if (ack) ack(args);
        });
    });
    kibitz::http::server http(ioc);
    io.attach(http);
    std::cout << "listening on http://127.0.0.1:" << http.listen("127.0.0.1", 0) << std::endl;
    boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](auto, int) { ioc.stop(); });
    ioc.run();
}
