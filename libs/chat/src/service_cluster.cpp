// The chat across the nodes of a cluster (docs/cluster.md "The chat across nodes"): names
// claimed in Redis (chat::directory), the users of the other nodes (chat::cluster_view), fed by
// the nodes' messages to each other over the Socket.IO adapter (server_side_emit on /chat).
#include "service_detail.hpp"

#include <kibitz/chat/directory.hpp>
#include <kibitz/chat/service.hpp>
#include <kibitz/chat/text.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/util/log.hpp>
#include <kibitz/util/random.hpp>
#include <kibitz/util/sha256.hpp>

#include <algorithm>
#include <set>

namespace kibitz::chat {
namespace {

// The server-side event the nodes' chat messages travel as.
constexpr std::string_view peer_event = "kibitz:chat";

std::string text_of(json const& v, char const* name) {
    auto it = v.find(name);
    return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The ack of a join whose name Redis refused, or could not check.
json claim_refusal(std::error_code ec, directory::outcome outcome) {
    if (ec) {
        util::log(util::log_level::warn, "chat: Redis: ", ec.message());
        return error_reply(wire::error_unavailable, "names cannot be checked just now; try again");
    }
    return error_reply(wire::error_name_taken, outcome == directory::outcome::confusable
                                                   ? "that name looks too much like a name in use"
                                                   : "that name is in use");
}

// How often the other nodes' last messages are checked against the ttl.
util::duration check_period(util::duration ttl) {
    return std::clamp(ttl / 10, util::duration(50), util::duration(1000));
}

} // namespace

struct service::cluster_state {
    cluster_state(net::asio::io_context& ioc, cluster_options o)
        : opts(std::move(o)), node(opts.node.empty() ? util::random_id() : opts.node),
          names(ioc, opts.url, opts.prefix, node, opts.ttl), beat(ioc), check(ioc) {}

