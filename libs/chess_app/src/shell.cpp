#include <kibitz/chess_app/shell.hpp>
#include <kibitz/chess_app/wire.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/store/worker.hpp>
#include <kibitz/util/clock.hpp>
#include <kibitz/util/log.hpp>

#include <future>

namespace kibitz::chess_app {

namespace asio = net::asio;
using util::log_level;

struct chess_server::impl {
    impl(asio::io_context& ioc, socketio::nsp& n, store::worker& w, service_options opts)
        : nsp(n), store(w), timer(ioc), svc(std::move(opts)) {}

    socketio::nsp& nsp;
    store::worker& store;
    asio::steady_timer timer;
    service svc;
    std::weak_ptr<chess_server> self;

    static std::string room(std::string const& id) { return "game:" + id; }

    socketio::socket_ptr live_socket(conn_id const& conn) const {
        auto s = nsp.socket_by_id(conn);
        return s && s->connected() ? s : nullptr;
    }

    // Runs `then` once the service knows game `id`, loading it from the store if need be.
    void with_game(std::string const& id, std::function<void()> then) {
        if (svc.knows(id)) return then();
        auto weak = self;
        store.run([id](store::database& db) { return db.load_game(id); },
                  [weak, then](store::result<std::optional<store::game_record>> r) {
                      auto owner = weak.lock();
                      if (!owner) return;
                      auto& me = *owner->impl_;
                      if (!r) util::log(log_level::error, "chess: load: ", r.error().message);
                      if (r && r.value()) {
                          effects fx;
                          me.svc.restore(*r.value(), util::unix_ms(), fx);
                          me.apply(fx, nullptr);
                      }
                      then();
                  });
    }

    void on_message(conn_id const& conn, client_message msg, socketio::ack_callback ack) {
        auto handle = [this, conn, msg, ack] {
            // The socket may have gone while its game was being loaded.
            if (!live_socket(conn)) return;
            effects fx;
            json reply = svc.handle(conn, msg, util::unix_ms(), fx);
            apply(fx, ack ? [ack, reply] { ack(json::array({reply})); } : std::function<void()>{});
        };
        if (auto id = game_of(msg)) return with_game(*id, handle);
        handle();
    }

    // Carries out the effects in the order effects' contract gives, then acks: at once when
    // nothing changed, else once the last change is saved (a durable ok).
    void apply(effects& fx, std::function<void()> ack) {
        for (auto const& [conn, id] : fx.subscribe)
            if (auto s = live_socket(conn)) s->join(room(id));
        for (auto& change : fx.changes) {
            nsp.to(room(change.id)).emit(wire::game, json::array({to_json(change.game)}));
            save(std::move(change.record));
        }
        for (auto const& [conn, id] : fx.rematches)
            if (auto s = live_socket(conn))
                s->emit(wire::rematch, json::array({to_json(rematch_event{id})}));
        if (fx.lobby)
            nsp.emit(wire::lobby, json::array({to_json(lobby_event{std::move(*fx.lobby)})}));
        if (ack) {
            if (fx.changes.empty() || !store.run([](store::database&) {}, ack)) ack();
        }
        arm();
    }

    void save(store::game_record rec) {
        store.run([rec = std::move(rec)](store::database& db) { return db.save_game(rec); },
                  [](store::result<bool> r) {
                      if (!r) util::log(log_level::error, "chess: save: ", r.error().message);
                  });
    }

    // One timer at the service's next wake-up.
    void arm() {
        auto next = svc.next_wakeup();
        if (!next) {
            timer.cancel();
            return;
        }
        auto wait = std::max<std::int64_t>(0, *next - util::unix_ms());
        timer.expires_after(std::chrono::milliseconds(wait));
        auto weak = self;
        timer.async_wait([weak](net::error_code ec) {
            auto owner = weak.lock();
            if (ec || !owner) return;
            auto& me = *owner->impl_;
            effects fx;
            me.svc.tick(util::unix_ms(), fx);
            me.apply(fx, nullptr);
        });
    }

    void on_connection(socketio::socket_ptr s);
};

void chess_server::impl::on_connection(socketio::socket_ptr s) {
    s->emit(wire::lobby, json::array({to_json(lobby_event{svc.lobby()})}));
    auto weak = self;
    for (auto event : {wire::create, wire::join, wire::move, wire::resign, wire::draw, wire::abort,
                       wire::claim, wire::rematch, wire::pgn}) {
        s->on(std::string(event),
              [weak, event](socketio::socket& sock, json& args, socketio::ack_callback ack) {
                  auto owner = weak.lock();
                  if (!owner) return;
                  json const& payload = args.is_array() && !args.empty() ? args[0] : json();
                  auto msg = parse(event, payload);
                  if (!msg) {
                      if (ack)
                          ack(json::array({error_ack(wire::bad_request, "malformed payload")}));
                      return;
                  }
                  owner->impl_->on_message(sock.id(), std::move(*msg), std::move(ack));
              });
    }
    s->on_disconnect([weak](socketio::socket& sock, std::string_view) {
        auto owner = weak.lock();
        if (!owner) return;
        effects fx;
        owner->impl_->svc.disconnect(sock.id(), util::unix_ms(), fx);
        owner->impl_->apply(fx, nullptr);
    });
}

chess_server::chess_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

chess_server::~chess_server() {
    impl_->timer.cancel();
}

std::shared_ptr<chess_server> chess_server::install(asio::io_context& ioc, socketio::server& io,
                                                    store::worker& store, service_options opts) {
    auto p = std::make_unique<impl>(ioc, io.of(std::string(wire::nsp)), store, std::move(opts));
    std::shared_ptr<chess_server> self(new chess_server(std::move(p)));
    auto& me = *self->impl_;
    me.self = self;

    // Start-up read: wait for the worker here, before the loop runs.
    auto loaded = std::make_shared<std::promise<store::result<std::vector<store::game_record>>>>();
    auto future = loaded->get_future();
    if (store.run([loaded](store::database& db) { loaded->set_value(db.load_active_games()); },
                  [] {})) {
        auto games = future.get();
        if (!games) throw std::runtime_error("chess: cannot load games: " + games.error().message);
        effects fx;
        std::int64_t const now = util::unix_ms();
        for (auto const& rec : games.value())
            if (!me.svc.restore(rec, now, fx))
                util::log(log_level::warn, "chess: cannot restore game ", rec.id);
        for (auto& change : fx.changes)
            me.save(std::move(change.record));
        me.arm();
    }

    std::weak_ptr<chess_server> weak = self;
    me.nsp.on_connection([weak](socketio::socket_ptr s) {
        if (auto owner = weak.lock()) owner->impl_->on_connection(std::move(s));
    });
    return self;
}

void chess_server::pgn(std::string const& id,
                       std::function<void(std::optional<std::string>)> done) {
    auto weak = weak_from_this();
    impl_->with_game(id, [weak, id, done] {
        auto owner = weak.lock();
        done(owner ? owner->impl_->svc.pgn(id) : std::nullopt);
    });
}

} // namespace kibitz::chess_app
