#pragma once

#include <kibitz/engineio/packet.hpp>
#include <kibitz/socketio/counters.hpp>
#include <kibitz/socketio/handshake.hpp>
#include <kibitz/socketio/packet.hpp>
#include <kibitz/socketio/types.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace kibitz::socketio {

// Which sockets a broadcast reaches: those in any of `rooms` (every socket when empty), minus
// those in any of `except`. `local` keeps it on this server; `is_volatile` drops it for clients
// that cannot take it now. `ack_timeout` (broadcast_with_ack) is how long each recipient's
// pending ack is kept: a client that never answers leaves nothing behind after it.
struct broadcast_options {
    std::set<std::string> rooms;
    std::set<std::string> except;
    bool local = false;
    bool is_volatile = false;
    util::duration ack_timeout{0};
};

// A socket as fetch_sockets reports it, on this server or another.
struct socket_info {
    std::string id;
    socketio::handshake handshake;
    std::set<std::string> rooms;
    json data;
};

// What connection state recovery keeps of a socket that went away abnormally.
struct session_record {
    std::string sid;
    std::string pid; // private session id: only the socket's own client ever sees it
    std::set<std::string> rooms;
    json data;
    util::time_point disconnected_at{};
};

// A restored session with the EVENT payloads (offset last) it missed, oldest first.
struct restored_session {
    session_record session;
    std::vector<json> missed;
};

// Connection state recovery (socket.io 4.6): after an abnormal disconnect, a socket's id, rooms
// and data are kept this long with the packets it missed.
struct recovery_options {
    util::duration max_disconnection_duration{120000};
    bool skip_middlewares = true;
    // A CONNECT with {pid, offset} waits for the adapter's restore_session (a cluster adapter
    // asks Redis): past this long it connects as a new socket (a late answer is dropped).
    util::duration restore_timeout{5000};
    // Packets the client sends for that namespace while the CONNECT waits are kept, in order,
    // and handled once it is connected; one more closes the connection ("forced server
    // close", as Node closes a client that sends before its CONNECT is answered).
    std::size_t max_packets_while_restoring = 32;
};

// What importing a recovery snapshot did (memory_adapter::import_recovery,
// server::import_recovery). With an error, nothing was imported and the counts are zero.
struct recovery_import {
    std::string error;                  // empty: imported; else why nothing was
    std::size_t sessions = 0;           // sessions kept, restorable from now on
    std::size_t packets = 0;            // stored packets kept, with their offsets
    std::size_t expired = 0;            // sessions and packets past the window, dropped
    std::size_t skipped_namespaces = 0; // server: in the snapshot, but not on this server
    bool ok() const { return error.empty(); }
};

// The answers of the cluster requests (fetch_sockets, server_count, all_rooms). `ec` is set when
// the request could not be completed (a cluster adapter: Redis down, or some server did not
// answer within its request timeout); what did arrive is given anyway (this server's part at
// least).
using fetch_sockets_handler = std::function<void(std::error_code ec, std::vector<socket_info>)>;
using server_count_handler = std::function<void(std::error_code ec, std::size_t count)>;
using all_rooms_handler = std::function<void(std::error_code ec, std::set<std::string> rooms)>;
// The answer of restore_session: the session and what it missed, or nothing (unknown, expired,
// offset no longer known, or the adapter could not ask): then the client connects as new.
using restore_handler = std::function<void(std::optional<restored_session> restored)>;

// One packet encoded once: the text message, then one binary message per attachment. Every
// recipient's queue holds the same frames.
using frames = std::vector<engineio::outgoing_ptr>;

