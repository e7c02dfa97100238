#include "shell_impl.hpp"

#include <kibitz/chess_app/shell.hpp>
#include <kibitz/chess_app/wire.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/store/worker.hpp>
#include <kibitz/util/clock.hpp>
#include <kibitz/util/json_fields.hpp>
#include <kibitz/util/log.hpp>

#include <deque>
#include <future>
#include <map>

namespace kibitz::chess_app {

using util::log_level;

namespace {

json rate_limited_ack(std::int64_t retry_after_ms) {
    json reply = error_ack(wire::rate_limited, "too many requests; slow down");
    reply["error"]["retry_after_ms"] = retry_after_ms;
    return reply;
}

// Points a message at game `id` (the current id of a game named by an old one).
void set_game(client_message& m, std::string const& id) {
    std::visit(
        [&id](auto& r) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(r)>, create_request>) r.game = id;
        },
        m);
}

// The last row of each game changed in a batch: one save per game per transaction.
std::vector<store::game_record> last_rows(std::vector<game_change> const& changes) {
    std::map<std::string, std::size_t> last;
    for (std::size_t i = 0; i < changes.size(); ++i)
        last[changes[i].id] = i;
    std::vector<store::game_record> rows;
    for (auto const& [id, i] : last)
        rows.push_back(changes[i].record);
    return rows;
}

} // namespace

namespace {
// Why a payload did not parse, for people: the name's problem when the name is it.
std::string refusal_text(json const& payload) {
    std::string name;
    if (util::string_field(payload, "name", name) == util::field_state::ok) {
        auto problem = name_problem(name);
        if (!problem.empty()) return std::string(problem);
    }
    return "malformed payload";
}
} // namespace

void chess_server::impl::on_event(conn_id const& conn, std::string_view event, json const& payload,
                                  socketio::ack_callback ack) {
    if (auto wait = rates.take(conn, event, util::steady_ms()))
        return answer(ack, rate_limited_ack(*wait));
    auto msg = parse(event, payload);
    if (!msg) return answer(ack, error_ack(wire::bad_request, refusal_text(payload)));
    if (queue.size() + loading >= shell.max_queued) return answer(ack, unavailable_ack());
    auto id = game_of(*msg);
    if (std::holds_alternative<pgn_request>(*msg)) {
        return send_pgn(*id, [ack](std::optional<pgn_answer> a) {
            if (!a) return answer(ack, error_ack(wire::not_found, "no such game"));
            if (a->unavailable) return answer(ack, unavailable_ack());
            answer(ack, ok_ack({{"pgn", a->text}}));
        });
    }
    if (link) ack = remembering(conn, *msg, std::move(ack));
    item it{false, conn, std::move(msg), std::move(ack), std::nullopt, 0};
    if (id && !svc.knows(*id) && link) return route(std::move(it), *id, event, payload);
    if (id && !svc.knows(*id)) return load_then_enqueue(std::move(it), *id);
    enqueue(std::move(it));
}

// A game the service does not know may be in the store (ended, idle, or named by its old id).
void chess_server::impl::load_then_enqueue(item it, std::string const& id) {
    auto weak = self;
    auto ack = it.ack;
    auto on_loaded = [weak, it](store::result<std::optional<store::game_record>> r) mutable {
        auto owner = weak.lock();
        if (!owner) return;
        auto& me = *owner->impl_;
        --me.loading;
        if (!r) {
            util::log(log_level::error, "chess: loading a game: ", r.error().message);
            return answer(it.ack, unavailable_ack());
        }
        if (r.value()) {
            set_game(*it.msg, r.value()->id);
            it.loaded = std::move(r.value());
        }
        me.enqueue(std::move(it));
    };
    ++loading;
    if (!store.run([id](store::database& db) { return db.load_game(id); }, on_loaded)) {
        --loading;
        answer(ack, unavailable_ack());
    }
}

void chess_server::impl::enqueue(item it) {
    queue.push_back(std::move(it));
    post_pump();
}

void chess_server::impl::post_pump() {
    if (pump_posted) return;
    pump_posted = true;
    post([](impl& me) {
        me.pump_posted = false;
        me.pump();
    });
}

