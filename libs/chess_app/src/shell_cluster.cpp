// The chess shell in a cluster (docs/cluster.md "The chess across nodes"): requests for games
// owned elsewhere go to their owner, forwarded ones are handled here, the lobby is the
// cluster's.
#include "shell_impl.hpp"

#include <kibitz/socketio/broadcast.hpp>
#include <kibitz/util/clock.hpp>
#include <kibitz/util/log.hpp>

#include <algorithm>

namespace kibitz::chess_app {

using util::log_level;

void chess_server::impl::route(item it, std::string const& id, std::string_view event,
                               json const& payload) {
    auto weak = self;
    ++loading;
    link->owner_of(id, [weak, it = std::move(it), id, event = std::string(event),
                        payload](bool ok, std::string owner) mutable {
        auto locked = weak.lock();
        if (!locked) return;
        auto& me = *locked->impl_;
        --me.loading;
        if (!ok) return answer(it.ack, unavailable_ack());
        if (owner == me.link->node()) {
            if (me.svc.knows(id)) return me.enqueue(std::move(it));
            return me.load_then_enqueue(std::move(it), id);
        }
        auto s = me.live_socket(it.conn);
        if (!s) return;
        // A joining socket enters the game's room here first, so the join's own `game` event
        // reaches it whatever the order of the owner's answer and broadcasts (the sharded
        // protocol gives none); a refused join leaves it again.
        bool const joining = event == wire::join && s->rooms().count(room(id)) == 0;
        if (joining) s->join(room(id));
        std::weak_ptr<socketio::socket> weak_socket = s;
        auto ack = std::move(it.ack);
        me.link->forward(owner, it.conn, event, payload, s->handshake().address, s->rtt_ms(),
                         [ack, joining, weak_socket, id](std::optional<json> answered) {
                             bool const accepted = answered && answered->value("ok", false);
                             if (auto sock = weak_socket.lock(); joining && !accepted && sock)
                                 sock->leave(room(id));
                             answer(ack, answered ? std::move(*answered) : unavailable_ack());
                         });
    });
}

void chess_server::impl::on_remote_event(conn_id const& conn, std::string const& event,
                                         json const& payload, socketio::ack_callback ack,
                                         std::int64_t deadline) {
    auto msg = parse(event, payload);
    if (!msg) return answer(ack, error_ack(wire::bad_request, "malformed payload"));
    if (queue.size() + loading >= shell.max_queued) return answer(ack, unavailable_ack());
    auto id = game_of(*msg);
    // `create` and `pgn` are never forwarded: the asking node handles them itself.
    if (!id || std::holds_alternative<pgn_request>(*msg))
        return answer(ack, error_ack(wire::bad_request, "not a request for a game"));
    item it{false, conn, std::move(msg), std::move(ack), std::nullopt, deadline};
    if (svc.knows(*id)) return enqueue(std::move(it));
    auto weak = self;
    ++loading;
    link->owner_of(*id, [weak, it = std::move(it), id = *id](bool ok, std::string owner) mutable {
        auto locked = weak.lock();
        if (!locked) return;
        auto& me = *locked->impl_;
        --me.loading;
        if (!ok || owner != me.link->node()) return answer(it.ack, unavailable_ack());
        if (me.svc.knows(id)) return me.enqueue(std::move(it));
        me.load_then_enqueue(std::move(it), id);
    });
}

socketio::ack_callback chess_server::impl::remembering(conn_id const& conn,
                                                       client_message const& msg,
                                                       socketio::ack_callback ack) {
    local_join how;
    if (auto const* j = std::get_if<join_request>(&msg))
        how = {j->name, j->token};
    else if (auto const* c = std::get_if<create_request>(&msg))
        how = {c->name, std::nullopt};
    else
        return ack;
    auto weak = self;
    return [weak, conn, how = std::move(how), ack = std::move(ack)](json args) mutable {
        json const& r = args.is_array() && !args.empty() ? args[0] : args;
        auto owner = weak.lock();
        if (owner && r.is_object() && r.value("ok", false) && owner->impl_->live_socket(conn)) {
            auto const game = r.find("game");
            auto const token = r.find("token");
            if (token != r.end() && token->is_string()) how.token = token->get<std::string>();
            if (game != r.end() && game->is_object() && game->contains("id") &&
                (*game)["id"].is_string())
                owner->impl_->link->joined(conn, (*game)["id"].get<std::string>(), how);
        }
        if (ack) ack(std::move(args));
    };
}

void chess_server::impl::reseat_local(std::string const& id, std::int64_t now, effects& fx) {
    for (auto const& [conn, how] : link->joins_of(id)) {
        if (!live_socket(conn)) continue;
        // A spectator is one of a game past waiting: never let it take a waiting game's seat.
        if (!how.token) {
            auto view = svc.view(id, now);
            if (!view || view->status == wire::waiting) continue;
        }
        svc.handle(conn, join_request{id, how.name, how.token}, now, fx);
    }
}

void chess_server::impl::reannounce(std::vector<std::string> const& ids) {
    for (auto const& id : ids) {
        if (svc.knows(id)) continue; // held here: this node is its owner
        for (auto const& [conn, how] : link->joins_of(id)) {
            if (!live_socket(conn)) continue;
            json payload = {{"game", id}, {"name", how.name}};
            if (how.token) payload["token"] = *how.token;
            auto msg = parse(wire::join, payload);
            if (!msg) continue;
            // Nobody waits for its answer: the socket sees the game's events as before.
            route(item{false, conn, std::move(msg), nullptr, std::nullopt, 0}, id, wire::join,
                  payload);
        }
    }
}

void chess_server::impl::start_cluster(asio::io_context& ioc, chess_cluster_options opts) {
    auto weak = self;
    auto with = [weak](auto f) {
        return [weak, f](auto const&... args) {
            if (auto owner = weak.lock()) f(*owner->impl_, args...);
        };
    };
    cluster_link::hooks h;
    h.handle_remote =
        with([](impl& me, std::string const& conn, std::string const& event, json const& payload,
                socketio::ack_callback const& ack, std::int64_t deadline) {
            me.on_remote_event(conn, event, payload, ack, deadline);
        });
    h.remote_gone = with([](impl& me, std::vector<std::string> const& conns) {
        for (auto const& c : conns)
            me.enqueue(item{true, c, std::nullopt, nullptr, std::nullopt, 0});
    });
    h.held_ids = [weak] {
        auto owner = weak.lock();
        return owner ? owner->impl_->svc.ids() : std::vector<std::string>();
    };
    h.lost = with([](impl& me, std::vector<std::string> const& ids) {
        // Only between batches; a game still here is reported again at the next heartbeat.
        if (me.in_flight) return;
        for (auto const& id : ids) {
            util::log(log_level::warn, "chess: game ", id, " is owned by another node now");
            me.svc.forget(id);
        }
        me.arm();
        me.reannounce(ids);
    });
    h.reannounce = with([](impl& me, std::vector<std::string> const& ids) { me.reannounce(ids); });
    h.own_lobby = [weak] {
        auto owner = weak.lock();
        return owner ? owner->impl_->own_lobby() : json::array();
    };
    h.lobby_changed = with([](impl& me) { me.lobby_to_local_sockets(); });
    link = std::make_unique<cluster_link>(ioc, nsp, std::move(opts), std::move(h));
    link->start();
}

std::vector<std::string> chess_server::impl::touched(batch const& b) {
    std::vector<std::string> ids = b.fx.deleted;
    for (auto const& c : b.fx.changes)
        ids.push_back(c.id);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

// The batch is stored only before the end of this node's lease on its games and before the
// deadline of every forwarded request in it.
std::int64_t chess_server::impl::store_by(batch const& b, std::int64_t lease_end) {
    return b.deadline == 0 ? lease_end : std::min(lease_end, b.deadline);
}

void chess_server::impl::fence_then_commit(std::shared_ptr<batch> const& b) {
    auto const ids = touched(*b);
    if (auto end = link->lease_end(ids); end > util::steady_ms())
        return commit(b, store_by(*b, end));
    auto weak = self;
    link->fence(ids, [weak, b](cluster_link::fence_outcome o, std::vector<std::string> lost) {
        auto locked = weak.lock();
        if (!locked) return;
        auto& me = *locked->impl_;
        if (o != cluster_link::fence_outcome::held) return me.fenced(*b, lost);
        me.commit(b, store_by(*b, me.link->lease_end(touched(*b))));
    });
}

void chess_server::impl::stored(std::shared_ptr<batch> const& b, store::result<void> const& r) {
    if (!r || !link || link->lease_end(touched(*b)) > util::steady_ms()) return committed(*b, r);
    // Frozen while the store worked: what it stored is not sent unless the claims still hold
    // (a new owner's next save replaces it: it stored v + 1 on restoring).
    auto weak = self;
    link->fence(touched(*b),
                [weak, b](cluster_link::fence_outcome o, std::vector<std::string> lost) {
                    auto locked = weak.lock();
                    if (!locked) return;
                    auto& me = *locked->impl_;
                    if (o != cluster_link::fence_outcome::held) return me.fenced(*b, lost);
                    me.committed(*b, {});
                });
}

void chess_server::impl::fenced(batch& b, std::vector<std::string> const& lost) {
    committed(b, store::failure{{},
                                lost.empty() ? "Redis cannot confirm this node's claims"
                                             : "another node owns the game now"});
    for (auto const& id : lost) {
        util::log(log_level::warn, "chess: game ", id, " is owned by another node now");
        svc.forget(id);
    }
    if (!lost.empty()) arm();
    reannounce(lost);
}

void chess_server::impl::join_room(conn_id const& conn, std::string const& id) {
    if (auto s = live_socket(conn)) return s->join(room(id));
    // A socket of another node: the adapter's sockets_join reaches it there, in order with the
    // room's events that follow.
    if (is_remote(conn)) nsp.to(conn).sockets_join(room(id));
}

void chess_server::impl::emit_to(conn_id const& conn, std::string_view event, json args) {
    if (auto s = live_socket(conn)) return s->emit_args(event, std::move(args));
    if (is_remote(conn)) nsp.to(conn).emit_args(event, std::move(args));
}

json chess_server::impl::own_lobby() const {
    return to_json(lobby_event{lobby_sent})["games"];
}

void chess_server::impl::lobby_to_local_sockets() {
    nsp.local().emit_args(wire::lobby, json::array({json{{"games", link->lobby(own_lobby())}}}));
}

void chess_server::impl::lobby_out() {
    if (!link) {
        nsp.emit_args(wire::lobby, json::array({to_json(lobby_event{lobby_sent})}));
        return;
    }
    link->own_lobby_changed(own_lobby());
    lobby_to_local_sockets();
}

} // namespace kibitz::chess_app
