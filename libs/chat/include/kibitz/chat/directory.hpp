#pragma once

#include <kibitz/redis/url.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace kibitz::redis {
class connection;
}

namespace kibitz::chat {

// The names of /chat across the nodes of a cluster, as Redis keys (docs/cluster.md): a name is
// `<prefix>:kibitz:chat:name:<name key>` = "<epoch>|<node>|<sid>|<token hash>" and each of its
// confusable skeletons `<prefix>:kibitz:chat:skel:<skeleton>` = that key, all with an expiry
// (`ttl`) that the holding node refreshes every heartbeat. Each change is one Lua script, so a
// claim is atomic across the cluster: two nodes can never both get a name. Server thread only.
class directory {
public:
    enum class outcome { created, taken_over, name_taken, confusable };
    struct claim_reply {
        chat::directory::outcome outcome = outcome::name_taken;
        std::string epoch;         // created, taken_over: the claim's time (Redis TIME, us)
        std::string previous_node; // taken_over: who held it
        std::string previous_sid;
    };
    using claim_handler = std::function<void(std::error_code, claim_reply)>;

    // A name this node holds, as refresh() writes it back.
    struct held {
        std::string key;
        std::string epoch;
        std::string sid;
        std::string token_hash; // empty while pending (a pending name cannot be taken over)
        std::vector<std::string> skeletons;
    };

    directory(boost::asio::io_context& ioc, redis::url url, std::string prefix, std::string node,
              util::duration ttl);
    ~directory();
    directory(directory const&) = delete;
    directory& operator=(directory const&) = delete;

    // Connects (and keeps reconnecting); `on_up` runs each time the connection is ready.
    void start(std::function<void()> on_up);
    bool connected() const;

    // Claims `key` for socket `sid` of this node: created when nobody holds it and no other
    // name holds one of its skeletons; taken_over when `offered_hash` is the holder's confirmed
    // token hash; else name_taken / confusable. An error_code (Redis down) claims nothing.
    void claim(std::string const& key, std::vector<std::string> const& skeletons,
               std::string const& sid, std::string const& offered_hash, claim_handler done);
    // Writes back every name this node holds, with a fresh expiry; a name Redis lost (restarted
    // empty, or expired) is claimed again when it is still free. `done` gets the indexes into
    // `names` of the names another node holds now: this node lost them.
    void refresh(std::vector<held> const& names,
                 std::function<void(std::error_code, std::vector<std::size_t>)> done);
    // Frees `key` if this node still holds it under `epoch`.
    void release(std::string const& key, std::string const& epoch,
                 std::vector<std::string> const& skeletons);

    // Flood control of one name across the nodes: a sliding window on Redis's clock, as a
    // sorted set `<prefix>:kibitz:chat:rate:<key>` of event ids. Records the event `id` and
    // answers 0 when fewer than `limit` are inside the last `window`, else records nothing and
    // answers how many ms until the oldest leaves it.
    void acquire(std::string const& key, std::size_t limit, util::duration window,
                 std::string const& id, std::function<void(std::error_code, std::int64_t)> done);
    // Takes the event `id` back (a message the store refused, or a resend of a stored one).
    void release_event(std::string const& key, std::string const& id);

private:
    std::string name_key(std::string const& key) const;
    std::string skeleton_key(std::string const& skeleton) const;

    std::unique_ptr<redis::connection> conn_;
    std::string prefix_;
    std::string node_;
    std::string ttl_ms_;
};

} // namespace kibitz::chat
