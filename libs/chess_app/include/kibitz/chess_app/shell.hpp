#pragma once

#include <kibitz/chess_app/limits.hpp>
#include <kibitz/chess_app/service.hpp>
#include <kibitz/redis/url.hpp>

#include <cstddef>
#include <cstdint>
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

// A node of a chess cluster (docs/cluster.md "The chess across nodes"): each game has one owner
// node, claimed in Redis (`<prefix>:kibitz:chess:owner:<id>` = node, expiring after ttl_ms,
// written back every heartbeat_ms); the other nodes forward their sockets' requests for it to
// the owner. A node not heard from for ttl_ms is dropped (its sockets leave the games here).
struct chess_cluster_options {
    redis::url url;
    std::string prefix = "socket.io";
    std::string node; // this node's id: unique in the cluster
    std::int64_t ttl_ms = 6000;
    std::int64_t heartbeat_ms = 2000;
    // A request forwarded to a game's owner is answered `unavailable` when the owner's answer
    // has not come after this long, or the ttl if shorter (checked every quarter of it), or at
    // once when max_forwards wait already.
    std::int64_t forward_timeout_ms = 5000;
    std::size_t max_forwards = 10000;
    // How many games' joins a local socket's node remembers for it, to join them again when an
    // owner lost track of it (docs/cluster.md "Who is in a game"); the oldest go first. The
    // shell sets it to service_options::max_games_per_conn when that is not 0.
    std::size_t max_joins_per_socket = 32;
};

// What the shell bounds itself: flood control per connection, the requests waiting for the
// store (over all connections; beyond it a request is answered `unavailable`), the calls of one
// batch, and how long the timer waits after a failed commit before it tries again.
struct shell_options {
    rate_options rates;
    std::size_t max_queued = 10000;
    // PGN reads for HTTP GET /chess/games/<id>.pgn (anyone may ask, without a session) in flight
    // at once; past it, 503. They run in a store lane of their own and do not count against
    // max_queued, so a flood of downloads cannot make /chess answer `unavailable`.
    std::size_t max_http_reads = 32;
    std::size_t max_batch = 512;
    std::int64_t retry_ms = 1000;
    // Set: this node is one of a cluster (the namespace's adapter must be the Redis one).
    std::optional<chess_cluster_options> cluster;
};

// A game's PGN as the shell finds it: `id` is the game's id now (an old upper-case id maps to
// its lower-case one); `unavailable` when the store could not be read.
struct pgn_answer {
    std::string id;
    std::string text;
    bool unavailable = false;
};

// The I/O shell around the game service (docs/architecture.md rule 1): it installs the /chess
// namespace's handlers, feeds the service parsed messages and the current steady time, carries
// out its effects (rooms "game:<id>", `game`/`rematch`/`lobby` events, saves through the store
// worker) and keeps one timer at the service's next wake-up (flag falls, claims becoming
// possible, expiry). Games the service does not know are looked up in the store before a
// message about them is handled. Everything runs on the io_context thread.
//
// Ack after commit: requests are handled in batches (all that arrived in one loop turn, or
// while the previous batch was being stored), one at a time. The changes of a batch are saved
// in one transaction; only once it is committed are its `game`, `rematch` and (at most one)
// `lobby` events sent and its acks answered. When the commit fails the service is rolled back
// to the state before the batch, nothing is sent, and every request that changed something (or
// was handled after such a request) is answered `unavailable`.
class chess_server : public std::enable_shared_from_this<chess_server> {
public:
    // Installs the namespace on `io`, restores the games in progress from the store (a
    // synchronous read through the worker, before the server listens) and returns the owner.
    // `io`, `store` and `ioc` must outlive it.
    static std::shared_ptr<chess_server> install(boost::asio::io_context& ioc, socketio::server& io,
                                                 store::worker& store, service_options opts,
                                                 shell_options shell = {});
    ~chess_server();
    chess_server(chess_server const&) = delete;
    chess_server& operator=(chess_server const&) = delete;

    // For HTTP: the PGN of game `id` (from memory or the store), or nullopt when there is no
    // such game; `unavailable` when the store could not be read or max_http_reads are in
    // flight. Only committed state is shown. `done` runs on the io_context thread.
    void pgn(std::string const& id, std::function<void(std::optional<pgn_answer>)> done);

    // For HTTP: finished games from the store, newest first, after `before`, at most `limit`
    // (database::finished_games); nullopt when the store could not be read or max_http_reads
    // are in flight (these reads share the PGN's lane and bound). `done` runs on the
    // io_context thread.
    void finished_games(std::optional<store::game_cursor> before, std::size_t limit,
                        std::function<void(std::optional<std::vector<store::game_record>>)> done);

    // Games by status and moves played (service::counters), for GET /metrics.
    chess_app::counters counters() const;

    struct impl;

private:
    explicit chess_server(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

} // namespace kibitz::chess_app