// Everything an adapter may use of the server, given once when the namespace creates it: the
// adapter never reaches into the server or its options. Each function runs on the server's
// thread and may be called as long as the adapter lives.
struct adapter_context {
    // The name of the namespace served ("/", "/chat").
    std::string nsp;
    // Set when the server keeps sessions for connection state recovery.
    std::optional<recovery_options> recovery;
    // The time now, for the recovery window (steady time; a test gives its own).
    std::function<util::time_point()> clock;
    // Queues `parts` to this server's socket `sid`; nothing if it is not connected here.
    std::function<void(std::string const& sid, frames const& parts, bool is_volatile)> deliver;
    // Like deliver, expecting the ack `ack_id` within `timeout` (zero: as long as the socket
    // lives); `on_ack` gets the answer, or std::errc::timed_out. False, and nothing sent or
    // kept, when `sid` is not connected here or owes server_options::max_pending_acks already.
    std::function<bool(std::string const& sid, std::uint64_t ack_id, frames const& parts,
                       bool is_volatile, util::duration timeout, ack_handler on_ack)>
        deliver_with_ack;
    // This server's connected socket `sid`, or null.
    std::function<socket_ptr(std::string const& sid)> socket_by_id;
    // The frames of `p` in this server's parser (server_options::parser): encode once, then
    // deliver the same frames to every recipient. Empty: socket.io-parser's JSON.
    std::function<frames(packet const& p)> encode;
    // Another server's server_side_emit: `data` is [event, args...]; `ack` is empty unless the
    // sender waits for an answer (call it once, with the ack arguments: the first is sent).
    std::function<void(json data, ack_callback ack)> server_side;
    // A fresh ack id of the namespace, for a broadcast with ack that another server sent.
    std::function<std::uint64_t()> next_ack_id;
    // This server's socket `sid` joined (true) or left `room`: the memory adapter calls it after
    // each change of its index, once the index is consistent again. May be empty.
    std::function<void(std::string const& room, std::string const& sid, bool joined)> room_changed;
    // Outgoing listeners (socket::on_any_outgoing) see broadcasts too, as in Node. While
    // `outgoing_watched()` is true (some socket of the namespace has one; empty: never), call
    // `outgoing(sid, p)` before delivering `p` to `sid`: it runs that socket's listeners (none:
    // nothing), and false means leave `sid` out (a listener threw or disconnected it). The
    // listeners may join, leave or disconnect: do not hold iterators into the room index.
    std::function<bool()> outgoing_watched;
    std::function<bool(std::string const& sid, packet const& p)> outgoing;
    // The server's counters (counters.hpp): the local deliveries count their fan-out. May be
    // null (an adapter tested alone).
    socketio::counters* counters = nullptr;
};

// The room index and broadcast router of one namespace (socket.io-adapter). The in-memory
// adapter below serves one process; a cluster adapter (Redis) derives from it and forwards what
// is not `local` to the other servers. One thread: the one running the server.
class adapter {
public:
    explicit adapter(adapter_context ctx) : ctx_(std::move(ctx)) {}
    virtual ~adapter() = default;
    adapter(adapter const&) = delete;
    adapter& operator=(adapter const&) = delete;

    // Room membership of this server's sockets.
    virtual void add_all(std::string const& sid, std::set<std::string> const& rooms) = 0;
    virtual void del(std::string const& sid, std::string const& room) = 0;
    virtual void del_all(std::string const& sid) = 0;
    virtual std::set<std::string> socket_rooms(std::string const& sid) const = 0;
    virtual std::set<std::string> rooms() const = 0;
    // The ids of this server's sockets that `opts` selects.
    virtual std::vector<std::string> local_sids(broadcast_options const& opts) const = 0;

    // Sends `p` to every socket `opts` selects, encoding it once.
    virtual void broadcast(packet p, broadcast_options const& opts) = 0;
    // Like broadcast, with an ack id per recipient: `on_count` learns how many will answer
    // (per server), `on_ack` gets each answer.
    virtual void broadcast_with_ack(packet p, broadcast_options const& opts,
                                    std::function<void(std::size_t)> on_count,
                                    std::function<void(json)> on_ack) = 0;

    // The sockets `opts` selects on every server; `done` runs once (fetch_sockets_handler).
    virtual void fetch_sockets(broadcast_options const& opts, fetch_sockets_handler done) = 0;
    virtual void add_sockets(broadcast_options const& opts, std::set<std::string> const& rooms) = 0;
    virtual void del_sockets(broadcast_options const& opts, std::set<std::string> const& rooms) = 0;
    virtual void disconnect_sockets(broadcast_options const& opts, bool close) = 0;
    // The number of servers of the namespace, this one included.
    virtual void server_count(server_count_handler done) = 0;
    // The rooms of every server (Node's adapter.allRooms()); this server's alone by default.
    virtual void all_rooms(all_rooms_handler done) { done({}, rooms()); }
    // Node's serverSideEmit: `data` ([event, args...]) goes to the other servers' server_side
    // handlers, never to this one's. With `done`, each other server's first ack argument is
    // collected: `done` runs once all answered, or with an error and what came. No other
    // server (the default): `done` runs at once with no answers.
    virtual void server_side_emit(json data, broadcast_ack_handler done) {
        (void)data;
        if (done) done({}, {});
    }

