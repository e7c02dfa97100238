#include "service_detail.hpp"

#include <kibitz/chat/service.hpp>
#include <kibitz/chat/text.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/store/database.hpp>
#include <kibitz/store/worker.hpp>
#include <kibitz/util/log.hpp>

#include <algorithm>
#include <array>

namespace kibitz::chat {
namespace {

constexpr std::array<std::string_view, 7> events = {
    wire::event_join,    wire::event_leave, wire::event_message, wire::event_typing,
    wire::event_history, wire::event_edit,  wire::event_delete,
};

constexpr std::string_view invalid_text_message =
    "a message is 1 to 2000 characters, not only spaces, with no control or bidi override "
    "characters";

} // namespace

std::string identity_key(std::int64_t identity) {
    return "#" + std::to_string(identity);
}

std::shared_ptr<service> service::install(socketio::server& io, store::worker& store,
                                          options opts) {
    if (!opts.defer) {
        opts.defer = [&ioc = io.io_context()](std::function<void()> f) {
            net::asio::post(ioc, std::move(f));
        };
    }
    if (!opts.after) {
        opts.after = [&ioc = io.io_context()](util::duration delay, std::function<void()> f) {
            auto timer = std::make_shared<net::asio::steady_timer>(ioc, delay);
            timer->async_wait([timer, f = std::move(f)](net::error_code ec) {
                if (!ec) f();
            });
        };
    }
    auto svc =
        std::make_shared<service>(io.of(std::string(wire::namespace_name)), store, std::move(opts));
    std::weak_ptr<service> weak = svc;
    svc->nsp_.on_connection([weak](socketio::socket_ptr s) {
        if (auto self = weak.lock()) self->on_connection(std::move(s));
    });
    svc->start_cluster();
    return svc;
}

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
    // A socket back by connection state recovery has its missed events already, and its
    // Socket.IO rooms again, but no name: its presence ended with its disconnect (or with the
    // server it was on). Until it joins again it hears nothing of a room, as any socket without
    // a name.
    if (s->recovered() && !presence_.by_socket(s->id())) {
        for (auto const& room : s->rooms())
            if (room.starts_with(detail::sio_room(""))) s->leave(room);
    }
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
                              "the '" + std::string(event) + "' payload has the wrong shape"));
        return;
    }
    std::visit([&](auto& request) { handle(s, std::move(request), std::move(reply)); }, *msg);
}

void service::on_disconnect(socketio::socket& s) {
    joins_.forget(s.id());
    history_.forget(s.id());
    typing_.forget(s.id());
    auto gone = presence_.release(s.id());
    if (!gone) return;
    user_released(*gone);
    for (auto const& room : gone->rooms) {
        announce_left(room, gone->name, s.id());
        send_users(room);
    }
}

void service::handle(socketio::socket& s, leave_request r, reply_fn reply) {
    // Needs no limit of its own: every leave undoes a join, and joins are limited.
    auto const* user = presence_.by_socket(s.id());
    if (!user || !presence_.leave(user->key, r.room))
        return reply(error_reply(wire::error_not_joined, "you are not in that room"));
    s.leave(detail::sio_room(r.room));
    user_changed(user->key);
    reply(ok_reply());
    announce_left(r.room, user->name, s.id());
    send_users(r.room);
}

void service::handle(socketio::socket& s, send_request r, reply_fn reply) {
    auto const* user = presence_.by_socket(s.id());
    if (!user || !presence_.in_room(user->key, r.room))
        return reply(error_reply(wire::error_not_joined, "join the room first"));
    // Identity belongs to the server (docs/architecture.md rule 7).
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
        return reply(error_reply(wire::error_text_invalid, invalid_text_message));
    store::message_draft draft;
    if (to) {
        // In the room on any node (cluster_view for the others).
        auto recipient = member_in_room(name_key(*to), r.room, false);
        if (!recipient)
            return reply(error_reply(wire::error_unknown_recipient,
                                     "there is nobody by that name in this room"));
        draft.to_name = recipient->name;
        draft.to_key = identity_key(recipient->identity);
    }
    draft.room = r.room;
    draft.from_name = user->name;
    draft.from_key = identity_key(user->identity);
    if (!to) draft.mentions = mentions_in(r.room, text);
    draft.text = std::move(text);
    draft.client_id = std::move(r.id);
    draft.action = r.action;
    store_message(s, std::move(draft), opts_.now(), std::move(reply));
}