// Handles what is queued as one batch and stores its changes in one transaction.
void chess_server::impl::pump() {
    if (in_flight || (queue.empty() && !tick_wanted)) return;
    tick_wanted = false;
    auto b = std::make_shared<batch>();
    effects& fx = b->fx;
    auto changed = [&fx] { return !fx.changes.empty() || !fx.deleted.empty(); };
    std::int64_t const now = util::steady_ms();
    svc.begin();
    svc.tick(now, fx);
    for (std::size_t n = 0; n < shell.max_batch && !queue.empty(); ++n) {
        item it = std::move(queue.front());
        queue.pop_front();
        if (it.disconnect) {
            svc.disconnect(it.conn, now, fx);
            b->disconnects.push_back(it.conn);
            continue;
        }
        // The socket may have gone while its game was being loaded.
        if (!live_socket(it.conn) && !is_remote(it.conn)) continue;
        if (it.loaded && svc.restore(*it.loaded, now, fx) && link) {
            reseat_local(it.loaded->id, now, fx);
            b->restored.push_back(it.loaded->id);
        }
        if (it.deadline != 0 && it.deadline <= now) {
            answer(it.ack, unavailable_ack()); // its sender has given up on it
            continue;
        }
        json payload = svc.handle(it.conn, *it.msg, now, fx);
        if (it.deadline != 0 && changed())
            b->deadline = b->deadline == 0 ? it.deadline : std::min(b->deadline, it.deadline);
        b->replies.push_back({std::move(it.ack), std::move(payload), changed()});
    }
    if (!changed()) return committed(*b, {});
    in_flight = true;
    if (link) return fence_then_commit(b);
    commit(b, 0);
}

// Stores a batch's changes in one transaction. With `lease_end` (a cluster: the end of this
// node's lease on the batch's games, steady ms) nothing is written once it passed, e.g. after
// the process was frozen between the check and the write.
void chess_server::impl::commit(std::shared_ptr<batch> const& b, std::int64_t lease_end) {
    auto rows = last_rows(b->fx.changes);
    auto weak = self;
    bool const queued = store.run(
        [rows = std::move(rows), deleted = b->fx.deleted,
         lease_end](store::database& db) -> store::result<void> {
            if (lease_end != 0 && util::steady_ms() >= lease_end)
                return store::failure{{}, "this node's claim on the game expired"};
            return db.save_games(rows, deleted);
        },
        [weak, b](store::result<void> r) {
            if (auto owner = weak.lock()) owner->impl_->stored(b, r);
        });
    if (!queued) committed(*b, store::failure{{}, "the store is stopping"});
}

void chess_server::impl::committed(batch& b, store::result<void> const& r) {
    in_flight = false;
    if (r) {
        svc.commit();
        send(b);
        // The other nodes' sockets that were in the games taken back join them again.
        if (link) link->ask_who(b.restored);
        for (auto& x : b.replies)
            answer(x.ack, std::move(x.payload));
    } else {
        // At most one line a second, however fast the failures come.
        std::int64_t const now = util::steady_ms();
        ++failed_batches;
        if (now - failure_logged_ms >= 1000) {
            util::log(log_level::error, "chess: cannot store changes (", failed_batches,
                      " batches rolled back and answered unavailable): ", r.error().message);
            failure_logged_ms = now;
            failed_batches = 0;
        }
        svc.rollback();
        // The sockets are gone all the same: their disconnects go into the next batch.
        for (auto it = b.disconnects.rbegin(); it != b.disconnects.rend(); ++it)
            queue.push_front(item{true, *it, std::nullopt, nullptr, std::nullopt, 0});
        hold_timer_until = now + shell.retry_ms;
        for (auto& x : b.replies)
            answer(x.ack, x.depends ? unavailable_ack() : std::move(x.payload));
    }
    if (!queue.empty() || tick_wanted) post_pump();
    arm();
}

// The committed batch's events, in effects' order; one lobby at most, and only if it changed.
void chess_server::impl::send(batch& b) {
    effects& fx = b.fx;
    for (auto const& [conn, id] : fx.subscribe)
        join_room(conn, id);
    std::vector<std::string> created;
    for (auto const& change : fx.changes) {
        if (change.game.v == 1) created.push_back(change.id);
        nsp.to(room(change.id)).emit_args(wire::game, json::array({to_json(change.game)}));
    }
    if (link && !created.empty()) link->claim(created);
    for (auto const& [conn, id] : fx.rematches)
        emit_to(conn, wire::rematch, json::array({to_json(rematch_event{id})}));
    if (fx.lobby && *fx.lobby != lobby_sent) {
        lobby_sent = std::move(*fx.lobby);
        lobby_out();
    }
}

// What a PGN read from the store answers: the game's PGN, nullopt for no such game, unavailable
// when the store failed. It gives back the place it took in `counter` (a member of impl).
std::function<void(store::result<std::optional<store::game_record>>)>
chess_server::impl::pgn_loaded(std::weak_ptr<chess_server> weak, std::size_t impl::*counter,
                               std::function<void(std::optional<pgn_answer>)> done) {
    return [weak, counter, done](store::result<std::optional<store::game_record>> r) {
        auto owner = weak.lock();
        if (owner) --(owner->impl_.get()->*counter);
        if (!owner || !r) return done(pgn_answer{{}, {}, true});
        if (!r.value()) return done(std::nullopt);
        auto text = owner->impl_->svc.pgn_of(*r.value());
        done(text ? std::optional(pgn_answer{r.value()->id, *text}) : std::nullopt);
    };
}

