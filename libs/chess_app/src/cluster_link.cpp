#include "cluster_link.hpp"

#include <kibitz/redis/connection.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/util/clock.hpp>
#include <kibitz/util/log.hpp>

#include <algorithm>
#include <unordered_set>

namespace kibitz::chess_app {
namespace {

constexpr char const* peer_event = "kibitz:chess";

// KEYS: the game's owner key. ARGV: this node, ttl ms. The holder, claimed for us when free
// (and written back when ours).
constexpr char const* owner_script = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if cur then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
)lua";

// KEYS: owner keys of games held here. ARGV: this node, ttl ms. Writes back the ones that are
// ours or free; returns the (1-based) numbers of those another node holds.
constexpr char const* refresh_script = R"lua(
local lost = {}
for i, k in ipairs(KEYS) do
  local cur = redis.call('GET', k)
  if cur and cur ~= ARGV[1] then lost[#lost + 1] = i
  else redis.call('SET', k, ARGV[1], 'PX', ARGV[2]) end
end
return lost
)lua";

constexpr std::size_t refresh_batch = 500;
constexpr std::chrono::milliseconds unknown_delay{250};

std::set<std::string> string_set(json const& j) {
    std::set<std::string> out;
    if (!j.is_array()) return out;
    for (auto const& e : j)
        if (e.is_string()) out.insert(e.get<std::string>());
    return out;
}

std::string string_of(json const& j, char const* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

cluster_link::cluster_link(net::asio::io_context& ioc, socketio::nsp& nsp,
                           chess_cluster_options opts, hooks h)
    : nsp_(nsp), opts_(std::move(opts)), hooks_(std::move(h)),
      state_(opts_.ttl_ms, 500, opts_.max_joins_per_socket), timer_(ioc), forward_timer_(ioc) {
    redis::connection_options o;
    o.url = opts_.url;
    redis_ = std::make_unique<redis::connection>(ioc, std::move(o));
}

cluster_link::~cluster_link() {
    *alive_ = false;
    timer_.cancel();
    forward_timer_.cancel();
    redis_->close();
}

std::string cluster_link::owner_key(std::string const& id) const {
    return opts_.prefix + ":kibitz:chess:owner:" + id;
}

void cluster_link::start() {
    std::weak_ptr<bool> alive = alive_;
    nsp_.on_server_side(peer_event, [this, alive](json& args, socketio::ack_callback ack) {
        if (alive.lock()) on_peer(args, std::move(ack));
    });
    redis_->on_state([this, alive](bool up) {
        // After a reconnect (Redis may be empty) the games held here are claimed again at once.
        if (up && alive.lock()) refresh_owned();
    });
    redis_->start();
    beat();
}

void cluster_link::owner_of(std::string const& id,
                            std::function<void(bool ok, std::string owner)> done) {
    std::int64_t const sent = util::steady_ms();
    std::weak_ptr<bool> alive = alive_;
    redis_->send(
        {"EVAL", owner_script, "1", owner_key(id), opts_.node, std::to_string(opts_.ttl_ms)},
        [this, alive, id, sent, done = std::move(done)](std::error_code ec, redis::value reply) {
            if (ec || !reply.is_string()) return done(false, {});
            if (alive.lock() && reply.text == opts_.node) leased(id, sent);
            done(true, reply.text);
        });
}

void cluster_link::claim(std::vector<std::string> const& ids) {
    std::int64_t const sent = util::steady_ms();
    std::weak_ptr<bool> alive = alive_;
    for (auto const& id : ids)
        redis_->send({"SET", owner_key(id), opts_.node, "NX", "PX", std::to_string(opts_.ttl_ms)},
                     [this, alive, id, sent](std::error_code ec, redis::value r) {
                         if (!ec && r.is_string() && r.text == "OK" && alive.lock())
                             leased(id, sent);
                     });
}

void cluster_link::leased(std::string const& id, std::int64_t sent_ms) {
    auto& end = leases_[id];
    end = std::max(end, sent_ms + opts_.ttl_ms - opts_.ttl_ms / 6);
}

std::int64_t cluster_link::lease_end(std::vector<std::string> const& ids) const {
    std::int64_t end = 0;
    for (auto const& id : ids) {
        auto it = leases_.find(id);
        if (it == leases_.end()) return 0;
        end = end == 0 ? it->second : std::min(end, it->second);
    }
    return end;
}

void cluster_link::fence(std::vector<std::string> ids, fence_done done) {
    struct gather {
        std::size_t waiting = 0;
        fence_outcome outcome = fence_outcome::held;
        std::vector<std::string> lost;
        fence_done done;
    };
    auto g = std::make_shared<gather>();
    g->done = std::move(done);
    g->waiting = (ids.size() + refresh_batch - 1) / refresh_batch;
    if (g->waiting == 0) return g->done(fence_outcome::held, {});
    for (std::size_t at = 0; at < ids.size(); at += refresh_batch) {
        std::size_t const n = std::min(refresh_batch, ids.size() - at);
        std::vector<std::string> part(ids.begin() + static_cast<std::ptrdiff_t>(at),
                                      ids.begin() + static_cast<std::ptrdiff_t>(at + n));
        refresh(std::move(part), [this, g](fence_outcome o, std::vector<std::string> lost) {
            if (o == fence_outcome::unknown) g->outcome = o;
            if (o == fence_outcome::lost && g->outcome == fence_outcome::held) g->outcome = o;
            g->lost.insert(g->lost.end(), lost.begin(), lost.end());
            if (--g->waiting > 0) return;
            if (g->outcome != fence_outcome::unknown)
                return g->done(g->outcome, std::move(g->lost));
            // Redis down answers at once: the shell's retry (its disconnects go into the next
            // batch) must not spin, so an unanswered fence ends no sooner than unknown_delay.
            auto t = std::make_shared<net::asio::steady_timer>(timer_.get_executor());
            t->expires_after(unknown_delay);
            t->async_wait([t, g](net::error_code) { g->done(fence_outcome::unknown, {}); });
        });
    }
}

void cluster_link::refresh(std::vector<std::string> ids, fence_done done) {
    std::vector<std::string> args = {"EVAL", refresh_script, std::to_string(ids.size())};
    for (auto const& id : ids)
        args.push_back(owner_key(id));
    args.insert(args.end(), {opts_.node, std::to_string(opts_.ttl_ms)});
    std::int64_t const sent = util::steady_ms();
    std::weak_ptr<bool> alive = alive_;
    redis_->send(std::move(args), [this, alive, ids = std::move(ids), sent,
                                   done = std::move(done)](std::error_code ec, redis::value r) {
        if (!alive.lock()) return;
        if (ec || r.type != redis::type::array) return done(fence_outcome::unknown, {});
        std::vector<bool> ours(ids.size(), true);
        std::vector<std::string> lost;
        for (auto const& e : r.elements)
            if (e.integer >= 1 && static_cast<std::size_t>(e.integer) <= ids.size()) {
                ours[static_cast<std::size_t>(e.integer) - 1] = false;
                lost.push_back(ids[static_cast<std::size_t>(e.integer) - 1]);
            }
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (ours[i])
                leased(ids[i], sent);
            else
                leases_.erase(ids[i]);
        auto const outcome = lost.empty() ? fence_outcome::held : fence_outcome::lost;
        done(outcome, std::move(lost));
    });
}

void cluster_link::forward(std::string const& owner, std::string const& conn,
                           std::string const& event, json const& payload,
                           std::string const& address, std::optional<std::int64_t> rtt_ms,
                           std::function<void(std::optional<json>)> done) {
    // Redis down (nothing would arrive) or too many waiting: `unavailable` at once.
    if (!redis_->connected() || forwards_.size() >= opts_.max_forwards) {
        net::asio::post(timer_.get_executor(), [done = std::move(done)] { done(std::nullopt); });
        return;
    }
    auto id = std::to_string(++forward_ids_);
    // The owner stores nothing of it past `until` (wall-clock ms: the nodes' clocks agree to
    // well within a quarter of the timeout), so an owner that was frozen or slow never applies
    // a request this node has answered `unavailable`.
    auto const timeout = forward_timeout();
    json msg = {{"t", "req"},
                {"id", id},
                {"from", opts_.node},
                {"to", owner},
                {"conn", conn},
                {"event", event},
                {"payload", payload},
                {"address", address},
                {"until", util::unix_ms() + timeout - timeout / 4}};
    if (rtt_ms) msg["rtt"] = *rtt_ms;
    // Recorded before it is sent: every heartbeat sent after the request lists the socket, so
    // the owner never drops it for a beat that crossed its request; and if it leaves before
    // the answer, the owner is told after the request.
    state_.forwarded(conn, owner);
    forwards_[id] = waiting_forward{std::move(done), util::steady_ms() + timeout};
    // No ack of every node: the owner alone answers, with an `ans` (after the events of the
    // change, on the same connection), so a frozen or slow bystander delays nothing.
    nsp_.server_side_emit_args(peer_event, json::array({std::move(msg)}));
    if (!forwards_armed_) expire_forwards();
}

// An owner that died answers nothing, and its games cannot be taken over before its claims
// expire: waiting longer than the ttl gains nothing.
std::int64_t cluster_link::forward_timeout() const {
    return std::max<std::int64_t>(1, std::min(opts_.forward_timeout_ms, opts_.ttl_ms));
}

void cluster_link::answered(std::string const& id, json const& reply) {
    auto it = forwards_.find(id);
    if (it == forwards_.end() || !reply.is_object()) return; // late, or not ours
    auto done = std::move(it->second.done);
    forwards_.erase(it);
    done(reply);
}

// Every forward_timeout / 4 while forwards wait: the ones past their deadline end (nullopt).
void cluster_link::expire_forwards() {
    std::int64_t const now = util::steady_ms();
    std::vector<std::function<void(std::optional<json>)>> expired;
    std::erase_if(forwards_, [&](auto& e) {
        if (e.second.deadline_ms > now) return false;
        expired.push_back(std::move(e.second.done));
        return true;
    });
    forwards_armed_ = !forwards_.empty();
    if (forwards_armed_) {
        forward_timer_.expires_after(
            std::chrono::milliseconds(std::max<std::int64_t>(1, forward_timeout() / 4)));
        std::weak_ptr<bool> alive = alive_;
        forward_timer_.async_wait([this, alive](net::error_code ec) {
            if (!ec && alive.lock()) expire_forwards();
        });
    }
    for (auto& done : expired)
        done(std::nullopt);
}

void cluster_link::local_gone(std::string const& conn) {
    state_.forget_joins(conn);
    for (auto const& owner : state_.take_forwarded(conn))
        nsp_.server_side_emit_args(
            peer_event, json::array({json{{"t", "gone"}, {"to", owner}, {"conn", conn}}}));
}

void cluster_link::ask_who(std::vector<std::string> const& ids, std::string const& to) {
    if (ids.empty()) return;
    json msg = {{"t", "who"}, {"from", opts_.node}, {"games", ids}};
    if (!to.empty()) msg["to"] = to;
    nsp_.server_side_emit_args(peer_event, json::array({std::move(msg)}));
}

void cluster_link::own_lobby_changed(json const& own) {
    nsp_.server_side_emit_args(
        peer_event, json::array({json{{"t", "lobby"}, {"from", opts_.node}, {"games", own}}}));
}

// A peer's message. Input from another node is checked like a client's: a malformed one is
// ignored (a request gets no answer and ends at the sender's timeout).
void cluster_link::on_peer(json& args, socketio::ack_callback ack) {
    json const& m = args.is_array() && !args.empty() ? args[0] : json();
    auto reply_null = [&ack] {
        if (ack) ack(json::array({nullptr}));
    };
    if (!m.is_object()) return reply_null();
    std::string const t = string_of(m, "t");
    std::string const from = string_of(m, "from");
    std::int64_t const now = util::steady_ms();
    // A peer heard for the first time, or again after it was dropped (this node may have been
    // frozen past the ttl and dropped its sockets): it is asked who is in this node's games.
    if ((t == "beat" || t == "lobby") && !from.empty() && !state_.knows(from)) {
        std::weak_ptr<bool> alive = alive_;
        net::asio::post(timer_.get_executor(), [this, alive, from] {
            if (alive.lock()) ask_who(hooks_.held_ids(), from);
        });
    }
    if (t == "req" && string_of(m, "to") == opts_.node && !from.empty()) {
        std::string const conn = string_of(m, "conn");
        auto const payload = m.find("payload");
        if (conn.empty() || payload == m.end()) return reply_null();
        // Past its deadline its sender has given up on it: it is dropped unread. A request
        // without one (an older node) gets the sender's timeout from now.
        std::int64_t deadline = now + forward_timeout();
        if (auto u = m.find("until"); u != m.end() && u->is_number_integer()) {
            auto const left = u->get<std::int64_t>() - util::unix_ms();
            if (left <= 0) return reply_null();
            deadline = now + std::min(left, forward_timeout());
        }
        remote_conn info{from, string_of(m, "address"), std::nullopt};
        if (auto r = m.find("rtt"); r != m.end() && r->is_number_integer())
            info.rtt_ms = r->get<std::int64_t>();
        state_.seen_conn(conn, std::move(info), now);
        std::weak_ptr<bool> alive = alive_;
        socketio::ack_callback answer = [this, alive, from, id = string_of(m, "id")](json reply) {
            if (!alive.lock()) return;
            json r = reply.is_array() && !reply.empty() ? reply[0] : reply;
            nsp_.server_side_emit_args(
                peer_event, json::array({json{
                                {"t", "ans"}, {"to", from}, {"id", id}, {"reply", std::move(r)}}}));
        };
        reply_null();
        return hooks_.handle_remote(conn, string_of(m, "event"), *payload, std::move(answer),
                                    deadline);
    }
    reply_null();
    if (t == "ans" && string_of(m, "to") == opts_.node) {
        if (auto r = m.find("reply"); r != m.end()) answered(string_of(m, "id"), *r);
    } else if (t == "gone" && string_of(m, "to") == opts_.node) {
        std::string const conn = string_of(m, "conn");
        if (state_.forget_conn(conn)) hooks_.remote_gone({conn});
    } else if (t == "who" && !from.empty()) {
        auto const to = string_of(m, "to");
        auto const games = string_set(m.value("games", json::array()));
        if ((to.empty() || to == opts_.node) && !games.empty())
            hooks_.reannounce(std::vector<std::string>(games.begin(), games.end()));
    } else if (t == "lobby" && !from.empty()) {
        if (state_.lobby_of(from, now, m.value("games", json::array()))) hooks_.lobby_changed();
    } else if (t == "beat" && !from.empty()) {
        bool changed = false;
        auto gone = state_.heard(from, now, m.value("games", json::array()),
                                 string_set(m.value("conns", json::array())), changed);
        if (!gone.empty()) hooks_.remote_gone(gone);
        if (changed) hooks_.lobby_changed();
    }
}

// Every heartbeat: this node's lobby and forwarding sockets to the peers, its games' ownership
// written back, silent peers dropped.
void cluster_link::beat() {
    nsp_.server_side_emit_args(peer_event,
                               json::array({json{{"t", "beat"},
                                                 {"from", opts_.node},
                                                 {"games", hooks_.own_lobby()},
                                                 {"conns", state_.forwarding_conns()}}}));
    refresh_owned();
    bool changed = false;
    auto gone = state_.expire(util::steady_ms(), changed);
    if (!gone.empty()) hooks_.remote_gone(gone);
    if (changed) hooks_.lobby_changed();
    timer_.expires_after(std::chrono::milliseconds(opts_.heartbeat_ms));
    std::weak_ptr<bool> alive = alive_;
    timer_.async_wait([this, alive](net::error_code ec) {
        if (!ec && alive.lock()) beat();
    });
}

void cluster_link::refresh_owned() {
    auto ids = hooks_.held_ids();
    // Leases of games no longer here go.
    std::unordered_set<std::string> held(ids.begin(), ids.end());
    std::erase_if(leases_, [&held](auto const& e) { return held.count(e.first) == 0; });
    std::weak_ptr<bool> alive = alive_;
    for (std::size_t at = 0; at < ids.size(); at += refresh_batch) {
        std::size_t const n = std::min(refresh_batch, ids.size() - at);
        std::vector<std::string> batch(ids.begin() + static_cast<std::ptrdiff_t>(at),
                                       ids.begin() + static_cast<std::ptrdiff_t>(at + n));
        refresh(std::move(batch), [this, alive](fence_outcome, std::vector<std::string> lost) {
            if (alive.lock() && !lost.empty()) hooks_.lost(lost);
        });
    }
}

} // namespace kibitz::chess_app
