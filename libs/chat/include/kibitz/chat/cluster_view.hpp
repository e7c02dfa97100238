#pragma once

#include <kibitz/util/clock.hpp>
#include <kibitz/util/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace kibitz::chat {

// A user of /chat as another node reports it (docs/cluster.md "The chat across nodes").
struct remote_user {
    std::string key;           // name_key(name)
    std::string name;          // as joined
    std::string sid;           // the socket holding the name, on its node
    std::int64_t identity = 0; // the store's identity (0 while pending)
    std::string epoch;         // when the name was claimed (Redis TIME, microseconds, decimal)
    std::set<std::string> rooms;
    std::string node; // filled in by cluster_view

    friend bool operator==(remote_user const&, remote_user const&) = default;
};

// JSON of a user on the wire between nodes: {k, n, s, i, e, r}.
json to_json(remote_user const& u);
// Reads one; nullopt when a field is missing or of the wrong type (another node's input is
// checked as a client's would be).
std::optional<remote_user> remote_user_from_json(json const& v);

// A node's users summed up without sending them: how many, and the sum (mod 2^64) of the
// 64-bit FNV-1a hashes of their wire entries (to_json(u).dump()), so the order does not matter.
// A node sends its digest every heartbeat; a peer whose replica sums to another asks for the
// whole state (docs/cluster.md "The chat across nodes").
struct user_digest {
    std::size_t count = 0;
    std::uint64_t sum = 0;

    void add(remote_user const& u);
    void remove(remote_user const& u);
    // "<count>:<sum in hex>", as on the wire.
    std::string text() const;
    friend bool operator==(user_digest const&, user_digest const&) = default;
};

// What one node knows of the /chat users of every *other* node: a replica per node, fed by
// their full states (sent every heartbeat) and their changes (sent at once), and dropped when a
// node has not been heard from for `ttl`. Pure: time is an argument. One owner thread.
//
// A name is held by one socket of the cluster (the Redis claim decides); for a moment after a
// take-over two nodes can still list it (the old node has not yet heard): lookups then take the
// entry with the latest epoch.
class cluster_view {
public:
    // The rooms whose member list changed (their `users` lists must go out again), and the
    // users a change removed from a room (for `user left`): pairs of room and name.
    struct changes {
        std::set<std::string> rooms;
        std::vector<std::pair<std::string, std::string>> left;
    };

    // `node`'s whole state: replaces what was known of it.
    changes apply_full(std::string const& node, std::vector<remote_user> users,
                       util::time_point now);
    // `node`'s changed users (each replaces its entry) and the keys it no longer holds.
    changes apply_delta(std::string const& node, std::vector<remote_user> users,
                        std::vector<std::string> const& gone, util::time_point now);
    // `node` was heard from (its heartbeat): it stays listed for another ttl.
    void heard(std::string const& node, util::time_point now);
    // What the replica of `node` sums to (an empty digest for a node not known).
    user_digest digest_of(std::string const& node) const;
    // `node` no longer holds `key` (another node took it over).
    changes remove(std::string const& node, std::string const& key);
    // Drops every node last heard from `ttl` or longer before `now`.
    changes expire(util::time_point now, util::duration ttl);

    // The latest-claimed entry of `key` on any other node, or null.
    remote_user const* find(std::string const& key) const;
    // find(key) when that entry is in `room`.
    remote_user const* in_room(std::string const& key, std::string const& room) const;
    // Key -> name of the users in `room` (latest-claimed entry of each key).
    std::map<std::string, std::string> members(std::string const& room) const;

    std::size_t node_count() const { return nodes_.size(); }
    std::size_t user_count() const;

private:
    struct node_state {
        util::time_point seen{};
        std::unordered_map<std::string, remote_user> users; // key -> user
        user_digest digest;
    };
    void add(std::string const& node, remote_user u, changes& out);
    void erase(std::string const& node, std::string const& key, changes& out);

    std::unordered_map<std::string, node_state> nodes_;
    // key -> the nodes that list it; room -> key -> how many nodes list the key there.
    std::unordered_map<std::string, std::set<std::string>> holders_;
    std::unordered_map<std::string, std::map<std::string, int>> rooms_;
};

} // namespace kibitz::chat
