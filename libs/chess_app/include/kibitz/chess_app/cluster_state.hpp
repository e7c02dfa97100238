#pragma once

#include <kibitz/util/json.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kibitz::chess_app {

// How a local socket joined a game (an accepted `join` or `create`): what it sends to join it
// again when the game's owner has lost track of it.
struct local_join {
    std::string name;
    std::optional<std::string> token; // a seat's; none for a spectator
};

// A socket of another node that sent requests to a game this node owns (docs/cluster.md "The
// chess across nodes"): its node, and the address and round trip that node reported for it.
struct remote_conn {
    std::string node;
    std::string address;
    std::optional<std::int64_t> rtt_ms;
};

// What one node of a chess cluster knows of the others, as a pure state machine (time is an
// input, steady ms): each peer's last heartbeat, its waiting games (its lobby, the JSON entries
// of PROTOCOL.md's `lobby` event) and the sockets of it that play or watch games owned here;
// and, for this node's own sockets, the owner nodes their requests went to (told when the
// socket leaves) and the games they joined (joined again for them when an owner lost track of
// them: docs/cluster.md "Who is in a game"). A peer silent for `ttl_ms` is dropped with its lobby
// and its sockets.
class cluster_state {
public:
    explicit cluster_state(std::int64_t ttl_ms, std::size_t max_lobby = 500,
                           std::size_t max_joins = 32)
        : ttl_ms_(ttl_ms), max_lobby_(max_lobby), max_joins_(std::max<std::size_t>(1, max_joins)) {}

    // A peer's heartbeat at `now`: its lobby (an array of entries; anything else, or entries
    // past max_lobby, is dropped) and the ids of its sockets that still use this node's games.
    // Returns the remote sockets of that peer not listed any more (gone: the caller
    // disconnects them). `lobby_changed` is set when its lobby differs from the last one.
    std::vector<std::string> heard(std::string const& node, std::int64_t now, json const& lobby,
                                   std::set<std::string> const& conns, bool& lobby_changed);
    // A peer's lobby alone (sent when it changes): true when it differs.
    bool lobby_of(std::string const& node, std::int64_t now, json const& lobby);
    // Drops peers silent for ttl_ms by `now`; returns their sockets; `lobby_changed` as above.
    std::vector<std::string> expire(std::int64_t now, bool& lobby_changed);
    // The earliest time expire() has something to do.
    std::optional<std::int64_t> next_expiry() const;

    void seen_conn(std::string const& conn, remote_conn info, std::int64_t now);
    remote_conn const* conn(std::string const& conn) const;
    bool forget_conn(std::string const& conn);

    // This node's socket `conn` was answered by the owner `node`.
    void forwarded(std::string const& conn, std::string const& node);
    // This node's socket `conn` left: the owners to tell (it is forgotten here).
    std::set<std::string> take_forwarded(std::string const& conn);
    // This node's sockets that were answered by some owner (sent with every heartbeat).
    std::set<std::string> forwarding_conns() const;

    // This node's socket `conn` joined `game` (its latest way in replaces an earlier one); at
    // most `max_joins` games per socket are kept, the oldest go first.
    void joined(std::string const& conn, std::string const& game, local_join how);
    // This node's sockets that joined `game`, with how.
    std::vector<std::pair<std::string, local_join>> joins_of(std::string const& game) const;
    // This node's socket `conn` left: its joins are forgotten.
    void forget_joins(std::string const& conn) { joins_.erase(conn); }
    // Whether `node` is a peer this node hears from (not new, not expired).
    bool knows(std::string const& node) const { return peers_.count(node) != 0; }

    // The cluster's lobby: `own` (this node's entries, an array) first, then each peer's, in
    // the order of node ids.
    json lobby(json const& own) const;
    std::size_t peers() const { return peers_.size(); }

private:
    struct peer {
        std::int64_t last_ms = 0;
        json lobby = json::array();
    };
    json bounded(json const& lobby) const;
    void touch(std::string const& node, std::int64_t now);

    std::int64_t ttl_ms_;
    std::size_t max_lobby_;
    std::size_t max_joins_;
    std::map<std::string, peer> peers_;
    std::map<std::string, remote_conn> remote_;
    std::map<std::string, std::set<std::string>> forwarded_;
    // Per local socket, the games it joined, oldest first.
    std::map<std::string, std::vector<std::pair<std::string, local_join>>> joins_;
};

} // namespace kibitz::chess_app
