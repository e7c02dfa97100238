// `join`: names, identities (tokens), rooms and the history that comes with a join.
#include "service_detail.hpp"

#include <kibitz/chat/service.hpp>
#include <kibitz/chat/text.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/names/names.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/store/database.hpp>
#include <kibitz/util/log.hpp>
#include <kibitz/util/random.hpp>
#include <kibitz/util/sha256.hpp>

#include <chrono>

namespace kibitz::chat {

struct service::join_outcome {
    store::identity_claim who;
    std::vector<store::message_record> history;
};

std::optional<json> service::refuse_name(socketio::socket&, join_request const& r) {
    auto const verdict = names::check(r.name);
    if (verdict == names::verdict::ok) return std::nullopt;
    auto const code =
        verdict == names::verdict::reserved ? wire::error_name_reserved : wire::error_name_invalid;
    return error_reply(code, names::explain(verdict));
}

std::optional<json> service::refuse_room(std::string const& key, std::string const& room,
                                         std::string const& address) const {
    auto const* user = presence_.find(key);
    if (user && user->rooms.count(room) > 0) return std::nullopt;
    if (opts_.max_rooms_per_connection > 0 && user &&
        user->rooms.size() >= opts_.max_rooms_per_connection)
        return error_reply(wire::error_too_many_rooms,
                           "you are in " + std::to_string(user->rooms.size()) +
                               " rooms, the most allowed; leave one first");
    if (opts_.max_rooms > 0 && !presence_.room_exists(room) &&
        presence_.room_count() >= opts_.max_rooms)
        return error_reply(wire::error_too_many_rooms,
                           "the server has as many rooms open as it allows; join an open room");
    if (opts_.max_rooms_per_address > 0 && !presence_.room_exists(room) &&
        presence_.rooms_opened_from(address) >= opts_.max_rooms_per_address)
        return error_reply(wire::error_too_many_rooms,
                           "your address has opened as many rooms as it may; join an open room");
    return std::nullopt;
}

void service::handle(socketio::socket& s, join_request r, reply_fn reply) {
    if (auto wait = joins_.acquire(s.id(), opts_.now()))
        return reply(rate_limited_reply(wait->count(), "too many joins in a short time"));
    // A second join keeps the socket's name, but the name it carries is still checked.
    if (auto refusal = refuse_name(s, r)) return reply(std::move(*refusal));
    if (!is_valid_room(r.room))
        return reply(error_reply(wire::error_room_invalid,
                                 "a room name is 1 to 64 characters of a-z 0-9 _ - : ."));
    auto const* held = presence_.by_socket(s.id());
    // In a cluster, a second join waits until Redis has answered the first one's claim.
    if (held && claim_pending(held->key))
        return reply(
            rate_limited_reply(opts_.busy_retry.count(), "your name is still being checked"));
    std::string key = held ? held->key : name_key(r.name);
    if (auto refusal = refuse_room(key, r.room, s.handshake().address))
        return reply(std::move(*refusal));
    if (!held) {
        auto claim = presence_.claim(r.name, key, r.token, s.id(), util::random_id());
        if (claim.status == presence::claim_status::name_taken)
            return reply(error_reply(wire::error_name_taken, "that name is in use"));
        if (claim.status == presence::claim_status::confusable)
            return reply(
                error_reply(wire::error_name_taken, "that name looks too much like a name in use"));
        if (claim.status == presence::claim_status::taken_over)
            take_over(key, r.room, claim.previous_sid);
        // A new name here: in a cluster, Redis says whether it is free on every node.
        if (claim.status == presence::claim_status::created)
            return claim_in_cluster(s, key, r.room, std::move(reply));
    }
    start_join(s, key, r.room, std::move(reply));
}

void service::take_over(std::string const& key, std::string const& room,
                        std::string const& previous_sid) {
    // The user keeps only the room this join asks for; the old socket goes.
    auto rooms = presence_.find(key)->rooms;
    for (auto const& other : rooms) {
        if (other == room) continue;
        presence_.leave(key, other);
        announce_left(other, presence_.find(key)->name, previous_sid);
        send_users(other);
    }
    user_changed(key);
    if (auto old = nsp_.socket_by_id(previous_sid)) old->disconnect();
}

void service::start_join(socketio::socket& s, std::string const& key, std::string const& room,
                         reply_fn reply) {
    // The store says which identity holds the name (a pending one is settled by the first job
    // of this socket that runs; a later one finds the same identity again), then reads the
    // history that identity may see. The socket enters the room when the answer comes back,
    // after every message stored before this job: those are in the history, later ones
    // arrive live. Nothing twice, nothing lost.
    auto const& user = *presence_.find(key);
    std::optional<std::string> offered_hash;
    if (user.identity == 0 && user.offered_token)
        offered_hash = util::sha256_hex(*user.offered_token);
    auto job = [room, key, identity = user.identity, offered_hash,
                fresh_hash = util::sha256_hex(user.token),
                now = opts_.unix_ms()](store::database& db) -> store::result<join_outcome> {
        join_outcome out{{identity, true}, {}};
        if (identity == 0) {
            auto who = db.claim_identity(key, offered_hash, fresh_hash, now);
            if (!who) return who.error();
            out.who = who.value();
        }
        auto h =
            db.history(room, identity_key(out.who.id), std::nullopt, wire::default_history_limit);
        if (!h) return h.error();
        out.history = std::move(h).value();
        return out;
    };
    std::weak_ptr<service> weak = weak_from_this();
    auto done = [weak, sid = s.id(), key, room, reply](store::result<join_outcome> r) {
        auto self = weak.lock();
        if (!self) return;
        if (!r) {
            util::log(util::log_level::error, "chat: join failed: ", r.error().message);
            return reply(error_reply(wire::error_unavailable,
                                     "the chat could not be joined just now; try again"));
        }
        self->finish_join(sid, key, room, std::move(r).value(), reply);
    };
    auto const status = store_.submit(s.id(), std::move(job), std::move(done));
    if (status != store::submit_status::queued) reply(refused_by_store(status));
}

void service::finish_join(std::string const& sid, std::string const& key, std::string const& room,
                          join_outcome outcome, reply_fn const& reply) {
    auto sock = nsp_.socket_by_id(sid);
    auto const* user = presence_.by_socket(sid);
    // The socket left, or lost its name to a take-over, while the store worked.
    if (!sock || !sock->connected() || !user || user->key != key) return;
    if (user->identity == 0) {
        bool const reused = outcome.who.reused && user->offered_token;
        presence_.confirm(key, outcome.who.id, reused ? *user->offered_token : user->token);
        if (!outcome.who.reused) identity_made(sid);
    }
    // Never show one identity's history to another (cannot happen: a later job of a pending
    // name finds the identity the first one settled).
    if (user->identity != outcome.who.id)
        return reply(error_reply(wire::error_unavailable,
                                 "the chat could not be joined just now; try again"));
    // Rooms may have filled up while the store worked.
    auto const& address = sock->handshake().address;
    if (auto refusal = refuse_room(key, room, address)) return reply(std::move(*refusal));
    bool const entered = presence_.enter(key, room, address);
    sock->join(detail::sio_room(room));
    user_changed(key);
    reply(join_reply(user->name, user->token, room, room_names(room), outcome.history));
    if (entered && !quiet_join(sid, room))
        nsp_.to(detail::sio_room(room))
            .except(sid)
            .emit_args(wire::event_user_joined,
                       detail::emit_args(presence_event{room, user->name, true}));
    send_users(room);
}

void service::identity_made(std::string const& sid) {
    if (opts_.prune_every == 0 || ++identities_made_ < opts_.prune_every) return;
    identities_made_ = 0;
    auto const cutoff =
        opts_.unix_ms() -
        std::chrono::duration_cast<std::chrono::milliseconds>(opts_.identity_ttl).count();
    auto job = [cutoff, keep = presence_.identities(), limit = opts_.prune_batch](
                   store::database& db) { return db.prune_identities(cutoff, keep, limit); };
    auto done = [](store::result<std::size_t> r) {
        if (!r)
            util::log(util::log_level::warn, "chat: pruning identities: ", r.error().message);
        else if (r.value() > 0)
            util::log(util::log_level::debug, "chat: pruned ", r.value(), " unused identities");
    };
    // Refused when the store is busy: the next new identity tries again.
    if (store_.submit(sid, std::move(job), std::move(done)) != store::submit_status::queued)
        identities_made_ = opts_.prune_every - 1;
}

} // namespace kibitz::chat
