#pragma once

// The chess shell's link to the other nodes of a cluster (docs/cluster.md "The chess across
// nodes"): game ownership claimed in Redis, requests forwarded to the owner over
// server_side_emit with ack, heartbeats carrying each node's lobby and forwarding sockets.
#include <kibitz/chess_app/cluster_state.hpp>
#include <kibitz/chess_app/shell.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/types.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace kibitz::redis {
class connection;
}
namespace kibitz::socketio {
class nsp;
}

namespace kibitz::chess_app {

class cluster_link {
public:
    // What the link asks of the shell.
    struct hooks {
        // A forwarded request for a game this node owns (or may own): handle it as a local one,
        // storing nothing it changes from `deadline` on (steady ms here: its sender has answered
        // `unavailable` by then).
        std::function<void(std::string const& conn, std::string const& event, json const& payload,
                           socketio::ack_callback ack, std::int64_t deadline)>
            handle_remote;
        // Remote sockets that are gone: disconnect them from this node's games.
        std::function<void(std::vector<std::string> const& conns)> remote_gone;
        // The ids of the games in memory here (their ownership is written back every beat).
        std::function<std::vector<std::string>()> held_ids;
        // Games Redis says another node owns now: this node lets them go.
        std::function<void(std::vector<std::string> const& ids)> lost;
        // This node's own lobby entries (a JSON array).
        std::function<json()> own_lobby;
        // The cluster's lobby changed because of a peer: send it to this node's sockets.
        std::function<void()> lobby_changed;
        // An owner asks who is in games `ids` (it took them over, or had dropped this node's
        // sockets): this node's sockets in them join again.
        std::function<void(std::vector<std::string> const& ids)> reannounce;
    };

    cluster_link(net::asio::io_context& ioc, socketio::nsp& nsp, chess_cluster_options opts,
                 hooks h);
    ~cluster_link();
    cluster_link(cluster_link const&) = delete;
    cluster_link& operator=(cluster_link const&) = delete;

    void start();
    std::string const& node() const { return opts_.node; }

    // Who owns game `id`: this node, when nobody did (the claim is made), or another. The
    // answer is an empty string with `ec` set when Redis could not be asked.
    void owner_of(std::string const& id, std::function<void(bool ok, std::string owner)> done);
    // Claims games just created here (nobody else can know their ids yet).
    void claim(std::vector<std::string> const& ids);
    // Sends a local socket's request to the owner `owner`; `done` gets its answer, or nullopt
    // (the owner did not answer within forward_timeout_ms, Redis is down, or max_forwards
    // wait already).
    void forward(std::string const& owner, std::string const& conn, std::string const& event,
                 json const& payload, std::string const& address,
                 std::optional<std::int64_t> rtt_ms, std::function<void(std::optional<json>)> done);
    // A local socket left: the owners its requests went to are told.
    void local_gone(std::string const& conn);
    // Who is in a game (docs/cluster.md "Who is in a game"): a local socket's accepted join,
    // the local sockets of a game, and the question to every node (or to `to` alone) after
    // this node took games over.
    void joined(std::string const& conn, std::string const& game, local_join how) {
        state_.joined(conn, game, std::move(how));
    }
    std::vector<std::pair<std::string, local_join>> joins_of(std::string const& game) const {
        return state_.joins_of(game);
    }
    void ask_who(std::vector<std::string> const& ids, std::string const& to = {});
    // This node's lobby changed: the peers are told (they merge it into theirs).
    void own_lobby_changed(json const& own);

    // Fencing (docs/cluster.md "A frozen owner"). A claim written back at steady time t lives
    // in Redis until at least t + ttl; this node counts it as its lease until t + ttl - ttl / 6
    // and changes a game only within its lease. lease_end: the earliest lease end of `ids` (0
    // when one of them has none).
    std::int64_t lease_end(std::vector<std::string> const& ids) const;
    enum class fence_outcome : std::uint8_t {
        held,    // every one is this node's (written back: the leases are renewed)
        lost,    // some are another node's now (listed)
        unknown, // Redis did not answer: the leases are not renewed
    };
    using fence_done = std::function<void(fence_outcome, std::vector<std::string> lost)>;
    // Writes the claims of `ids` back (ours or free: renewed; another node's: lost), atomically
    // per 500 in Redis, and says which.
    void fence(std::vector<std::string> ids, fence_done done);

    remote_conn const* remote(std::string const& conn) const { return state_.conn(conn); }
    json lobby(json const& own) const { return state_.lobby(own); }

private:
    void on_peer(json& args, socketio::ack_callback ack);
    void beat();
    void refresh_owned();
    // A forward's answer (`ans` from its owner) / the forwards past their deadline.
    void answered(std::string const& id, json const& reply);
    void expire_forwards();
    std::int64_t forward_timeout() const;
    // One refresh_script call (at most refresh_batch ids); renews the leases it confirms.
    void refresh(std::vector<std::string> ids, fence_done done);
    void leased(std::string const& id, std::int64_t sent_ms);
    std::string owner_key(std::string const& id) const;

    socketio::nsp& nsp_;
    chess_cluster_options opts_;
    hooks hooks_;
    cluster_state state_;
    // Lease end (steady ms) per game held here.
    std::unordered_map<std::string, std::int64_t> leases_;
    // Forwarded requests waiting for their owner's answer, by request id.
    struct waiting_forward {
        std::function<void(std::optional<json>)> done;
        std::int64_t deadline_ms = 0;
    };
    std::unordered_map<std::string, waiting_forward> forwards_;
    std::uint64_t forward_ids_ = 0;
    bool forwards_armed_ = false;
    std::unique_ptr<redis::connection> redis_;
    net::asio::steady_timer timer_;
    net::asio::steady_timer forward_timer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace kibitz::chess_app
