#include <kibitz/chat/rate_limiter.hpp>

#include <algorithm>

namespace kibitz::chat {
namespace {

// Every this many acquires, keys whose events all left the window are dropped, so a limiter
// keyed by names that come and go stays as small as the recent traffic.
constexpr std::size_t sweep_every = 1024;

} // namespace

rate_limiter::rate_limiter(std::size_t limit, util::duration window)
    : limit_(limit), window_(window) {}

void rate_limiter::drop_old(std::deque<util::time_point>& events, util::time_point now) const {
    // An event at t counts while now < t + window.
    while (!events.empty() && events.front() + window_ <= now)
        events.pop_front();
}

std::optional<util::duration> rate_limiter::acquire(std::string const& key, util::time_point now) {
    if (!enabled()) return std::nullopt;
    if (++since_sweep_ >= sweep_every) sweep(now);
    auto& events = events_[key];
    drop_old(events, now);
    if (events.size() >= limit_) {
        ++refused_;
        auto const wait = events.front() + window_ - now;
        return std::max(util::duration(1), std::chrono::ceil<util::duration>(wait));
    }
    // Events are kept in time order; a clock never goes back, but stay sorted if it does.
    events.insert(std::upper_bound(events.begin(), events.end(), now), now);
    return std::nullopt;
}

void rate_limiter::release(std::string const& key, util::time_point at) {
    auto it = events_.find(key);
    if (it == events_.end()) return;
    auto& events = it->second;
    auto found = std::find(events.begin(), events.end(), at);
    if (found != events.end()) events.erase(found);
    if (events.empty()) events_.erase(it);
}

void rate_limiter::forget(std::string const& key) {
    events_.erase(key);
}

std::size_t rate_limiter::count(std::string const& key, util::time_point now) {
    auto it = events_.find(key);
    if (it == events_.end()) return 0;
    drop_old(it->second, now);
    return it->second.size();
}

std::size_t rate_limiter::keys(util::time_point now) {
    sweep(now);
    return events_.size();
}

void rate_limiter::sweep(util::time_point now) {
    since_sweep_ = 0;
    for (auto it = events_.begin(); it != events_.end();) {
        drop_old(it->second, now);
        it = it->second.empty() ? events_.erase(it) : std::next(it);
    }
}

} // namespace kibitz::chat
