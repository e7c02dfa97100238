#pragma once

#include <kibitz/chess_app/service.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}
namespace kibitz::socketio {
class server;
class nsp;
} // namespace kibitz::socketio
namespace kibitz::store {
class worker;
}

namespace kibitz::chess_app {

// The I/O shell around the game service (ARCHITECTURE.md rule 1): it installs the /chess
// namespace's handlers, feeds the service parsed messages and the current Unix time, carries
// out its effects (rooms "game:<id>", `game`/`rematch`/`lobby` events, saves through the store
// worker, acks once the change is saved) and keeps one timer at the service's next wake-up
// (flag falls, claims becoming possible). Games the service does not know are looked up in the
// store before a message about them is answered. Everything runs on the io_context thread.
class chess_server : public std::enable_shared_from_this<chess_server> {
public:
    // Installs the namespace on `io`, restores the games in progress from the store (a
    // synchronous read through the worker, before the server listens) and returns the owner.
    // `io`, `store` and `ioc` must outlive it.
    static std::shared_ptr<chess_server> install(boost::asio::io_context& ioc, socketio::server& io,
                                                 store::worker& store, service_options opts);
    ~chess_server();
    chess_server(chess_server const&) = delete;
    chess_server& operator=(chess_server const&) = delete;

    // The PGN of game `id` (from memory or the store), or nullopt when there is no such game.
    // `done` runs on the io_context thread.
    void pgn(std::string const& id, std::function<void(std::optional<std::string>)> done);

    struct impl;

private:
    explicit chess_server(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

} // namespace kibitz::chess_app
