#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kibitz::chess_app {

// Per-connection flood control of the /chess events, a token bucket per connection and group
// of events (create; join; move; pgn; the others together): a bucket holds `per_window` events and
// refills at `per_window` per `window_ms`, so a burst of per_window is allowed and the sustained
// rate is per_window per window. Pure: time is an argument. 0 for a group turns its limit off.
struct rate_options {
    std::int64_t window_ms = 10000;
    std::size_t creates = 10; // create
    std::size_t joins = 30;   // join
    std::size_t moves = 60;   // move
    std::size_t actions = 30; // resign, draw, abort, claim, rematch, takeback
    std::size_t pgns = 20;    // pgn
};

class rate_limits {
public:
    explicit rate_limits(rate_options opts = {}) : opts_(opts) {}

    // Takes one event `event` of `conn` at `now_ms`: nullopt when allowed, else how many ms
    // until the next one would be.
    std::optional<std::int64_t> take(std::string const& conn, std::string_view event,
                                     std::int64_t now_ms);
    // The connection is gone: its buckets go too.
    void forget(std::string const& conn) { buckets_.erase(conn); }
    std::size_t connections() const { return buckets_.size(); }

private:
    enum group : std::size_t { create, join, move, action, pgn, group_count };
    struct bucket {
        double tokens = -1; // < 0: not used yet (full)
        std::int64_t at_ms = 0;
    };
    static group group_of(std::string_view event);
    std::size_t limit(group g) const;

    rate_options opts_;
    std::unordered_map<std::string, std::array<bucket, group_count>> buckets_;
};

} // namespace kibitz::chess_app
