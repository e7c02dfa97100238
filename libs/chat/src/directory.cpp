#include <kibitz/chat/directory.hpp>
#include <kibitz/redis/connection.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace kibitz::chat {
namespace {

// KEYS: the name, then its skeletons. ARGV: ttl ms, node, sid, offered token hash ("" none).
// A name's value is "<epoch>|<node>|<sid>|<token hash>"; a skeleton's is its name's key.
constexpr char const* claim_script = R"lua(
local t = redis.call('TIME')
local epoch = t[1] .. string.format('%06d', tonumber(t[2]))
local name, ttl, node, sid, offered = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('GET', name)
if cur then
  local e, n, s, h = string.match(cur, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if offered == '' or h == nil or h == '' or h ~= offered then return {'taken'} end
  redis.call('SET', name, epoch .. '|' .. node .. '|' .. sid .. '|' .. h, 'PX', ttl)
  for i = 2, #KEYS do redis.call('SET', KEYS[i], name, 'PX', ttl) end
  return {'over', epoch, n, s}
end
for i = 2, #KEYS do
  local o = redis.call('GET', KEYS[i])
  if o and o ~= name then return {'confusable'} end
end
redis.call('SET', name, epoch .. '|' .. node .. '|' .. sid .. '|', 'PX', ttl)
for i = 2, #KEYS do redis.call('SET', KEYS[i], name, 'PX', ttl) end
return {'new', epoch}
)lua";

// ARGV: ttl ms, node, then per name: key, epoch, sid, token hash, skeleton count, skeletons.
// Returns the (1-based) numbers of the names another node holds.
constexpr char const* refresh_script = R"lua(
local ttl, node = ARGV[1], ARGV[2]
local lost, i, g = {}, 3, 0
while i <= #ARGV do
  g = g + 1
  local name, epoch, sid, hash, nsk = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], tonumber(ARGV[i+4])
  local sks = {}
  for j = 1, nsk do sks[j] = ARGV[i + 4 + j] end
  i = i + 5 + nsk
  local cur = redis.call('GET', name)
  local mine = true
  if cur then
    local e, n = string.match(cur, '^([^|]*)|([^|]*)|')
    mine = (n == node)
  else
    for _, sk in ipairs(sks) do
      local o = redis.call('GET', sk)
      if o and o ~= name then mine = false end
    end
  end
  if mine then
    redis.call('SET', name, epoch .. '|' .. node .. '|' .. sid .. '|' .. hash, 'PX', ttl)
    for _, sk in ipairs(sks) do redis.call('SET', sk, name, 'PX', ttl) end
  else
    lost[#lost + 1] = g
  end
end
return lost
)lua";

// KEYS: the name, then its skeletons. ARGV: node, epoch.
constexpr char const* release_script = R"lua(
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local e, n = string.match(cur, '^([^|]*)|([^|]*)|')
if n ~= ARGV[1] or e ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == KEYS[1] then redis.call('DEL', KEYS[i]) end
end
return 1
)lua";

// KEYS: the sorted set of a name's events. ARGV: limit, window ms, event id. An event at t counts
// while now < t + window (rate_limiter's rule), on Redis's clock, the same for every node.
constexpr char const* acquire_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
)lua";

// Names written back by one script call: a heartbeat of many users is several calls.
constexpr std::size_t refresh_batch = 500;

std::error_code redis_failed(std::error_code ec, redis::value const& reply) {
    if (ec) return ec;
    if (reply.is_error()) return std::make_error_code(std::errc::protocol_error);
    return {};
}

directory::claim_reply read_claim(redis::value const& reply) {
    directory::claim_reply out;
    auto const& e = reply.elements;
    if (reply.type != redis::type::array || e.empty()) return out;
    auto const& what = e[0].text;
    if (what == "new" && e.size() >= 2) {
        out.outcome = directory::outcome::created;
        out.epoch = e[1].text;
    } else if (what == "over" && e.size() >= 4) {
        out.outcome = directory::outcome::taken_over;
        out.epoch = e[1].text;
        out.previous_node = e[2].text;
        out.previous_sid = e[3].text;
    } else if (what == "confusable") {
        out.outcome = directory::outcome::confusable;
    }
    return out;
}

} // namespace

directory::directory(boost::asio::io_context& ioc, redis::url url, std::string prefix,
                     std::string node, util::duration ttl)
    : prefix_(std::move(prefix)), node_(std::move(node)),
      ttl_ms_(std::to_string(
          std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::milliseconds>(ttl).count()))) {
    redis::connection_options o;
    o.url = std::move(url);
    conn_ = std::make_unique<redis::connection>(ioc, std::move(o));
}

