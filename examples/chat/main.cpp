// The socket.io tutorial's chat in C++: chat-example [port], then open http://localhost:3000
#include <kibitz/http/server.hpp>
#include <kibitz/http/static_files.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/server.hpp>

#include <cstdlib>
#include <iostream>

using namespace kibitz;

int main(int argc, char** argv) {
    net::asio::io_context ioc;
    socketio::server_options opts;
    opts.client_dist_dir = CHAT_CLIENT_DIST; // serves /socket.io/socket.io.js
    socketio::server io(ioc, opts);

    io.on_connection([&io](socketio::socket_ptr socket) {
        socket->on<std::string>("chat message",
                                [&io](std::string msg) { io.emit("chat message", msg); });
    });

    http::server http(ioc);
    io.attach(http);
    http::static_files pages(CHAT_PUBLIC_DIR);
    http.set_fallback([&pages](http::request const& req, http::responder res) {
        if (!pages.serve(req, res)) res({404, {}, "Not Found"});
    });
    auto port = http.listen("127.0.0.1", argc > 1 ? std::atoi(argv[argc - 1]) : 3000);
    std::cout << "listening on http://127.0.0.1:" << port << std::endl;
    ioc.run();
}