// Committed state only: from memory when no batch is being stored, else from the store.
void chess_server::impl::send_pgn(std::string const& id,
                                  std::function<void(std::optional<pgn_answer>)> done) {
    if (svc.knows(id) && !in_flight) {
        auto text = svc.pgn(id);
        return done(text ? std::optional(pgn_answer{id, *text}) : std::nullopt);
    }
    // Reads for PGNs of games not in memory are bounded too.
    if (loading >= shell.max_queued) return done(pgn_answer{{}, {}, true});
    auto on_loaded = pgn_loaded(self, &impl::loading, done);
    ++loading;
    if (!store.run([id](store::database& db) { return db.load_game(id); }, on_loaded)) {
        --loading;
        done(pgn_answer{{}, {}, true});
    }
}

// For HTTP: as send_pgn, from memory when it can; store reads run in a lane of their own,
// at most shell.max_http_reads at once, and never count against the /chess request queue.
void chess_server::impl::send_http_pgn(std::string const& id,
                                       std::function<void(std::optional<pgn_answer>)> done) {
    if (svc.knows(id) && !in_flight) return send_pgn(id, std::move(done));
    if (http_reads >= shell.max_http_reads) return done(pgn_answer{{}, {}, true});
    auto on_loaded = pgn_loaded(self, &impl::http_reads, done);
    ++http_reads;
    auto status = store.submit(
        "chess:http", [id](store::database& db) { return db.load_game(id); }, on_loaded);
    if (status != store::submit_status::queued) {
        --http_reads;
        done(pgn_answer{{}, {}, true});
    }
}

// One timer at the service's next wake-up (not before hold_timer_until after a failure).
void chess_server::impl::arm() {
    auto next = svc.next_wakeup();
    if (!next) {
        timer.cancel();
        return;
    }
    std::int64_t const now = util::steady_ms();
    auto wait = std::max<std::int64_t>({0, *next - now, hold_timer_until - now});
    timer.expires_after(std::chrono::milliseconds(wait));
    auto weak = self;
    timer.async_wait([weak](net::error_code ec) {
        auto owner = weak.lock();
        if (ec || !owner) return;
        owner->impl_->tick_wanted = true;
        owner->impl_->post_pump();
    });
}

void chess_server::impl::on_connection(socketio::socket_ptr s) {
    json own = own_lobby();
    s->emit_args(wire::lobby, json::array({json{{"games", link ? link->lobby(own) : own}}}));
    auto weak = self;
    for (auto event : {wire::create, wire::join, wire::move, wire::resign, wire::draw, wire::abort,
                       wire::claim, wire::rematch, wire::pgn, wire::takeback}) {
        s->on(std::string(event),
              [weak, event](socketio::socket& sock, json& args, socketio::ack_callback ack) {
                  auto owner = weak.lock();
                  if (!owner) return;
                  json const& payload = args.is_array() && !args.empty() ? args[0] : json();
                  owner->impl_->on_event(sock.id(), event, payload, std::move(ack));
              });
    }
    s->on_disconnect([weak](socketio::socket& sock, std::string_view) {
        auto owner = weak.lock();
        if (!owner) return;
        owner->impl_->rates.forget(sock.id());
        if (owner->impl_->link) owner->impl_->link->local_gone(sock.id());
        owner->impl_->enqueue(item{true, sock.id(), std::nullopt, nullptr, std::nullopt, 0});
    });
}

// The games in progress come back (the newest max_games of them; the others stay in the store
// and come back on `join`); their restore changes are stored before the server listens.
void chess_server::impl::restore_at_start(std::vector<store::game_record> games, std::size_t cap) {
    if (cap != 0 && games.size() > cap)
        games.erase(games.begin(), games.end() - static_cast<std::ptrdiff_t>(cap));
    effects fx;
    std::int64_t const now = util::steady_ms();
    for (auto const& rec : games)
        if (!svc.restore(rec, now, fx)) util::log(log_level::warn, "chess: cannot restore a game");
    auto rows = last_rows(fx.changes);
    std::promise<store::result<void>> saved;
    auto future = saved.get_future();
    if (!store.run(
            [&rows, &saved](store::database& db) { saved.set_value(db.save_games(rows, {})); },
            [] {}))
        throw std::runtime_error("chess: the store is stopping");
    if (auto r = future.get(); !r)
        throw std::runtime_error("chess: cannot store the restored games: " + r.error().message);
    lobby_sent = svc.lobby();
    arm();
}

