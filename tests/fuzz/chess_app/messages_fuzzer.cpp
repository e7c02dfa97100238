// libFuzzer target for the /chess typed messages: bytes -> JSON (nlohmann, no exceptions) ->
// chess_app::parse for every client event, then what the service does with the fields: names
// through valid_name (kibitz::names: well formed, nothing invisible, not reserved), the move's
// UCI text against the starting position. Two readings of each input: the whole input as the
// payload of every event, and the first byte choosing the event with the rest as its payload.
// Nothing may throw, crash or leak; what parse promises (ids and tokens of 1..128 bytes, UCI of
// at most 5, ply >= 0, a clock within its bounds, names that pass valid_name) must hold.
#include <kibitz/chess/game.hpp>
#include <kibitz/chess/uci.hpp>
#include <kibitz/chess_app/messages.hpp>
#include <kibitz/chess_app/wire.hpp>
#include <kibitz/names/names.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace kibitz;
using namespace kibitz::chess_app;

void check(bool ok) {
    if (!ok) std::abort();
}

template<class... F>
struct overloaded : F... {
    using F::operator()...;
};
template<class... F>
overloaded(F...) -> overloaded<F...>;

// Events of the table, two server events, and a near miss.
constexpr std::array<std::string_view, 13> events{
    wire::create,  wire::join, wire::move,     wire::resign, wire::draw,  wire::abort, wire::claim,
    wire::rematch, wire::pgn,  wire::takeback, wire::game,   wire::lobby, "Move"};

void check_id(std::string_view id) {
    check(!id.empty() && id.size() <= 128);
}

void check_name(std::string_view name) {
    check(valid_name(name));
    check(names::check(name) == names::verdict::ok);
    check(!names::key(name).empty() && !names::skeletons(name).empty());
}

// The service plays the move on its game: parse_uci must give a move whose text reads back.
void check_uci(std::string_view uci) {
    chess::game const g;
    auto const m = chess::parse_uci(g.current(), uci);
    if (!m) return;
    auto const text = chess::to_uci(*m);
    auto const again = chess::parse_uci(g.current(), text);
    check(again && *again == *m);
    chess::game played;
    check(played.play_uci(uci).has_value() && played.ply() == 1);
}

void check_message(client_message const& m) {
    std::visit(overloaded{
                   [](create_request const& r) {
                       check_name(r.name);
                       check(r.color == wire::white || r.color == wire::black ||
                             r.color == wire::random);
                       if (r.clock) check(r.clock->initial_ms > 0 && r.clock->increment_ms >= 0);
                   },
                   [](join_request const& r) {
                       check_id(r.game);
                       check_name(r.name);
                       if (r.token) check_id(*r.token);
                   },
                   [](move_request const& r) {
                       check_id(r.game);
                       check(!r.uci.empty() && r.uci.size() <= 5 && r.ply >= 0);
                       check_uci(r.uci);
                   },
                   [](rematch_request const& r) {
                       check_id(r.game);
                       check(r.action != offer_action::decline);
                   },
                   [](auto const& r) { check_id(r.game); },
               },
               m);
    auto const game = game_of(m);
    check(game.has_value() != std::holds_alternative<create_request>(m));
}

void parse_one(std::string_view event, json const& payload) {
    auto const m = parse(event, payload);
    if (!m) return;
    check(payload.is_object());
    check(event != wire::game && event != wire::lobby && event != "Move");
    check_message(*m);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    auto const* begin = reinterpret_cast<char const*>(data);
    auto const whole = json::parse(begin, begin + size, nullptr, false);
    if (!whole.is_discarded())
        for (auto const event : events)
            parse_one(event, whole);
    auto const rest = json::parse(begin + 1, begin + size, nullptr, false);
    if (!rest.is_discarded()) parse_one(events[data[0] % events.size()], rest);
    return 0;
}