    // The namespace starts using the adapter (Node's adapter.init()), once, right after it made
    // it: a cluster adapter starts its work here (subscriptions, reading its stream).
    virtual void init() {}
    // The server closes (Node's adapter.close()), once, after its sockets were closed (their
    // sessions persisted): a cluster adapter tells the others and stops its work. The adapter
    // is destroyed later, with its namespace; nothing is broadcast through it in between.
    virtual void close() {}

    // Connection state recovery (socket.io 4.6): keep a session, and find it again (once).
    // `done` runs exactly once, at once or later (a cluster adapter asks Redis), on the
    // server's thread; the CONNECT waits for it (recovery_options::restore_timeout). It is
    // not run once the adapter is destroyed.
    virtual void persist_session(session_record record) = 0;
    virtual void restore_session(std::string const& pid, std::string const& offset,
                                 restore_handler done) = 0;
    // Forgets what the recovery window has passed at `now`: the server calls it at least once
    // a minute (and once per window when shorter) while recovery is on. What an adapter keeps
    // and how it expires it is its own business (Node's SessionAwareAdapter); the default
    // keeps nothing.
    virtual void prune(util::time_point now) { (void)now; }

    adapter_context const& context() const { return ctx_; }

protected:
    adapter_context ctx_;
};

// Makes the adapter of one namespace (server_options::make_adapter).
using adapter_factory = std::function<std::unique_ptr<adapter>(adapter_context ctx)>;

// The in-memory adapter: two maps kept in step (room to sids, sid to rooms), and, when the
// context has connection state recovery, the recent EVENT packets with their offsets and the
// sessions of the sockets that went away.
class memory_adapter : public adapter {
public:
    explicit memory_adapter(adapter_context ctx);

    void add_all(std::string const& sid, std::set<std::string> const& rooms) override;
    void del(std::string const& sid, std::string const& room) override;
    void del_all(std::string const& sid) override;
    std::set<std::string> socket_rooms(std::string const& sid) const override;
    std::set<std::string> rooms() const override;
    std::vector<std::string> local_sids(broadcast_options const& opts) const override;

    void broadcast(packet p, broadcast_options const& opts) override;
    void broadcast_with_ack(packet p, broadcast_options const& opts,
                            std::function<void(std::size_t)> on_count,
                            std::function<void(json)> on_ack) override;
    void fetch_sockets(broadcast_options const& opts, fetch_sockets_handler done) override;
    void add_sockets(broadcast_options const& opts, std::set<std::string> const& rooms) override;
    void del_sockets(broadcast_options const& opts, std::set<std::string> const& rooms) override;
    void disconnect_sockets(broadcast_options const& opts, bool close) override;
    void server_count(server_count_handler done) override;

    void persist_session(session_record record) override;
    // Answers at once, with restore_session(pid, offset).
    void restore_session(std::string const& pid, std::string const& offset,
                         restore_handler done) override;
    // The session `pid` if it is kept and `offset` is still known, with what it missed.
    std::optional<restored_session> restore_session(std::string const& pid,
                                                    std::string const& offset);

    // Drops the stored packets and sessions older than the recovery window at `now`.
    void prune(util::time_point now) override;
    // What recovery keeps now: packets a reconnecting client may still ask for, and sessions.
    std::size_t stored_packets() const { return packets_.size() - first_packet_; }
    std::size_t stored_sessions() const { return sessions_.size(); }