void service::store_message(socketio::socket& s, store::message_draft draft, util::time_point now,
                            reply_fn reply) {
    auto const key = presence_.by_socket(s.id())->key;
    if (auto wait = messages_.acquire(key, now)) return reply(rate_limited_reply(wait->count()));
    if (cluster_ && messages_.enabled())
        return limit_in_cluster(s.id(), key, std::move(draft), now, std::move(reply));
    submit_message(s.id(), key, std::move(draft), now, {}, std::move(reply));
}

void service::submit_message(std::string const& sid, std::string const& key,
                             store::message_draft draft, util::time_point now, std::string event,
                             reply_fn reply) {
    draft.ts = opts_.unix_ms();
    std::weak_ptr<service> weak = weak_from_this();
    auto const status = store_.submit(
        sid, [draft](store::database& db) { return db.insert_message(draft); },
        [weak, key, now, event, reply](store::result<store::inserted_message> stored) {
            auto self = weak.lock();
            if (!self) return;
            if (!stored || stored.value().duplicate) self->uncount_message(key, now, event);
            if (!stored) {
                util::log(util::log_level::error, "chat: store failed: ", stored.error().message);
                return reply(error_reply(wire::error_unavailable,
                                         "the message could not be stored; send it again"));
            }
            // Committed durably: only now ack it and deliver it (once, not on a resend).
            reply(message_reply(stored.value().message));
            if (stored.value().duplicate) return;
            ++self->messages_sent_;
            auto const& m = stored.value().message;
            self->deliver(m, wire::event_message, detail::emit_args(message_event{m}));
        });
    if (status == store::submit_status::queued) return;
    uncount_message(key, now, event);
    reply(refused_by_store(status));
}

chat::counters service::counters() const {
    return {messages_sent_,    messages_.refused() + cluster_rate_limited_,
            joins_.refused(),  history_.refused(),
            typing_.refused(), edits_.refused()};
}

void service::deliver(store::message_record const& m, std::string_view event, json args) {
    if (!m.to_key) return nsp_.to(detail::sio_room(m.room)).emit_args(event, std::move(args));
    // Private: the recipient's socket and the sender's, when the identities the message
    // belongs to still hold those names and are in the room, on whichever node (the adapter
    // carries a socket-id room to its node).
    std::optional<socketio::broadcast_operator> targets;
    auto add = [&](std::string const& name, std::string const& owner) {
        auto user = member_in_room(name_key(name), m.room, true);
        if (!user || identity_key(user->identity) != owner) return;
        targets = targets ? targets->to(user->sid) : nsp_.to(user->sid);
    };
    add(*m.to_name, *m.to_key);
    add(m.from_name, m.from_key);
    if (targets) targets->emit_args(event, std::move(args));
}

std::vector<std::string> service::mentions_in(std::string const& room,
                                              std::string_view text) const {
    std::vector<std::string> names;
    std::vector<std::string> keys;
    for (auto const& readings : mention_candidates(text)) {
        for (auto const& name : readings) {
            auto user = member_in_room(name_key(name), room, false);
            if (!user) continue;
            if (std::find(keys.begin(), keys.end(), user->key) == keys.end()) {
                keys.push_back(user->key);
                names.push_back(user->name);
            }
            break;
        }
    }
    return names;
}

