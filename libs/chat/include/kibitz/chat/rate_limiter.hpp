#pragma once

#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace kibitz::chat {

// A sliding-window limit per key (a name, a connection): at most `limit` events in any window
// of `window`. Pure: time is an argument (docs/architecture.md rule 5), so tests drive the clock.
// A limit of 0 turns the limiter off. One owner thread.
class rate_limiter {
public:
    rate_limiter(std::size_t limit, util::duration window);

    // Records an event for `key` at `now` and returns nullopt when the window has room; else
    // records nothing and returns how long until the oldest event in the window leaves it.
    std::optional<util::duration> acquire(std::string const& key, util::time_point now);

    // Takes back one event recorded at `at` for `key` (one that turned out not to count: a
    // message the store refused, or a resend of a stored one).
    void release(std::string const& key, util::time_point at);

    // Forgets `key` entirely (a connection that closed).
    void forget(std::string const& key);

    // Events of `key` inside the window ending at `now`.
    std::size_t count(std::string const& key, util::time_point now);

    // Keys with events still inside the window (after dropping stale ones at `now`).
    std::size_t keys(util::time_point now);

    bool enabled() const { return limit_ > 0; }

    // Events acquire() refused since construction (GET /metrics).
    std::uint64_t refused() const { return refused_; }

private:
    void drop_old(std::deque<util::time_point>& events, util::time_point now) const;
    void sweep(util::time_point now);

    std::size_t limit_;
    util::duration window_;
    std::unordered_map<std::string, std::deque<util::time_point>> events_;
    std::size_t since_sweep_ = 0;
    std::uint64_t refused_ = 0;
};

} // namespace kibitz::chat