chess_server::chess_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

chess_server::~chess_server() {
    impl_->timer.cancel();
}

std::shared_ptr<chess_server> chess_server::install(asio::io_context& ioc, socketio::server& io,
                                                    store::worker& store, service_options opts,
                                                    shell_options shell) {
    std::size_t const cap = opts.max_games;
    if (shell.cluster && opts.max_games_per_conn != 0)
        shell.cluster->max_joins_per_socket = opts.max_games_per_conn;
    // The service runs on steady time; what it stores is dated in Unix time, read when it is
    // stored (a step of the wall clock moves only those dates).
    if (!opts.unix_ms_at)
        opts.unix_ms_at = [](std::int64_t t) { return util::unix_ms() - (util::steady_ms() - t); };
    socketio::nsp& n = io.of(std::string(wire::nsp));
    // Lag compensation and Game.lag read each socket's heartbeat round trip.
    // In a cluster, a socket of another node as that node described it.
    auto remote = std::make_shared<cluster_link const*>(nullptr);
    if (!opts.rtt_ms)
        opts.rtt_ms = [&n, remote](conn_id const& conn) -> std::optional<std::int64_t> {
            if (auto s = n.socket_by_id(conn)) return s->rtt_ms();
            auto const* r = *remote ? (*remote)->remote(conn) : nullptr;
            return r ? r->rtt_ms : std::nullopt;
        };
    // The cap on waiting games per address reads each socket's remote address.
    if (!opts.address_of)
        opts.address_of = [&n, remote](conn_id const& conn) -> std::string {
            if (auto s = n.socket_by_id(conn)) return s->handshake().address;
            auto const* r = *remote ? (*remote)->remote(conn) : nullptr;
            return r ? r->address : std::string();
        };
    auto p = std::make_unique<impl>(ioc, n, store, std::move(opts), shell);
    std::shared_ptr<chess_server> self(new chess_server(std::move(p)));
    auto& me = *self->impl_;
    me.self = self;

    // Start-up: tokens stored before they were hashed are hashed, then the games in progress
    // are read. Synchronous: wait for the worker here, before the loop runs.
    using loaded_t = store::result<std::vector<store::game_record>>;
    std::promise<loaded_t> loaded;
    auto future = loaded.get_future();
    if (!store.run(
            [&loaded, cap](store::database& db) {
                auto hashed =
                    db.rehash_game_tokens([](std::string_view t) { return hash_token(t); });
                if (!hashed) return loaded.set_value(loaded_t(hashed.error()));
                // Only as many as memory may hold; the others come back on `join`.
                loaded.set_value(cap == 0 ? db.load_active_games() : db.load_active_games(cap));
            },
            [] {}))
        throw std::runtime_error("chess: the store is stopping");
    auto games = future.get();
    if (!games) throw std::runtime_error("chess: cannot load games: " + games.error().message);
    // In a cluster a game comes back on the node that asks for it first once its owner is gone
    // (its claim expired), not on every node that starts.
    if (shell.cluster) games.value().clear();
    me.restore_at_start(std::move(games).value(), cap);
    if (shell.cluster) {
        me.start_cluster(ioc, *shell.cluster);
        *remote = me.link.get();
    }

    std::weak_ptr<chess_server> weak = self;
    me.nsp.on_connection([weak](socketio::socket_ptr s) {
        if (auto owner = weak.lock()) owner->impl_->on_connection(std::move(s));
    });
    return self;
}

chess_app::counters chess_server::counters() const {
    return impl_->svc.counters();
}

void chess_server::pgn(std::string const& id, std::function<void(std::optional<pgn_answer>)> done) {
    impl_->send_http_pgn(id, std::move(done));
}

void chess_server::finished_games(
    std::optional<store::game_cursor> before, std::size_t limit,
    std::function<void(std::optional<std::vector<store::game_record>>)> done) {
    auto& me = *impl_;
    if (me.http_reads >= me.shell.max_http_reads) return done(std::nullopt);
    ++me.http_reads;
    std::weak_ptr<chess_server> weak = me.self;
    auto on_read = [weak, done](store::result<std::vector<store::game_record>> r) {
        auto owner = weak.lock();
        if (owner) --owner->impl_->http_reads;
        if (!r) util::log(log_level::error, "chess: listing games: ", r.error().message);
        done(r ? std::optional(std::move(r.value())) : std::nullopt);
    };
    auto status = me.store.submit(
        "chess:http",
        [before = std::move(before), limit](store::database& db) {
            return db.finished_games(before, limit);
        },
        on_read);
    if (status != store::submit_status::queued) {
        --me.http_reads;
        done(std::nullopt);
    }
}

} // namespace kibitz::chess_app
