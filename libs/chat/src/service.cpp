#include <kibitz/chat/service.hpp>
#include <kibitz/chat/text.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/store/database.hpp>
#include <kibitz/store/worker.hpp>
#include <kibitz/util/log.hpp>
#include <kibitz/util/random.hpp>

#include <array>

namespace kibitz::chat {
namespace {

// The Socket.IO room of a chat room. The prefix keeps chat rooms apart from the room every
// socket has under its own id.
std::string sio_room(std::string const& room) {
    return "room:" + room;
}

constexpr std::array<std::string_view, 5> events = {
    wire::event_join,   wire::event_leave,   wire::event_message,
    wire::event_typing, wire::event_history,
};

json emit_args(server_message const& m) {
    return json::array({to_json(m)});
}

} // namespace

std::shared_ptr<service> service::install(socketio::server& io, store::worker& store,
                                          options opts) {
    auto svc =
        std::make_shared<service>(io.of(std::string(wire::namespace_name)), store, std::move(opts));
    std::weak_ptr<service> weak = svc;
    svc->nsp_.on_connection([weak](socketio::socket_ptr s) {
        if (auto self = weak.lock()) self->on_connection(std::move(s));
    });
    return svc;
}

service::service(socketio::nsp& ns, store::worker& store, options opts)
    : nsp_(ns), store_(store), opts_(std::move(opts)),
      messages_(opts_.messages_per_window, opts_.window),
      joins_(opts_.joins_per_window, opts_.window) {}

void service::on_connection(socketio::socket_ptr s) {
    std::weak_ptr<service> weak = weak_from_this();
    for (auto event : events) {
        s->on(std::string(event),
              [weak, event](socketio::socket& sock, json& args, socketio::ack_callback ack) {
                  if (auto self = weak.lock()) self->on_event(sock, event, args, std::move(ack));
              });
    }
    s->on_disconnect([weak](socketio::socket& sock, std::string_view) {
        if (auto self = weak.lock()) self->on_disconnect(sock);
    });
}

void service::on_event(socketio::socket& s, std::string_view event, json& args,
                       socketio::ack_callback ack) {
    reply_fn reply = [ack = std::move(ack)](json payload) {
        // An event sent without a callback is still processed; its answer goes nowhere.
        if (ack) ack(json::array({std::move(payload)}));
    };
    json const payload = args.is_array() && !args.empty() ? args[0] : json();
    auto msg = parse(event, payload);
    if (!msg) {
        // `typing` has no ack: an invalid one is ignored (PROTOCOL.md).
        if (event != wire::event_typing)
            reply(error_reply(wire::error_bad_request,
                              "invalid '" + std::string(event) + "' payload"));
        return;
    }
    std::visit([&](auto& request) { handle(s, std::move(request), std::move(reply)); }, *msg);
}

void service::on_disconnect(socketio::socket& s) {
    joins_.forget(s.id());
    auto gone = presence_.release(s.id());
    if (!gone) return;
    for (auto const& room : gone->rooms) {
        announce_left(room, gone->name, s.id());
        send_users(room);
    }
}

void service::handle(socketio::socket& s, join_request r, reply_fn reply) {
    if (auto wait = joins_.acquire(s.id(), opts_.now()))
        return reply(rate_limited_reply(wait->count()));
    if (!is_valid_name(r.name))
        return reply(error_reply(wire::error_name_invalid,
                                 "a name is 1 to 24 letters, digits, '_', '-' or '.'"));
    if (!is_valid_room(r.room))
        return reply(error_reply(wire::error_room_invalid,
                                 "a room is 1 to 64 characters of a-z 0-9 _ - : ."));
    auto const* held = presence_.by_socket(s.id());
    std::string key;
    if (held) {
        // A second room keeps the socket's name, whatever this join says.
        key = held->key;
    } else {
        key = name_key(r.name);
        auto claim = presence_.claim(r.name, key, r.token, s.id(), util::random_id());
        if (claim.status == presence::claim_status::name_taken)
            return reply(error_reply(wire::error_name_taken, "that name is in use"));
        if (claim.status == presence::claim_status::taken_over) {
            // The user keeps only the room this join asks for; the old socket goes.
            auto rooms = presence_.find(key)->rooms;
            for (auto const& room : rooms) {
                if (room == r.room) continue;
                presence_.leave(key, room);
                announce_left(room, presence_.find(key)->name, claim.previous_sid);
                send_users(room);
            }
            if (auto old = nsp_.socket_by_id(claim.previous_sid)) old->disconnect();
        }
    }
    // The history is read, and the socket enters the room, after every message stored before
    // this job: those are in the history, later ones arrive live. Nothing twice, nothing lost.
    std::weak_ptr<service> weak = weak_from_this();
    auto room = r.room;
    store_.run(
        [room, key](store::database& db) {
            return db.history(room, key, std::nullopt, wire::default_history_limit);
        },
        [weak, sid = s.id(), key, room,
         reply](store::result<std::vector<store::message_record>> h) {
            auto self = weak.lock();
            if (!self) return;
            if (!h) {
                util::log(util::log_level::error, "chat: history failed: ", h.error().message);
                return reply(error_reply(wire::error_unavailable, "history is unavailable"));
            }
            self->finish_join(sid, key, room, std::move(h).value(), reply);
        });
}

void service::finish_join(std::string const& sid, std::string const& key, std::string const& room,
                          std::vector<store::message_record> history, reply_fn const& reply) {
    auto sock = nsp_.socket_by_id(sid);
    auto const* user = presence_.by_socket(sid);
    // The socket left, or lost its name to a take-over, while the store worked.
    if (!sock || !sock->connected() || !user || user->key != key) return;
    bool const entered = presence_.enter(key, room);
    sock->join(sio_room(room));
    reply(join_reply(user->name, user->token, room, presence_.names(room), history));
    if (entered)
        nsp_.to(sio_room(room))
            .except(sid)
            .emit(wire::event_user_joined, emit_args(presence_event{room, user->name, true}));
    send_users(room);
}

void service::handle(socketio::socket& s, leave_request r, reply_fn reply) {
    auto const* user = presence_.by_socket(s.id());
    if (!user || !presence_.leave(user->key, r.room))
        return reply(error_reply(wire::error_not_joined, "not in that room"));
    s.leave(sio_room(r.room));
    reply(ok_reply());
    announce_left(r.room, user->name, s.id());
    send_users(r.room);
}

void service::handle(socketio::socket& s, send_request r, reply_fn reply) {
    auto const* user = presence_.by_socket(s.id());
    if (!user || !presence_.in_room(user->key, r.room))
        return reply(error_reply(wire::error_not_joined, "join the room first"));
    // Identity belongs to the server (ARCHITECTURE.md rule 7).
    if (r.from && name_key(*r.from) != user->key)
        return reply(error_reply(wire::error_forbidden, "you can only send as yourself"));
    std::optional<std::string> to = r.to;
    std::string text = std::move(r.text);
    if (!to) {
        if (auto m = parse_mention(text)) {
            to = std::move(m->name);
            text = std::move(m->rest);
        }
    }
    if (!is_valid_text(text))
        return reply(error_reply(wire::error_text_invalid,
                                 "text must be 1 to 2000 characters, not only spaces, without "
                                 "control or bidi override characters"));
    store::message_draft draft;
    if (to) {
        auto const* recipient = presence_.find(name_key(*to));
        if (!recipient || !presence_.in_room(recipient->key, r.room))
            return reply(error_reply(wire::error_unknown_recipient, "nobody by that name here"));
        draft.to_name = recipient->name;
        draft.to_key = recipient->key;
    }
    auto const now = opts_.now();
    if (auto wait = messages_.acquire(user->key, now))
        return reply(rate_limited_reply(wait->count()));
    draft.room = r.room;
    draft.from_name = user->name;
    draft.from_key = user->key;
    draft.text = std::move(text);
    draft.ts = opts_.unix_ms();
    draft.client_id = std::move(r.id);
    std::weak_ptr<service> weak = weak_from_this();
    store_.run([draft](store::database& db) { return db.insert_message(draft); },
               [weak, key = user->key, now, reply](store::result<store::inserted_message> stored) {
                   auto self = weak.lock();
                   if (!self) return;
                   if (!stored || stored.value().duplicate) self->messages_.release(key, now);
                   if (!stored) {
                       util::log(util::log_level::error,
                                 "chat: store failed: ", stored.error().message);
                       return reply(error_reply(wire::error_unavailable, "message not stored"));
                   }
                   // Stored durably: only now ack it and deliver it (once, not on a resend).
                   reply(message_reply(stored.value().message));
                   if (!stored.value().duplicate) self->deliver(stored.value().message);
               });
}

void service::deliver(store::message_record const& m) {
    auto args = emit_args(message_event{m});
    if (!m.to_key) return nsp_.to(sio_room(m.room)).emit(wire::event_message, std::move(args));
    // Private: the recipient's socket and the sender's, when they are still in the room.
    std::optional<socketio::broadcast_operator> targets;
    for (auto const* key : {&*m.to_key, &m.from_key}) {
        auto sid = socket_in_room(*key, m.room);
        if (sid.empty()) continue;
        targets = targets ? targets->to(sid) : nsp_.to(sid);
    }
    if (targets) targets->emit(wire::event_message, std::move(args));
}

void service::handle(socketio::socket& s, typing_request r, reply_fn) {
    auto const* user = presence_.by_socket(s.id());
    if (!user || !presence_.in_room(user->key, r.room)) return;
    typing_event e{r.room, user->name, std::nullopt, r.typing};
    if (!r.to) {
        return nsp_.to(sio_room(r.room)).except(s.id()).emit(wire::event_typing, emit_args(e));
    }
    auto const* recipient = presence_.find(name_key(*r.to));
    if (!recipient || recipient->key == user->key) return;
    auto sid = socket_in_room(recipient->key, r.room);
    if (sid.empty()) return;
    e.to = recipient->name;
    nsp_.to(sid).emit(wire::event_typing, emit_args(e));
}

void service::handle(socketio::socket& s, history_request r, reply_fn reply) {
    auto const* user = presence_.by_socket(s.id());
    if (!user || !presence_.in_room(user->key, r.room))
        return reply(error_reply(wire::error_not_joined, "join the room first"));
    store_.run(
        [r, key = user->key](store::database& db) {
            return db.history(r.room, key, r.before, static_cast<std::size_t>(r.limit));
        },
        [reply](store::result<std::vector<store::message_record>> h) {
            if (!h) {
                util::log(util::log_level::error, "chat: history failed: ", h.error().message);
                return reply(error_reply(wire::error_unavailable, "history is unavailable"));
            }
            reply(history_reply(h.value()));
        });
}

void service::announce_left(std::string const& room, std::string const& name,
                            std::string const& except_sid) {
    nsp_.to(sio_room(room))
        .except(except_sid)
        .emit(wire::event_user_left, emit_args(presence_event{room, name, false}));
}

void service::send_users(std::string const& room) {
    nsp_.to(sio_room(room))
        .emit(wire::event_users, emit_args(users_event{room, presence_.names(room)}));
}

std::string service::socket_in_room(std::string const& key, std::string const& room) const {
    auto const* user = presence_.find(key);
    if (!user) return {};
    auto sock = nsp_.socket_by_id(user->sid);
    if (!sock || sock->rooms().count(sio_room(room)) == 0) return {};
    return user->sid;
}

} // namespace kibitz::chat
