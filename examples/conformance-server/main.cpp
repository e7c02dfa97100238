// The server the official Engine.IO and Socket.IO protocol test suites expect (PROTOCOL.md,
// "Example servers"): pingInterval 300, pingTimeout 200, maxPayload 1000000; `/engine.io/` is a
// bare Engine.IO server that echoes every message to its sender.
//
//   conformance-server [--host 127.0.0.1] [--port 3000]
#include <kibitz/engineio/http_server.hpp>
#include <kibitz/engineio/server.hpp>
#include <kibitz/net/asio.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace eio = kibitz::engineio;
namespace net = kibitz::net;

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    int port = 3000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--host")
            host = argv[i + 1];
        else if (flag == "--port")
            port = std::atoi(argv[i + 1]);
        else {
            std::cerr << "usage: conformance-server [--host H] [--port P]\n";
            return 2;
        }
    }
    net::asio::io_context ioc;

    eio::options opts;
    opts.path = "/engine.io/";
    opts.ping_interval = std::chrono::milliseconds(300);
    opts.ping_timeout = std::chrono::milliseconds(200);
    opts.max_payload = 1'000'000;
    opts.cors.origins = {"*"};
    eio::server echo(ioc, opts);
    // Every message, text or binary, goes back to its sender.
    echo.on_connection([](eio::socket_ptr socket) {
        std::weak_ptr<eio::socket> weak = socket;
        socket->on_message([weak](eio::message msg) {
            auto s = weak.lock();
            if (!s) return;
            if (msg.binary)
                s->send_binary(msg.data);
            else
                s->send_text(msg.data);
        });
    });

    eio::http_server http(ioc);
    http.mount(echo);
    auto bound = http.listen(host, static_cast<std::uint16_t>(port));
    std::cout << "listening on http://" << host << ":" << bound << std::endl;

    net::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](net::error_code, int) {
        http.stop();
        echo.close();
        ioc.stop();
    });
    ioc.run();
    return 0;
}
