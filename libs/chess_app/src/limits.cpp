#include <kibitz/chess_app/limits.hpp>
#include <kibitz/chess_app/wire.hpp>

#include <algorithm>
#include <cmath>

namespace kibitz::chess_app {

rate_limits::group rate_limits::group_of(std::string_view event) {
    if (event == wire::create) return create;
    if (event == wire::join) return join;
    if (event == wire::move) return move;
    if (event == wire::pgn) return pgn;
    return action;
}

std::size_t rate_limits::limit(group g) const {
    switch (g) {
    case create:
        return opts_.creates;
    case join:
        return opts_.joins;
    case move:
        return opts_.moves;
    case action:
        return opts_.actions;
    case pgn:
        return opts_.pgns;
    default:
        return opts_.actions;
    }
}

std::optional<std::int64_t> rate_limits::take(std::string const& conn, std::string_view event,
                                              std::int64_t now) {
    group const g = group_of(event);
    std::size_t const cap = limit(g);
    if (cap == 0 || opts_.window_ms <= 0) return std::nullopt;
    bucket& b = buckets_[conn][g];
    double const per_ms = static_cast<double>(cap) / static_cast<double>(opts_.window_ms);
    if (b.tokens < 0) {
        b.tokens = static_cast<double>(cap);
    } else if (now > b.at_ms) {
        b.tokens = std::min<double>(static_cast<double>(cap),
                                    b.tokens + static_cast<double>(now - b.at_ms) * per_ms);
    }
    b.at_ms = std::max(b.at_ms, now);
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return std::nullopt;
    }
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((1 - b.tokens) / per_ms)));
}

} // namespace kibitz::chess_app
