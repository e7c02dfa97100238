#pragma once

#include <kibitz/chat/cluster_view.hpp>
#include <kibitz/chat/directory.hpp>
#include <kibitz/chat/messages.hpp>
#include <kibitz/chat/presence.hpp>
#include <kibitz/chat/rate_limiter.hpp>
#include <kibitz/chat/users_batch.hpp>
#include <kibitz/redis/url.hpp>
#include <kibitz/socketio/types.hpp>
#include <kibitz/store/worker.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace kibitz::socketio {
class server;
class nsp;
class socket;
} // namespace kibitz::socketio

namespace kibitz::chat {

// What the chat counts for GET /metrics (service::counters()): messages stored and delivered,
// and requests refused by each flood limit (rate_limited acks; typing is dropped silently).
struct counters {
    std::uint64_t messages_sent = 0;
    std::uint64_t rate_limited_messages = 0; // this node's limit and the cluster's
    std::uint64_t rate_limited_joins = 0;
    std::uint64_t rate_limited_history = 0;
    std::uint64_t rate_limited_typing = 0;
    std::uint64_t rate_limited_edits = 0;
};

// The chat of a cluster of nodes on one Redis (docs/cluster.md "The chat across nodes"): names
// are claimed in Redis, each node tells the others its users (every change at once, its whole
// state every `heartbeat`), and a node not heard from for `ttl` is gone: its users leave the
// lists and its names expire in Redis.
struct cluster_options {
    redis::url url;
    // The Redis keys' prefix (`<prefix>:kibitz:chat:...`): the adapter's --redis-prefix.
    std::string prefix = "socket.io";
    // This node's id among the nodes (empty: a random one).
    std::string node;
    util::duration heartbeat{5000};
    util::duration ttl{15000};
};

// Flood control, bounds and clocks of the chat (PROTOCOL.md "Flood control"). Every limit
// counts in a sliding `window`; 0 turns a limit off.
struct options {
    // Accepted messages per name in any window.
    std::size_t messages_per_window = 10;
    // `join` calls per connection in any window.
    std::size_t joins_per_window = 20;
    // `history` calls per connection in any window (each is a store read).
    std::size_t history_per_window = 30;
    // `typing` events per connection in any window (each goes to a room); excess ones are
    // dropped silently (typing has no ack).
    std::size_t typing_per_window = 20;
    // `edit` and `delete` calls per name in any window (each is a store write and a broadcast).
    std::size_t edits_per_window = 10;
    util::duration window{10000};
    // Rooms one connection may be in at once, and rooms with people in them on the server.
    std::size_t max_rooms_per_connection = 32;
    std::size_t max_rooms = 10000;
    // Open rooms that people from one address opened (a room counts against its opener's
    // address until it is empty), so that one address cannot take all of `max_rooms`.
    std::size_t max_rooms_per_address = 100;
    // `history` reads of one connection waiting for the store at once; more get
    // `rate_limited` (each answer can be 100 messages: a flood must not pile them up).
    std::size_t max_history_in_flight = 4;
    // Identities no message names are deleted from the store once they were last claimed
    // longer than `identity_ttl` ago and nobody present holds them (store::prune_identities):
    // a batch of at most `prune_batch` after every `prune_every` new identities (0: never).
    util::duration identity_ttl{600000};
    std::size_t prune_every = 1000;
    std::size_t prune_batch = 10000;
    // What a connection whose store jobs are all in flight (store::worker_limits::max_per_lane)
    // is told to wait, in `rate_limited`.
    util::duration busy_retry{250};
    // Monotonic time for the limits, and wall time (ms since the epoch) for Message.ts.
    std::function<util::time_point()> now = [] { return util::steady_clock::now(); };
    std::function<std::int64_t()> unix_ms = [] { return util::unix_ms(); };
    // Runs a function on the server's thread once the current loop turn is over (the `users`
    // lists of a turn go out together); install() posts to the server's io_context when empty.
    std::function<void(std::function<void()>)> defer;
    // Runs a function on the server's thread once `delay` has passed (a large room's next
    // `users` list); install() sets a timer on the server's io_context when empty.
    std::function<void(util::duration delay, std::function<void()>)> after;
    // How often a large room's `users` list may go out (users_batch).
    users_batch_options users;
    // Set: this node is one of a cluster (needs the Socket.IO server's Redis adapter, which
    // carries the rooms' events and the nodes' messages to each other).
    std::optional<cluster_options> cluster;
};

// The /chat namespace of PROTOCOL.md on a Socket.IO server: names, rooms, presence, public and
// private messages, typing, history, client message ids and flood control. Messages go to the
// store (store::worker, SQLite on its own thread) and are acked and delivered only when the
// store's answer comes back: an ok ack means durable. All state lives on the server's thread;
// store results are posted back to it.
//
// Another program gets the chat with one call:
//
//     auto chat = kibitz::chat::service::install(io, store_worker, {});
//
// and keeps `chat` alive while the server runs (handlers hold it weakly: once it is gone they
// do nothing). The server and the worker must outlive it.
class service : public std::enable_shared_from_this<service> {
public:
    static std::shared_ptr<service> install(socketio::server& io, store::worker& store,
                                            options opts = {});