    // Connection state recovery across a restart (the contract and the format are those of
    // server::export_recovery): what this adapter keeps, its times as Unix ms given that it
    // is `unix_now` now (ctx_.clock() gives the steady time that goes with it).
    json export_recovery(std::int64_t unix_now) const;
    // Why `part` (one namespace of a snapshot) cannot be imported here, or nullopt: its shape,
    // recovery being off, or this adapter having handed out offsets already. Changes nothing.
    std::optional<std::string> check_recovery(json const& part) const;
    // Checks `part`, then keeps its sessions and packets that the window has not passed at
    // `unix_now` (a time after `unix_now` counts as now) and continues its offsets. A session
    // whose private id is kept already stays as it is.
    recovery_import import_recovery(json const& part, std::int64_t unix_now);

protected:
    // Delivers to this server's sockets only (their outgoing listeners first, when watched).
    void deliver_local(packet const& p, broadcast_options const& opts);
    // Calls `fn` with the id of each of this server's sockets that `opts` selects, once each.
    void for_each_local(broadcast_options const& opts,
                        std::function<void(std::string const&)> const& fn) const;
    // This server's sockets that `opts` selects, as fetch_sockets reports them.
    std::vector<socket_info> local_socket_infos(broadcast_options const& opts) const;
    // Sends `p` (with its ack id) to this server's sockets that `opts` selects; returns how many
    // will answer. Each answer's first argument goes to `on_ack`.
    std::size_t deliver_local_with_ack(packet const& p, broadcast_options const& opts,
                                       std::function<void(json)> const& on_ack);

private:
    // True while some socket of the namespace has an outgoing listener (adapter_context).
    bool outgoing_watched() const {
        return ctx_.outgoing && ctx_.outgoing_watched && ctx_.outgoing_watched();
    }
    // deliver_local with outgoing listeners: the ids are copied, since a listener may change
    // the index.
    void deliver_watched(packet const& p, broadcast_options const& opts);

    struct stored_packet {
        std::string offset;
        broadcast_options opts;
        json data;
        util::time_point emitted_at;
    };

    // A socket's rooms. Its own room (the room named by its id, which every socket joins) is
    // a flag, not an entry of rooms_: most sockets are in no other room, and two map entries
    // and two set nodes per socket were ~380 bytes of every idle connection.
    struct joined_rooms {
        bool own = false; // in the room named by its id
        // This server's connected socket of that id (adapter_context::socket_by_id when it
        // joined), so a delivery reaches it without a lookup of its id; null until then (a
        // socket joining in a middleware, an adapter tested without sockets): delivered by id.
        // Valid while the entry is: a socket leaves the namespace only after its del_all.
        socket* target = nullptr;
        std::set<std::string> rooms; // the others
    };
    // An entry of sids_ (node-based: its address is stable while it is there).
    using sid_entry = std::pair<std::string const, joined_rooms>;
    // The members of one room other than its own, keyed by views of their sids_ keys (an
    // entry leaves every room before it leaves sids_).
    using members = std::map<std::string_view, sid_entry const*>;
    // Calls `fn(entry)` with each socket in `room` (its own room's socket included).
    template<class Fn>
    void for_each_in_room(std::string const& room, Fn&& fn) const;
    // Calls `fn(entry)` with each of this server's sockets that `opts` selects, once each.
    template<class Fn>
    void for_each_selected(broadcast_options const& opts, Fn&& fn) const;
    // Queues `parts` to one recipient: through its socket when known, else by id.
    void deliver_to(sid_entry const& entry, frames const& parts, bool is_volatile) const;

    // The room index, two maps kept in step: for a room other than the sid, sid is in
    // rooms_[room] exactly when room is in sids_[sid].rooms; a socket in its own room has
    // sids_[sid].own instead. rooms_ holds no empty map (a room goes with its last socket);
    // sids_ holds every socket between its join and del_all, even one that left every room
    // (namespace-wide broadcasts still reach it, as in Node).
    std::unordered_map<std::string, members> rooms_;     // room -> sids
    std::unordered_map<std::string, joined_rooms> sids_; // sid -> rooms
    // Recovery only (empty without it). Oldest first, offsets increasing; packets_[0,
    // first_packet_) are pruned and compacted away once they are half of the vector, so an
    // offset before first_packet_ is never found again.
    std::vector<stored_packet> packets_;
    std::size_t first_packet_ = 0;
    // By private id (pid); a session leaves when restored (once) or pruned.
    std::map<std::string, session_record> sessions_;
    std::uint64_t next_offset_ = 0;
};

} // namespace kibitz::socketio