void service::handle(socketio::socket& s, edit_request r, reply_fn reply) {
    auto const* user = presence_.by_socket(s.id());
    if (!user) return reply(error_reply(wire::error_not_found, "no such message in your rooms"));
    if (!is_valid_text(r.text))
        return reply(error_reply(wire::error_text_invalid, invalid_text_message));
    store::message_change change;
    change.id = r.id;
    change.author_key = identity_key(user->identity);
    for (auto const& room : user->rooms)
        change.rooms.push_back({room, mentions_in(room, r.text)});
    change.text = std::move(r.text);
    change.edited = opts_.unix_ms();
    change_message(s, std::move(change), false, std::move(reply));
}

void service::handle(socketio::socket& s, delete_request r, reply_fn reply) {
    auto const* user = presence_.by_socket(s.id());
    if (!user) return reply(error_reply(wire::error_not_found, "no such message in your rooms"));
    store::message_change change;
    change.id = r.id;
    change.author_key = identity_key(user->identity);
    for (auto const& room : user->rooms)
        change.rooms.push_back({room, {}});
    change_message(s, std::move(change), true, std::move(reply));
}

void service::change_message(socketio::socket& s, store::message_change change, bool is_delete,
                             reply_fn reply) {
    auto const key = presence_.by_socket(s.id())->key;
    auto const now = opts_.now();
    if (auto wait = edits_.acquire(key, now))
        return reply(rate_limited_reply(wait->count(), "too many changes in a short time"));
    std::weak_ptr<service> weak = weak_from_this();
    auto const status = store_.submit(
        s.id(),
        [change = std::move(change), is_delete](store::database& db) {
            return is_delete ? db.delete_message(change) : db.edit_message(change);
        },
        [weak, key, now, is_delete, reply](store::result<store::changed_message> result) {
            auto self = weak.lock();
            if (!self) return;
            if (!result || result.value().outcome != store::change_outcome::changed)
                self->edits_.release(key, now);
            if (!result) {
                util::log(util::log_level::error, "chat: store failed: ", result.error().message);
                return reply(error_reply(wire::error_unavailable,
                                         "the change could not be stored; try again"));
            }
            self->changed(result.value(), is_delete, reply);
        });
    if (status == store::submit_status::queued) return;
    edits_.release(key, now);
    reply(refused_by_store(status));
}

void service::changed(store::changed_message const& result, bool is_delete, reply_fn const& reply) {
    switch (result.outcome) {
    case store::change_outcome::not_found:
        return reply(error_reply(wire::error_not_found, "no such message in your rooms"));
    case store::change_outcome::forbidden:
        return reply(error_reply(wire::error_forbidden, "you can only change your own messages"));
    case store::change_outcome::unchanged:
        return reply(ok_reply());
    case store::change_outcome::changed:
        break;
    }
    // Committed durably: only now ack it and tell everyone who can see it.
    auto const& m = result.message;
    if (is_delete) {
        reply(ok_reply());
        return deliver(m, wire::event_message_deleted,
                       detail::emit_args(message_deleted_event{m.id, m.room}));
    }
    reply(message_reply(m));
    deliver(m, wire::event_message_updated, detail::emit_args(message_updated_event{m}));
}

void service::handle(socketio::socket& s, typing_request r, reply_fn) {
    auto const* user = presence_.by_socket(s.id());
    if (!user || !presence_.in_room(user->key, r.room)) return;
    // Past the limit, dropped silently: typing has no ack.
    if (typing_.acquire(s.id(), opts_.now())) return;
    typing_event e{r.room, user->name, std::nullopt, r.typing};
    if (!r.to) {
        return nsp_.to(detail::sio_room(r.room))
            .except(s.id())
            .emit_args(wire::event_typing, detail::emit_args(e));
    }
    auto recipient = member_in_room(name_key(*r.to), r.room, true);
    if (!recipient || recipient->key == user->key) return;
    e.to = recipient->name;
    nsp_.to(recipient->sid).emit_args(wire::event_typing, detail::emit_args(e));
}