    service(socketio::nsp& ns, store::worker& store, options opts);
    ~service();
    service(service const&) = delete;
    service& operator=(service const&) = delete;

    chat::presence const& presence() const { return presence_; }
    // The users of the other nodes (empty on a single node).
    chat::cluster_view const& cluster_view() const { return view_; }
    // The counts so far (read on the loop thread).
    chat::counters counters() const;

private:
    using reply_fn = std::function<void(json)>;
    struct cluster_state; // the directory, the timers and the pending changes (cluster.cpp)

    // A user in a room, on this node or another.
    struct member {
        std::string name;
        std::string key;
        std::string sid;
        std::int64_t identity = 0;
    };
    // `key` when it is in `room`, here or on another node (this node's entry wins). With
    // `needs_socket`, a user of this node counts only once its socket is in the room.
    std::optional<member> member_in_room(std::string const& key, std::string const& room,
                                         bool needs_socket) const;
    // The names in `room` on every node, sorted by key.
    std::vector<std::string> room_names(std::string const& room) const;

    // The cluster (service_cluster.cpp); each does nothing on a single node.
    void start_cluster();
    // Claims the name `key`, which `s` holds here pending, across the cluster, then joins.
    void claim_in_cluster(socketio::socket& s, std::string const& key, std::string const& room,
                          reply_fn reply);
    // Redis gave `key` to `sid` here, taken over from another node: that node is told.
    void took_over(directory::claim_reply const& r, std::string const& sid, std::string const& key,
                   std::string const& room);
    // A user of this node changed (rooms, identity) or left: the other nodes hear of it at the
    // end of this loop turn.
    void user_changed(std::string const& key);
    void user_released(presence::user const& gone);
    void flush_changes();
    void heartbeat();
    void refresh_names(std::vector<directory::held> held);
    void check_nodes();
    void on_peer(json const& msg);
    void on_taken(std::string const& node, json const& msg);
    void apply_view_changes(cluster_view::changes const& c, bool announce_left);
    // This node lost `key` held by `sid` to another node: the socket leaves /chat; the user
    // leaves its rooms except `keep` (where the new holder is).
    void lose_name(std::string const& key, std::string const& sid, std::string const& keep);
    // True once for the join of `sid` to `room` after a take-over across nodes when the room
    // already listed the user (no `user joined` then, as on one node).
    bool quiet_join(std::string const& sid, std::string const& room);
    // In a cluster: this node holds `key` pending, its claim in Redis not answered yet.
    bool claim_pending(std::string const& key) const;

    void on_connection(socketio::socket_ptr s);
    void on_event(socketio::socket& s, std::string_view event, json& args,
                  socketio::ack_callback ack);
    void on_disconnect(socketio::socket& s);