directory::~directory() {
    conn_->close();
}

void directory::start(std::function<void()> on_up) {
    conn_->on_state([on_up = std::move(on_up)](bool up) {
        if (up && on_up) on_up();
    });
    conn_->start();
}

bool directory::connected() const {
    return conn_->connected();
}

std::string directory::name_key(std::string const& key) const {
    return prefix_ + ":kibitz:chat:name:" + key;
}

std::string directory::skeleton_key(std::string const& skeleton) const {
    return prefix_ + ":kibitz:chat:skel:" + skeleton;
}

void directory::claim(std::string const& key, std::vector<std::string> const& skeletons,
                      std::string const& sid, std::string const& offered_hash, claim_handler done) {
    std::vector<std::string> args = {"EVAL", claim_script, std::to_string(1 + skeletons.size()),
                                     name_key(key)};
    for (auto const& sk : skeletons)
        args.push_back(skeleton_key(sk));
    args.insert(args.end(), {ttl_ms_, node_, sid, offered_hash});
    conn_->send(std::move(args), [done = std::move(done)](std::error_code ec, redis::value reply) {
        if (auto err = redis_failed(ec, reply)) return done(err, {});
        done({}, read_claim(reply));
    });
}

void directory::refresh(std::vector<held> const& names,
                        std::function<void(std::error_code, std::vector<std::size_t>)> done) {
    // One script per batch; `done` runs once, after the last answer, with every lost index.
    struct gather {
        std::size_t waiting = 0;
        std::error_code ec;
        std::vector<std::size_t> lost;
        std::function<void(std::error_code, std::vector<std::size_t>)> done;
    };
    auto all = std::make_shared<gather>();
    all->done = std::move(done);
    all->waiting = (names.size() + refresh_batch - 1) / refresh_batch;
    if (all->waiting == 0) return all->done({}, {});
    for (std::size_t first = 0; first < names.size(); first += refresh_batch) {
        std::vector<std::string> args = {"EVAL", refresh_script, "0", ttl_ms_, node_};
        auto const last = std::min(names.size(), first + refresh_batch);
        for (std::size_t i = first; i < last; ++i) {
            auto const& n = names[i];
            args.insert(args.end(), {name_key(n.key), n.epoch, n.sid, n.token_hash,
                                     std::to_string(n.skeletons.size())});
            for (auto const& sk : n.skeletons)
                args.push_back(skeleton_key(sk));
        }
        conn_->send(std::move(args), [all, first](std::error_code ec, redis::value reply) {
            if (auto err = redis_failed(ec, reply)) all->ec = err;
            for (auto const& g : reply.elements)
                if (g.type == redis::type::integer && g.integer >= 1)
                    all->lost.push_back(first + static_cast<std::size_t>(g.integer - 1));
            if (--all->waiting == 0) all->done(all->ec, std::move(all->lost));
        });
    }
}

void directory::release(std::string const& key, std::string const& epoch,
                        std::vector<std::string> const& skeletons) {
    std::vector<std::string> args = {"EVAL", release_script, std::to_string(1 + skeletons.size()),
                                     name_key(key)};
    for (auto const& sk : skeletons)
        args.push_back(skeleton_key(sk));
    args.insert(args.end(), {node_, epoch});
    // While Redis is down the name stays claimed until its expiry, then is free.
    conn_->send(std::move(args), [](std::error_code, redis::value) {});
}

void directory::acquire(std::string const& key, std::size_t limit, util::duration window,
                        std::string const& id,
                        std::function<void(std::error_code, std::int64_t)> done) {
    auto const ms = std::max<std::int64_t>(1, window.count());
    conn_->send({"EVAL", acquire_script, "1", prefix_ + ":kibitz:chat:rate:" + key,
                 std::to_string(limit), std::to_string(ms), id},
                [done = std::move(done)](std::error_code ec, redis::value reply) {
                    if (auto err = redis_failed(ec, reply)) return done(err, 0);
                    done({}, reply.type == redis::type::integer ? reply.integer : 0);
                });
}

void directory::release_event(std::string const& key, std::string const& id) {
    conn_->send({"ZREM", prefix_ + ":kibitz:chat:rate:" + key, id},
                [](std::error_code, redis::value) {});
}

} // namespace kibitz::chat
