#pragma once

// The chess shell's state (shell.cpp, shell_cluster.cpp): private to kibitz::chess_app.
#include "cluster_link.hpp"

#include <kibitz/chess_app/shell.hpp>
#include <kibitz/chess_app/wire.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/store/worker.hpp>

#include <deque>
#include <memory>

namespace kibitz::chess_app {

namespace asio = net::asio;

inline json unavailable_ack() {
    return error_ack(wire::unavailable, "the game server cannot store changes now; try again");
}

inline void answer(socketio::ack_callback const& ack, json reply) {
    if (ack) ack(json::array({std::move(reply)}));
}

struct chess_server::impl {
    impl(asio::io_context& ioc, socketio::nsp& n, store::worker& w, service_options opts,
         shell_options sh)
        : nsp(n), store(w), timer(ioc), svc(std::move(opts)), shell(sh), rates(sh.rates) {}

    // One request (or a socket's disconnect) waiting for its batch.
    struct item {
        bool disconnect = false;
        conn_id conn;
        std::optional<client_message> msg;
        socketio::ack_callback ack;
        std::optional<store::game_record> loaded; // the stored game the message is about
        // A request forwarded by another node: nothing it changes is stored from this steady
        // time on (its sender has answered `unavailable` by then); 0 for this node's own.
        std::int64_t deadline = 0;
    };
    // A handled request's answer: `depends` when it changed something or came after a change
    // of its batch, so that it stands only if the batch is committed.
    struct reply {
        socketio::ack_callback ack;
        json payload;
        bool depends = false;
    };
    struct batch {
        effects fx;
        std::vector<reply> replies;
        std::vector<conn_id> disconnects;
        std::int64_t deadline = 0; // the earliest of its forwarded requests' deadlines, or 0
        std::vector<std::string> restored; // games taken back from the store (a cluster: who?)
    };

    socketio::nsp& nsp;
    store::worker& store;
    asio::steady_timer timer;
    service svc;
    shell_options shell;
    rate_limits rates;
    std::weak_ptr<chess_server> self;
    std::deque<item> queue;
    std::size_t loading = 0;
    std::size_t http_reads = 0; // HTTP PGN reads in flight (shell.max_http_reads)
    bool in_flight = false;
    bool pump_posted = false;
    bool tick_wanted = false;
    std::int64_t hold_timer_until = 0;
    std::int64_t failure_logged_ms = 0;
    std::size_t failed_batches = 0;
    std::vector<lobby_entry> lobby_sent;
    // In a cluster (shell_options::cluster): the link to the other nodes.
    std::unique_ptr<cluster_link> link;

    static std::string room(std::string const& id) { return "game:" + id; }

    socketio::socket_ptr live_socket(conn_id const& conn) const {
        auto s = nsp.socket_by_id(conn);
        return s && s->connected() ? s : nullptr;
    }

    template<class F>
    void post(F f) {
        auto weak = self;
        asio::post(timer.get_executor(), [weak, f]() mutable {
            if (auto owner = weak.lock()) f(*owner->impl_);
        });
    }

    void on_event(conn_id const& conn, std::string_view event, json const& payload,
                  socketio::ack_callback ack);
    void load_then_enqueue(item it, std::string const& id);
    void enqueue(item it);
    void post_pump();
    void pump();
    void commit(std::shared_ptr<batch> const& b, std::int64_t lease_end);
    // The store answered: in a cluster, the lease is checked again before anything is sent.
    void stored(std::shared_ptr<batch> const& b, store::result<void> const& r);
    void committed(batch& b, store::result<void> const& r);
    void send(batch& b);
    void send_pgn(std::string const& id, std::function<void(std::optional<pgn_answer>)> done);
    void send_http_pgn(std::string const& id, std::function<void(std::optional<pgn_answer>)> done);
    static std::function<void(store::result<std::optional<store::game_record>>)>
    pgn_loaded(std::weak_ptr<chess_server> weak, std::size_t impl::*counter,
               std::function<void(std::optional<pgn_answer>)> done);
    void arm();
    void on_connection(socketio::socket_ptr s);
    void restore_at_start(std::vector<store::game_record> games, std::size_t cap);

    // Cluster (shell_cluster.cpp). A request of a local socket for a game not in memory: to
    // the owner, or loaded here when this node is (or becomes) the owner.
    void route(item it, std::string const& id, std::string_view event, json const& payload);
    // A request another node forwarded: handled as a local one; a game not in memory here is
    // loaded only when this node owns it (else `unavailable`: the sender asks again).
    // Nothing it changes is stored from `deadline` (steady ms) on.
    void on_remote_event(conn_id const& conn, std::string const& event, json const& payload,
                         socketio::ack_callback ack, std::int64_t deadline);
    void start_cluster(asio::io_context& ioc, chess_cluster_options opts);
    // Who is in a game (docs/cluster.md "Who is in a game"). A local socket's join or create
    // whose ack says it is in: remembered, so that it can join again by itself.
    socketio::ack_callback remembering(conn_id const& conn, client_message const& msg,
                                       socketio::ack_callback ack);
    // Inside a batch, right after game `id` came back from the store: this node's sockets that
    // were in it are in it again before anything else of the batch is handled.
    void reseat_local(std::string const& id, std::int64_t now, effects& fx);
    // This node's sockets in games `ids` that it does not hold join them again, through their
    // owner (an owner asked, or this node let the games go).
    void reannounce(std::vector<std::string> const& ids);
    // Fencing (docs/cluster.md "A frozen owner"): a batch's changes are stored and sent only
    // while this node's lease on their games lasts, else once Redis confirmed the claims.
    void fence_then_commit(std::shared_ptr<batch> const& b);
    static std::int64_t store_by(batch const& b, std::int64_t lease_end);
    // The claims could not be confirmed (`lost` empty: Redis did not answer) or are another
    // node's: the batch is rolled back (its requests answered `unavailable`), lost games go.
    void fenced(batch& b, std::vector<std::string> const& lost);
    static std::vector<std::string> touched(batch const& b);
    bool is_remote(conn_id const& conn) const { return link && link->remote(conn); }
    // Puts `conn` into the room of game `id` / sends it an event, on whichever node it is.
    void join_room(conn_id const& conn, std::string const& id);
    void emit_to(conn_id const& conn, std::string_view event, json args);
    // The lobby went from `before` to lobby_sent: to this node's sockets (the cluster's lobby
    // in a cluster, and the peers are told).
    void lobby_out();
    json own_lobby() const;
    void lobby_to_local_sockets();
};

} // namespace kibitz::chess_app
