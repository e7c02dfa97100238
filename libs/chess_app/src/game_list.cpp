#include <kibitz/chess_app/game_list.hpp>

#include <charconv>

namespace kibitz::chess_app {

namespace {

bool id_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

// A non-negative decimal of at most 18 digits (no sign, no overflow).
std::optional<std::int64_t> small_number(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || n < 0) return std::nullopt;
    return n;
}

// PGN TimeControl: "initial+increment" in seconds, "-" without a clock.
std::string time_control(store::game_clock const& c) {
    auto secs = [](std::int64_t ms) {
        return ms % 1000 == 0 ? std::to_string(ms / 1000) : std::to_string(ms / 1000.0);
    };
    return secs(c.initial_ms) + "+" + secs(c.increment_ms);
}

json entry(store::game_record const& g) {
    json clock = nullptr;
    if (g.clock)
        clock = {{"initial_ms", g.clock->initial_ms}, {"increment_ms", g.clock->increment_ms}};
    auto or_null = [](std::optional<std::string> const& s) { return s ? json(*s) : json(nullptr); };
    return {{"id", g.id},
            {"white", or_null(g.white_name)},
            {"black", or_null(g.black_name)},
            {"result", or_null(g.result)},
            {"reason", or_null(g.reason)},
            {"clock", clock},
            {"time_control", g.clock ? time_control(*g.clock) : "-"},
            {"ended_at", g.ended_at.value_or(g.created_at)},
            {"plies", g.moves.size()},
            {"url", "/chess/" + g.id},
            {"pgn", "/chess/games/" + g.id + ".pgn"}};
}

} // namespace

std::optional<store::game_cursor> parse_game_cursor(std::string_view text) {
    auto dot = text.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto when = small_number(text.substr(0, dot));
    auto id = text.substr(dot + 1);
    if (!when || id.empty() || id.size() > 128) return std::nullopt;
    for (char c : id)
        if (!id_char(c)) return std::nullopt;
    return store::game_cursor{*when, std::string(id)};
}

std::string game_cursor_text(store::game_cursor const& c) {
    return std::to_string(c.ended_at) + "." + c.id;
}

std::optional<std::size_t> parse_game_limit(std::string_view text) {
    auto n = small_number(text);
    if (!n || *n < 1 || *n > static_cast<std::int64_t>(game_list_max_limit)) return std::nullopt;
    return static_cast<std::size_t>(*n);
}

json game_list_json(std::vector<store::game_record> const& games, std::size_t limit) {
    json list = json::array();
    for (auto const& g : games)
        list.push_back(entry(g));
    json next = nullptr;
    if (!games.empty() && games.size() >= limit) {
        auto const& last = games.back();
        next = game_cursor_text({last.ended_at.value_or(last.created_at), last.id});
    }
    return {{"games", std::move(list)}, {"next", std::move(next)}};
}

} // namespace kibitz::chess_app