    void handle(socketio::socket& s, join_request r, reply_fn reply);
    void handle(socketio::socket& s, leave_request r, reply_fn reply);
    void handle(socketio::socket& s, send_request r, reply_fn reply);
    void handle(socketio::socket& s, typing_request r, reply_fn reply);
    void handle(socketio::socket& s, history_request r, reply_fn reply);
    void handle(socketio::socket& s, edit_request r, reply_fn reply);
    void handle(socketio::socket& s, delete_request r, reply_fn reply);

    struct join_outcome; // what the store answers to a join
    // Steps of `join` and `message`.
    std::optional<json> refuse_name(socketio::socket& s, join_request const& r);
    std::optional<json> refuse_room(std::string const& key, std::string const& room,
                                    std::string const& address) const;
    void take_over(std::string const& key, std::string const& room,
                   std::string const& previous_sid);
    void start_join(socketio::socket& s, std::string const& key, std::string const& room,
                    reply_fn reply);
    void finish_join(std::string const& sid, std::string const& key, std::string const& room,
                     join_outcome outcome, reply_fn const& reply);
    void store_message(socketio::socket& s, store::message_draft draft, util::time_point now,
                       reply_fn reply);
    // In a cluster, the name's flood control on Redis too (service_cluster.cpp), then submit.
    void limit_in_cluster(std::string const& sid, std::string const& key,
                          store::message_draft draft, util::time_point now, reply_fn reply);
    // Stores the message of `key` whose flood-control events are `now` (here) and `event`
    // (in Redis; empty: none), both taken back when it does not count.
    void submit_message(std::string const& sid, std::string const& key, store::message_draft draft,
                        util::time_point now, std::string event, reply_fn reply);
    void uncount_message(std::string const& key, util::time_point now, std::string const& event);
    // Sends `args` as `event` to everyone who can see `m`: its room, or for a private message
    // the sockets of its sender and recipient (when those identities still hold the names).
    void deliver(store::message_record const& m, std::string_view event, json args);
    // The names of people in `room` that the mentions in `text` name, as they joined.
    std::vector<std::string> mentions_in(std::string const& room, std::string_view text) const;
    // Runs an edit or delete for the user of `s` in the store, then acks and announces it.
    void change_message(socketio::socket& s, store::message_change change, bool is_delete,
                        reply_fn reply);
    void changed(store::changed_message const& result, bool is_delete, reply_fn const& reply);
    // The ack for a store job submit() did not queue.
    json refused_by_store(store::submit_status status) const;

    // A user left `room` (leave, disconnect, take-over): tells the room.
    void announce_left(std::string const& room, std::string const& name,
                       std::string const& except_sid);
    // A `history` read of `sid` was answered by the store.
    void read_done(std::string const& sid);
    // Schedules a `users` list for `room` at the end of this loop turn (users_batch).
    void send_users(std::string const& room);
    void flush_users();
    // Has flush_users() run again at `at` (a large room waits until then).
    void flush_users_at(util::time_point at);
    // Counts a new identity; every opts_.prune_every, prunes unreferenced ones in the store (in
    // the lane of `sid`, the joiner's: its later jobs run after the prune).
    void identity_made(std::string const& sid);
    // The socket holding the name `key` when it is in `room`'s Socket.IO room; else empty.
    std::string socket_in_room(std::string const& key, std::string const& room) const;

    socketio::nsp& nsp_;
    store::worker& store_;
    options opts_;
    chat::presence presence_;
    rate_limiter messages_;
    rate_limiter joins_;
    rate_limiter history_;
    rate_limiter typing_;
    rate_limiter edits_;
    users_batch users_batch_;
    std::optional<util::time_point> users_flush_at_; // a delayed flush is set for then
    std::unordered_map<std::string, std::size_t> reads_in_flight_; // sid -> history reads
    std::size_t identities_made_ = 0;                              // since the last prune
    std::uint64_t messages_sent_ = 0;        // stored and delivered (not resends)
    std::uint64_t cluster_rate_limited_ = 0; // refused by the cluster-wide message limit
    chat::cluster_view view_;
    std::unique_ptr<cluster_state> cluster_;
};

// The store key of a chat identity ("#" and its id): what messages carry as from_key/to_key.
std::string identity_key(std::int64_t identity);

} // namespace kibitz::chat
