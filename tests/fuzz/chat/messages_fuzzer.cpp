// libFuzzer target for the /chat typed messages: bytes -> JSON (nlohmann, no exceptions) ->
// chat::parse for every client event, then the checks the service runs on the parsed fields
// (names::check/key/skeletons, the chat name, room, text, client id and mention rules). Two
// readings of each input: the whole input as the payload of every event, and the first byte
// choosing the event with the rest as its payload. Nothing may throw, crash or leak; what parse
// promises (ids 1..64 code points, limit 1..100, `before` > 0, "lobby" by default) must hold.
#include <kibitz/chat/messages.hpp>
#include <kibitz/chat/text.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/names/names.hpp>
#include <kibitz/util/utf8.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace kibitz;
using namespace kibitz::chat;

void check(bool ok) {
    if (!ok) std::abort();
}

template<class... F>
struct overloaded : F... {
    using F::operator()...;
};
template<class... F>
overloaded(F...) -> overloaded<F...>;

// Events of the table, one unknown one, and a near miss.
constexpr std::array<std::string_view, 9> events{wire::event_join,
                                                 wire::event_leave,
                                                 wire::event_message,
                                                 wire::event_typing,
                                                 wire::event_history,
                                                 wire::event_edit,
                                                 wire::event_delete,
                                                 "users",
                                                 "Join"};

// What the service does with a name: the verdict, the key and the look-alike skeletons. A
// name it accepts (verdict ok) has a key and one or two skeletons.
void check_name(std::string_view name) {
    bool const well_formed = names::is_well_formed(name);
    check(is_valid_name(name) == well_formed);
    auto const verdict = names::check(name);
    check(well_formed || verdict == names::verdict::invalid);
    if (verdict != names::verdict::ok) check(!names::explain(verdict).empty());
    auto const key = name_key(name);
    check(key == names::key(name));
    auto const skeletons = names::skeletons(name);
    check(skeletons.size() <= 2);
    if (!well_formed) {
        check(key.empty() && skeletons.empty());
        return;
    }
    check(util::is_valid_utf8(key));
    if (verdict != names::verdict::ok) return;
    check(!key.empty() && !skeletons.empty());
    check(names::confusable(name, name));
    // NFKC_Casefold is idempotent: a key that is itself a name is its own key.
    if (names::is_well_formed(key)) check(names::key(key) == key);
}

void check_room(std::string_view room) {
    bool const valid = is_valid_room(room);
    check(!valid || (!room.empty() && room.size() <= wire::max_room_chars));
}

void check_text(std::string_view text) {
    bool const valid = is_valid_text(text);
    check(!valid ||
          (util::is_valid_utf8(text) && util::code_point_count(text) <= wire::max_text_chars));
    if (auto m = parse_mention(text)) {
        check(is_valid_name(m->name));
        check(text == "@" + m->name + " " + m->rest);
        check_name(m->name);
        is_valid_text(m->rest);
    }
}

// The message the service would store and send back for a parsed `message`.
void check_echo(send_request const& r) {
    store::message_record m;
    m.id = "1";
    m.room = r.room;
    m.from_name = r.from.value_or("zoë");
    m.to_name = r.to;
    m.text = r.text;
    m.client_id = r.id;
    auto const text = to_json(server_message{message_event{m}}).dump();
    check(!text.empty());
}

void check_message(client_message const& m) {
    std::visit(overloaded{
                   [](join_request const& r) {
                       check_name(r.name);
                       check_room(r.room);
                       if (r.token) is_valid_client_id(*r.token);
                   },
                   [](leave_request const& r) { check_room(r.room); },
                   [](send_request const& r) {
                       check_room(r.room);
                       check_text(r.text);
                       if (r.to) check_name(*r.to);
                       if (r.from) check_name(*r.from);
                       if (r.id) check(is_valid_client_id(*r.id));
                       check_echo(r);
                   },
                   [](typing_request const& r) {
                       check_room(r.room);
                       if (r.to) check_name(*r.to);
                   },
                   [](history_request const& r) {
                       check_room(r.room);
                       check(r.limit >= 1 && r.limit <= wire::max_history_limit);
                       check(!r.before || *r.before > 0);
                   },
                   [](edit_request const& r) {
                       check(r.id >= 0);
                       check_text(r.text);
                       mention_candidates(r.text);
                   },
                   [](delete_request const& r) { check(r.id >= 0); },
               },
               m);
}

void parse_one(std::string_view event, json const& payload) {
    auto const m = parse(event, payload);
    if (!m) return;
    check(payload.is_object());
    check(event == wire::event_join || event == wire::event_leave || event == wire::event_message ||
          event == wire::event_typing || event == wire::event_history ||
          event == wire::event_edit || event == wire::event_delete);
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