    cluster_options opts;
    std::string node;
    chat::directory names;
    net::asio::steady_timer beat;
    net::asio::steady_timer check;
    std::unordered_map<std::string, std::string> epochs; // key -> epoch of our claim
    std::set<std::string> dirty;                         // keys changed this turn
    bool flush_queued = false;
    std::unordered_map<std::string, std::string> quiet; // sid -> room (quiet_join)
    std::uint64_t events = 0;                           // flood-control event ids
    // The next heartbeat sends the whole state (after a Redis reconnect, or a peer's `sync`),
    // not only the digest; full_queued: one is already on its way.
    bool full_next = true;
    bool full_queued = false;
};

// Here, where cluster_state is complete.
service::service(socketio::nsp& ns, store::worker& store, options opts)
    : nsp_(ns), store_(store), opts_(std::move(opts)),
      messages_(opts_.messages_per_window, opts_.window),
      joins_(opts_.joins_per_window, opts_.window),
      history_(opts_.history_per_window, opts_.window),
      typing_(opts_.typing_per_window, opts_.window), edits_(opts_.edits_per_window, opts_.window),
      // Without a way to wait (no `after`), no room waits.
      users_batch_(opts_.after ? opts_.users : users_batch_options{0, {}}) {}

service::~service() = default;

namespace {

template<class Fn>
void every(net::asio::steady_timer& t, util::duration period, Fn fn) {
    t.expires_after(period);
    t.async_wait([&t, period, fn](net::error_code ec) {
        if (ec) return;
        if (fn()) every(t, period, fn);
    });
}

} // namespace

void service::start_cluster() {
    if (!opts_.cluster) return;
    cluster_ = std::make_unique<cluster_state>(nsp_.server().io_context(), *opts_.cluster);
    std::weak_ptr<service> weak = weak_from_this();
    nsp_.on_server_side(std::string(peer_event), [weak](json& args, socketio::ack_callback) {
        auto self = weak.lock();
        if (self && args.is_array() && !args.empty()) self->on_peer(args[0]);
    });
    // Each (re)connect to Redis writes our names back at once (Redis may have restarted empty).
    cluster_->names.start([weak] {
        if (auto self = weak.lock()) {
            self->cluster_->full_next = true;
            self->heartbeat();
        }
    });
    every(cluster_->beat, cluster_->opts.heartbeat, [weak] {
        auto self = weak.lock();
        if (self) self->heartbeat();
        return self != nullptr;
    });
    every(cluster_->check, check_period(cluster_->opts.ttl), [weak] {
        auto self = weak.lock();
        if (self) self->check_nodes();
        return self != nullptr;
    });
    util::log(util::log_level::info, "chat: cluster node ", cluster_->node);
}

void service::claim_in_cluster(socketio::socket& s, std::string const& key, std::string const& room,
                               reply_fn reply) {
    if (!cluster_) return start_join(s, key, room, std::move(reply));
    auto const& user = *presence_.find(key);
    auto const offered = user.offered_token ? util::sha256_hex(*user.offered_token) : "";
    std::weak_ptr<service> weak = weak_from_this();
    auto done = [weak, sid = s.id(), key, room, skeletons = user.skeletons,
                 reply](std::error_code ec, directory::claim_reply r) {
        auto self = weak.lock();
        if (!self) return;
        auto sock = self->nsp_.socket_by_id(sid);
        auto const* held = self->presence_.by_socket(sid);
        bool const here = sock && sock->connected() && held && held->key == key;
        bool const got = !ec && (r.outcome == directory::outcome::created ||
                                 r.outcome == directory::outcome::taken_over);
        if (!here) {
            if (got) self->cluster_->names.release(key, r.epoch, skeletons);
            return;
        }
        if (!got) {
            self->presence_.release(sid);
            return reply(claim_refusal(ec, r.outcome));
        }
        self->cluster_->epochs[key] = r.epoch;
        if (r.outcome == directory::outcome::taken_over && r.previous_node != self->cluster_->node)
            self->took_over(r, sid, key, room);
        self->start_join(*sock, key, room, reply);
    };
    cluster_->names.claim(key, user.skeletons, s.id(), offered, std::move(done));
}

void service::took_over(directory::claim_reply const& r, std::string const& sid,
                        std::string const& key, std::string const& room) {
    // Already listed in the room there: the join here announces nothing (as on one node).
    if (view_.in_room(key, room)) cluster_->quiet[sid] = room;
    apply_view_changes(view_.remove(r.previous_node, key), false);
    nsp_.server_side_emit_args(peer_event, json::array({json{{"t", "taken"},
                                                             {"node", cluster_->node},
                                                             {"to", r.previous_node},
                                                             {"key", key},
                                                             {"sid", r.previous_sid},
                                                             {"keep", room},
                                                             {"sid2", sid},
                                                             {"e", r.epoch}}}));
}

void service::limit_in_cluster(std::string const& sid, std::string const& key,
                               store::message_draft draft, util::time_point now, reply_fn reply) {
    auto event = cluster_->node + ":" + std::to_string(++cluster_->events);
    std::weak_ptr<service> weak = weak_from_this();
    auto done = [weak, sid, key, draft = std::move(draft), now, event,
                 reply](std::error_code ec, std::int64_t wait_ms) mutable {
        auto self = weak.lock();
        if (!self) return;
        if (!ec && wait_ms > 0) {
            self->messages_.release(key, now);
            ++self->cluster_rate_limited_;
            return reply(rate_limited_reply(wait_ms));
        }
        // Redis down: this node's own limit still holds (counted above).
        if (ec) event.clear();
        self->submit_message(sid, key, std::move(draft), now, std::move(event), std::move(reply));
    };
    cluster_->names.acquire(key, opts_.messages_per_window, opts_.window, event, std::move(done));
}

void service::uncount_message(std::string const& key, util::time_point now,
                              std::string const& event) {
    messages_.release(key, now);
    if (cluster_ && !event.empty()) cluster_->names.release_event(key, event);
}

bool service::claim_pending(std::string const& key) const {
    return cluster_ && cluster_->epochs.count(key) == 0;
}

bool service::quiet_join(std::string const& sid, std::string const& room) {
    if (!cluster_) return false;
    auto it = cluster_->quiet.find(sid);
    if (it == cluster_->quiet.end()) return false;
    bool const quiet = it->second == room;
    cluster_->quiet.erase(it);
    return quiet;
}

void service::user_changed(std::string const& key) {
    if (!cluster_) return;
    cluster_->dirty.insert(key);
    if (cluster_->flush_queued) return;
    cluster_->flush_queued = true;
    std::weak_ptr<service> weak = weak_from_this();
    opts_.defer([weak] {
        if (auto self = weak.lock()) self->flush_changes();
    });
}

void service::user_released(presence::user const& gone) {
    if (!cluster_) return;
    cluster_->quiet.erase(gone.sid);
    auto it = cluster_->epochs.find(gone.key);
    if (it == cluster_->epochs.end()) return;
    cluster_->names.release(gone.key, it->second, gone.skeletons);
    cluster_->epochs.erase(it);
    user_changed(gone.key);
}

namespace {

remote_user entry_of(presence::user const& u, std::string const& epoch) {
    return remote_user{u.key, u.name, u.sid, u.identity, epoch, u.rooms, {}};
}

} // namespace

void service::flush_changes() {
    auto& c = *cluster_;
    c.flush_queued = false;
    json users = json::array();
    json gone = json::array();
    std::vector<directory::held> held;
    for (auto const& key : c.dirty) {
        auto const* u = presence_.find(key);
        auto e = c.epochs.find(key);
        if (!u || e == c.epochs.end()) {
            gone.push_back(key);
            continue;
        }
        held.push_back({u->key, e->second, u->sid, u->token_hash, u->skeletons});
        if (u->identity != 0) users.push_back(to_json(entry_of(*u, e->second)));
    }
    c.dirty.clear();
    nsp_.server_side_emit_args(peer_event, json::array({json{{"t", "delta"},
                                                             {"node", c.node},
                                                             {"users", std::move(users)},
                                                             {"gone", std::move(gone)}}}));
    // A changed name is written back at once: a take-over from another node needs its token
    // hash, which a join confirms.
    if (!held.empty()) refresh_names(std::move(held));
}

// Every heartbeat: the digest of this node's users (their whole state after a reconnect or when
// a peer asked for it), and every name written back.
void service::heartbeat() {
    auto& c = *cluster_;
    std::vector<directory::held> held;
    json users = json::array();
    user_digest digest;
    bool const full = c.full_next;
    c.full_next = false;
    for (auto const* u : presence_.all()) {
        auto e = c.epochs.find(u->key);
        if (e == c.epochs.end()) continue; // its claim is on its way
        held.push_back({u->key, e->second, u->sid, u->token_hash, u->skeletons});
        if (u->identity == 0) continue;
        auto entry = entry_of(*u, e->second);
        digest.add(entry);
        if (full) users.push_back(to_json(entry));
    }
    json msg = full ? json{{"t", "full"}, {"node", c.node}, {"users", std::move(users)}}
                    : json{{"t", "beat"}, {"node", c.node}, {"d", digest.text()}};
    nsp_.server_side_emit_args(peer_event, json::array({std::move(msg)}));
    refresh_names(std::move(held));
}

// Writes `held` back to Redis; a name found held by another node is lost here.
void service::refresh_names(std::vector<directory::held> held) {
    std::weak_ptr<service> weak = weak_from_this();
    auto& names = cluster_->names;
    names.refresh(held, [weak, held](std::error_code ec, std::vector<std::size_t> lost) {
        auto self = weak.lock();
        if (!self || ec) return;
        for (auto i : lost)
            self->lose_name(held[i].key, held[i].sid, {});
    });
}

void service::check_nodes() {
    apply_view_changes(view_.expire(opts_.now(), cluster_->opts.ttl), true);
}

void service::apply_view_changes(cluster_view::changes const& c, bool announce_left) {
    if (announce_left) {
        // A node that went silent: its users leave, told by each node to its own sockets.
        for (auto const& [room, name] : c.left) {
            if (member_in_room(name_key(name), room, false)) continue;
            nsp_.to(detail::sio_room(room))
                .local()
                .emit_args(wire::event_user_left,
                           detail::emit_args(presence_event{room, name, false}));
        }
    }
    for (auto const& room : c.rooms)
        send_users(room);
}

void service::on_peer(json const& msg) {
    if (!msg.is_object() || !cluster_) return;
    auto const type = text_of(msg, "t");
    auto const node = text_of(msg, "node");
    if (node.empty() || node == cluster_->node) return;
    if (type == "taken") return on_taken(node, msg);
    if (type == "beat") {
        // A replica that does not sum to the node's own digest (a lost delta, a restart) is
        // replaced by the node's whole state, which it sends to all at its next turn.
        view_.heard(node, opts_.now());
        if (view_.digest_of(node).text() != text_of(msg, "d"))
            nsp_.server_side_emit_args(
                peer_event,
                json::array({json{{"t", "sync"}, {"node", cluster_->node}, {"to", node}}}));
        return;
    }
    if (type == "sync") {
        if (text_of(msg, "to") != cluster_->node || cluster_->full_queued) return;
        cluster_->full_queued = true;
        std::weak_ptr<service> weak = weak_from_this();
        opts_.defer([weak] {
            auto self = weak.lock();
            if (!self) return;
            self->cluster_->full_queued = false;
            self->cluster_->full_next = true;
            self->heartbeat();
        });
        return;
    }
    if (type != "full" && type != "delta") return;
    std::vector<remote_user> users;
    if (auto it = msg.find("users"); it != msg.end() && it->is_array())
        for (auto const& v : *it)
            if (auto u = remote_user_from_json(v)) users.push_back(std::move(*u));
    std::vector<std::string> gone;
    if (auto it = msg.find("gone"); it != msg.end() && it->is_array())
        for (auto const& v : *it)
            if (v.is_string()) gone.push_back(v.get<std::string>());
    auto const now = opts_.now();
    apply_view_changes(type == "full" ? view_.apply_full(node, std::move(users), now)
                                      : view_.apply_delta(node, std::move(users), gone, now),
                       false);
}

void service::on_taken(std::string const& node, json const& msg) {
    // `node` took `key` over from `to`: the user moves to `node`'s list at once, still in the
    // room its new join asks for (so no list goes out without it in between).
    auto const to = text_of(msg, "to");
    auto const key = text_of(msg, "key");
    auto const old_sid = text_of(msg, "sid");
    auto const keep = text_of(msg, "keep");
    std::optional<remote_user> moved;
    if (to == cluster_->node) {
        auto const* u = presence_.find(key);
        auto e = cluster_->epochs.find(key);
        if (u && u->sid == old_sid && e != cluster_->epochs.end()) moved = entry_of(*u, e->second);
    } else if (auto const* r = view_.find(key); r && r->node == to) {
        moved = *r;
    }
    auto changed = view_.remove(to, key);
    if (moved && !moved->sid.empty() && !text_of(msg, "sid2").empty()) {
        moved->sid = text_of(msg, "sid2");
        moved->epoch = text_of(msg, "e");
        bool const in_keep = moved->rooms.count(keep) > 0;
        moved->rooms.clear();
        if (in_keep) moved->rooms.insert(keep);
        auto added = view_.apply_delta(node, {*moved}, {}, opts_.now());
        changed.rooms.insert(added.rooms.begin(), added.rooms.end());
    }
    if (to == cluster_->node) lose_name(key, old_sid, keep);
    apply_view_changes(changed, false);
}

void service::lose_name(std::string const& key, std::string const& sid, std::string const& keep) {
    auto const* user = presence_.find(key);
    if (!user || user->sid != sid) return;
    auto gone = presence_.release(sid);
    cluster_->epochs.erase(key); // not ours to free in Redis any more
    cluster_->quiet.erase(sid);
    user_changed(key);
    // The kept room hears of the new holder (on_taken) instead.
    for (auto const& room : gone->rooms) {
        if (room == keep) continue;
        announce_left(room, gone->name, sid);
        send_users(room);
    }
    util::log(util::log_level::debug, "chat: ", gone->name, " was taken over on another node");
    if (auto sock = nsp_.socket_by_id(sid)) sock->disconnect();
}

std::optional<service::member>
service::member_in_room(std::string const& key, std::string const& room, bool needs_socket) const {
    if (auto const* u = presence_.find(key)) {
        if (!presence_.in_room(key, room)) return std::nullopt;
        if (needs_socket && socket_in_room(key, room).empty()) return std::nullopt;
        return member{u->name, u->key, u->sid, u->identity};
    }
    if (auto const* r = view_.in_room(key, room)) {
        if (r->identity == 0) return std::nullopt;
        return member{r->name, r->key, r->sid, r->identity};
    }
    return std::nullopt;
}

std::vector<std::string> service::room_names(std::string const& room) const {
    if (!cluster_) return presence_.names(room);
    auto all = view_.members(room);
    for (auto const& name : presence_.names(room))
        all.insert_or_assign(name_key(name), name);
    // A name taken over from another node, listed there in this room: still listed while its
    // join here is on its way.
    for (auto const& [sid, quiet_room] : cluster_->quiet)
        if (auto const* u = presence_.by_socket(sid); u && quiet_room == room)
            all.insert_or_assign(u->key, u->name);
    std::vector<std::string> out;
    out.reserve(all.size());
    for (auto& [key, name] : all)
        out.push_back(std::move(name));
    return out;
}

} // namespace kibitz::chat