void service::handle(socketio::socket& s, history_request r, reply_fn reply) {
    auto const* user = presence_.by_socket(s.id());
    if (!user || !presence_.in_room(user->key, r.room))
        return reply(error_reply(wire::error_not_joined, "join the room first"));
    if (auto wait = history_.acquire(s.id(), opts_.now()))
        return reply(rate_limited_reply(wait->count(), "too many history requests"));
    auto& reading = reads_in_flight_[s.id()];
    if (opts_.max_history_in_flight > 0 && reading >= opts_.max_history_in_flight)
        return reply(
            rate_limited_reply(opts_.busy_retry.count(), "too many history requests at once"));
    std::weak_ptr<service> weak = weak_from_this();
    auto const status = store_.submit(
        s.id(),
        [r, viewer = identity_key(user->identity)](store::database& db) {
            return db.history(r.room, viewer, r.before, static_cast<std::size_t>(r.limit));
        },
        [weak, sid = s.id(), reply](store::result<std::vector<store::message_record>> h) {
            if (auto self = weak.lock()) self->read_done(sid);
            if (!h) {
                util::log(util::log_level::error, "chat: history failed: ", h.error().message);
                return reply(error_reply(wire::error_unavailable,
                                         "the history could not be read; try again"));
            }
            reply(history_reply(h.value()));
        });
    if (status == store::submit_status::queued) {
        ++reading;
        return;
    }
    if (reading == 0) reads_in_flight_.erase(s.id());
    reply(refused_by_store(status));
}

void service::read_done(std::string const& sid) {
    auto it = reads_in_flight_.find(sid);
    if (it != reads_in_flight_.end() && --it->second == 0) reads_in_flight_.erase(it);
}

json service::refused_by_store(store::submit_status status) const {
    if (status == store::submit_status::lane_full)
        return rate_limited_reply(opts_.busy_retry.count(), "too many requests at once");
    if (status == store::submit_status::queue_full)
        return error_reply(wire::error_unavailable, "the server is busy; try again in a moment");
    return error_reply(wire::error_unavailable, "the server is shutting down");
}

void service::announce_left(std::string const& room, std::string const& name,
                            std::string const& except_sid) {
    nsp_.to(detail::sio_room(room))
        .except(except_sid)
        .emit_args(wire::event_user_left, detail::emit_args(presence_event{room, name, false}));
}

void service::send_users(std::string const& room) {
    if (!users_batch_.mark(room)) return;
    std::weak_ptr<service> weak = weak_from_this();
    opts_.defer([weak] {
        if (auto self = weak.lock()) self->flush_users();
    });
}

void service::flush_users() {
    auto due = users_batch_.take(
        opts_.now(), [this](std::string const& room) { return room_names(room).size(); });
    // Each node tells its own sockets (in a cluster, every node hears of every change).
    for (auto const& room : due.rooms)
        nsp_.to(detail::sio_room(room))
            .local()
            .emit_args(wire::event_users, detail::emit_args(users_event{room, room_names(room)}));
    if (due.next) flush_users_at(*due.next);
}

void service::flush_users_at(util::time_point at) {
    // One delayed flush at a time, the earliest one asked for; a later one is asked again by
    // the flush that runs.
    if (users_flush_at_ && *users_flush_at_ <= at) return;
    users_flush_at_ = at;
    std::weak_ptr<service> weak = weak_from_this();
    // Rounded up: a flush a little early would find the room still waiting.
    auto delay = std::chrono::ceil<util::duration>(at - opts_.now());
    opts_.after(std::max(util::duration{0}, delay), [weak, at] {
        auto self = weak.lock();
        if (!self || self->users_flush_at_ != at) return;
        self->users_flush_at_.reset();
        self->flush_users();
    });
}

std::string service::socket_in_room(std::string const& key, std::string const& room) const {
    auto const* user = presence_.find(key);
    if (!user) return {};
    auto sock = nsp_.socket_by_id(user->sid);
    if (!sock || sock->rooms().count(detail::sio_room(room)) == 0) return {};
    return user->sid;
}

} // namespace kibitz::chat
