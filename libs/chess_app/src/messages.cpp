#include <kibitz/chess_app/messages.hpp>
#include <kibitz/chess_app/wire.hpp>
#include <kibitz/util/json_fields.hpp>

#include <limits>

namespace kibitz::chess_app {

namespace {

constexpr std::size_t max_id_bytes = 128;
// Clock bounds: up to a day on the clock and an hour of increment.
constexpr std::int64_t max_initial_ms = 24LL * 3600 * 1000;
constexpr std::int64_t max_increment_ms = 3600LL * 1000;

using util::bounded_int;
using util::field_state;
using util::string_field;

// A required string field of 1..max_id_bytes bytes.
std::optional<std::string> id_field(json const& p, char const* key) {
    return util::bounded_string(p, key, max_id_bytes);
}

std::optional<std::string> name_field(json const& p) {
    std::string s;
    if (string_field(p, "name", s) != field_state::ok || !valid_name(s)) return std::nullopt;
    return s;
}

// `clock`: absent or null is no clock; else {initial_ms > 0, increment_ms >= 0}.
bool clock_field(json const& p, std::optional<clock_spec>& out) {
    auto it = p.find("clock");
    if (it == p.end() || it->is_null()) return true;
    if (!it->is_object()) return false;
    auto initial = bounded_int(*it, "initial_ms", max_initial_ms);
    auto increment = bounded_int(*it, "increment_ms", max_increment_ms);
    if (!initial || *initial == 0 || !increment) return false;
    out = clock_spec{*initial, *increment};
    return true;
}

std::optional<offer_action> action_field(json const& p, bool decline_allowed) {
    std::string s;
    if (string_field(p, "action", s) != field_state::ok) return std::nullopt;
    if (s == wire::offer) return offer_action::offer;
    if (s == wire::accept) return offer_action::accept;
    if (decline_allowed && s == wire::decline) return offer_action::decline;
    return std::nullopt;
}

std::optional<client_message> parse_create(json const& p) {
    create_request r;
    auto name = name_field(p);
    if (!name) return std::nullopt;
    r.name = std::move(*name);
    r.color = std::string(wire::random);
    if (string_field(p, "color", r.color) == field_state::wrong) return std::nullopt;
    if (r.color != wire::white && r.color != wire::black && r.color != wire::random)
        return std::nullopt;
    if (!clock_field(p, r.clock)) return std::nullopt;
    return r;
}

std::optional<client_message> parse_join(json const& p) {
    auto game = id_field(p, "game");
    auto name = name_field(p);
    if (!game || !name) return std::nullopt;
    join_request r{std::move(*game), std::move(*name), std::nullopt};
    if (!util::optional_string(p, "token", r.token)) return std::nullopt;
    if (r.token && (r.token->empty() || r.token->size() > max_id_bytes)) return std::nullopt;
    return r;
}

std::optional<client_message> parse_move(json const& p) {
    auto game = id_field(p, "game");
    auto uci = id_field(p, "uci");
    auto ply = bounded_int(p, "ply", std::numeric_limits<int>::max());
    if (!game || !uci || !ply || uci->size() > 5) return std::nullopt;
    return move_request{std::move(*game), std::move(*uci), static_cast<int>(*ply)};
}

// The events that carry only a game id, and those with an action.
template<class Request>
std::optional<client_message> parse_game_only(json const& p) {
    auto game = id_field(p, "game");
    if (!game) return std::nullopt;
    return Request{std::move(*game)};
}

template<class Request>
std::optional<client_message> parse_offer(json const& p, bool decline_allowed) {
    auto game = id_field(p, "game");
    auto action = action_field(p, decline_allowed);
    if (!game || !action) return std::nullopt;
    return Request{std::move(*game), *action};
}

} // namespace

std::optional<client_message> parse(std::string_view event, json const& payload) {
    if (!payload.is_object()) return std::nullopt;
    if (event == wire::create) return parse_create(payload);
    if (event == wire::join) return parse_join(payload);
    if (event == wire::move) return parse_move(payload);
    if (event == wire::resign) return parse_game_only<resign_request>(payload);
    if (event == wire::draw) return parse_offer<draw_request>(payload, true);
    if (event == wire::abort) return parse_game_only<abort_request>(payload);
    if (event == wire::claim) return parse_game_only<claim_request>(payload);
    if (event == wire::rematch) return parse_offer<rematch_request>(payload, false);
    if (event == wire::pgn) return parse_game_only<pgn_request>(payload);
    if (event == wire::takeback) return parse_offer<takeback_request>(payload, true);
    return std::nullopt;
}

std::optional<std::string> game_of(client_message const& m) {
    return std::visit(
        [](auto const& r) -> std::optional<std::string> {
            if constexpr (std::is_same_v<std::decay_t<decltype(r)>, create_request>)
                return std::nullopt;
            else
                return r.game;
        },
        m);
}

std::string_view color_name(chess::color c) {
    return c == chess::color::white ? wire::white : wire::black;
}

namespace {

json color_or_null(std::optional<chess::color> c) {
    return c ? json(color_name(*c)) : json(nullptr);
}

template<class T>
json value_or_null(std::optional<T> const& v) {
    return v ? json(*v) : json(nullptr);
}

json view_or_null(std::string_view s) {
    return s.empty() ? json(nullptr) : json(s);
}

json clock_json(std::optional<clock_view> const& c) {
    if (!c) return nullptr;
    return {{"white_ms", c->white_ms},
            {"black_ms", c->black_ms},
            {"increment_ms", c->increment_ms},
            {"initial_ms", c->initial_ms},
            {"running", color_or_null(c->running)}};
}

json spec_json(std::optional<clock_spec> const& c) {
    if (!c) return nullptr;
    return {{"initial_ms", c->initial_ms}, {"increment_ms", c->increment_ms}};
}

} // namespace

json to_json(game_view const& g) {
    return {
        {"id", g.id},
        {"v", g.v},
        {"status", g.status},
        {"result", view_or_null(g.result)},
        {"reason", view_or_null(g.reason)},
        {"fen", g.fen},
        {"moves", g.moves},
        {"san", g.san},
        {"turn", color_name(g.turn)},
        {"clock", clock_json(g.clock)},
        {"players", {{"white", value_or_null(g.white)}, {"black", value_or_null(g.black)}}},
        {"connected", {{"white", g.white_connected}, {"black", g.black_connected}}},
        {"spectators", g.spectators},
        {"draw_offer", color_or_null(g.draw_offer)},
        {"rematch_offer", color_or_null(g.rematch_offer)},
        {"rematch", value_or_null(g.rematch)},
        {"claimable", color_or_null(g.claimable)},
        {"away_ms",
         {{"white", value_or_null(g.white_away_ms)}, {"black", value_or_null(g.black_away_ms)}}},
        {"claim_grace_ms", g.claim_grace_ms},
        {"legal", g.legal},
        {"takeback", color_or_null(g.takeback)},
        {"lag",
         {{"white", value_or_null(g.white_lag_ms)}, {"black", value_or_null(g.black_lag_ms)}}},
    };
}

std::string_view event_name(server_message const& m) {
    switch (m.index()) {
    case 0:
        return wire::game;
    case 1:
        return wire::lobby;
    default:
        return wire::rematch;
    }
}

json to_json(server_message const& m) {
    if (auto const* g = std::get_if<game_event>(&m)) return to_json(g->game);
    if (auto const* l = std::get_if<lobby_event>(&m)) {
        json games = json::array();
        for (auto const& e : l->games)
            games.push_back({{"id", e.id},
                             {"creator", e.creator},
                             {"color", e.color},
                             {"clock", spec_json(e.clock)}});
        return {{"games", std::move(games)}};
    }
    return {{"game", std::get<rematch_event>(m).game}};
}

json ok_ack(json fields) {
    json out = {{"ok", true}};
    for (auto& [key, value] : fields.items())
        out[key] = std::move(value);
    return out;
}

json error_ack(std::string_view code, std::string_view message) {
    return {{"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

} // namespace kibitz::chess_app
