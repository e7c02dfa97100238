#include <kibitz/redis/value.hpp>

#include <array>
#include <utility>

namespace kibitz::redis {

void encode(value const& v, std::string& out) {
    switch (v.type) {
    case type::simple_string:
        out += '+' + v.text + "\r\n";
        return;
    case type::error:
        out += '-' + v.text + "\r\n";
        return;
    case type::integer:
        out += ':' + std::to_string(v.integer) + "\r\n";
        return;
    case type::bulk_string:
        out += '$' + std::to_string(v.text.size()) + "\r\n";
        out += v.text;
        out += "\r\n";
        return;
    case type::null:
        out += "$-1\r\n";
        return;
    case type::null_array:
        out += "*-1\r\n";
        return;
    case type::array:
        out += '*' + std::to_string(v.elements.size()) + "\r\n";
        for (auto const& element : v.elements)
            encode(element, out);
        return;
    }
}

std::string encode(value const& v) {
    std::string out;
    encode(v, out);
    return out;
}

namespace {

struct shape {
    std::string_view name;
    push_kind kind;
    std::size_t size;
};

// Redis spells these in lower case (pubsub.c: addReplyPubsubMessage and friends).
constexpr std::array<shape, 10> shapes{{
    {"message", push_kind::message, 3},
    {"pmessage", push_kind::pmessage, 4},
    {"smessage", push_kind::smessage, 3},
    {"subscribe", push_kind::subscribe, 3},
    {"unsubscribe", push_kind::unsubscribe, 3},
    {"psubscribe", push_kind::psubscribe, 3},
    {"punsubscribe", push_kind::punsubscribe, 3},
    {"ssubscribe", push_kind::ssubscribe, 3},
    {"sunsubscribe", push_kind::sunsubscribe, 3},
    {"pong", push_kind::pong, 2},
}};

// A string element, or nil (an unsubscribe from nothing names no channel).
bool text_or_nil(value const& v, std::string& out) {
    if (v.is_string()) {
        out = v.text;
        return true;
    }
    return v.is_nil();
}

} // namespace

std::optional<push> as_push(value const& v) {
    if (v.type != type::array || v.elements.empty() || !v.elements[0].is_string()) return {};
    for (auto const& s : shapes) {
        if (v.elements[0].text != s.name || v.elements.size() != s.size) continue;
        push p;
        p.kind = s.kind;
        auto const& e = v.elements;
        bool ok = false;
        if (s.kind == push_kind::pong) {
            ok = text_or_nil(e[1], p.channel);
        } else if (s.kind == push_kind::pmessage) {
            ok = e[1].is_string() && e[2].is_string() && e[3].is_string();
            if (ok) {
                p.pattern = e[1].text;
                p.channel = e[2].text;
                p.payload = e[3].text;
            }
        } else if (s.kind == push_kind::message || s.kind == push_kind::smessage) {
            ok = e[1].is_string() && e[2].is_string();
            if (ok) {
                p.channel = e[1].text;
                p.payload = e[2].text;
            }
        } else {
            ok = text_or_nil(e[1], p.channel) && e[2].type == type::integer;
            p.count = e[2].integer;
        }
        if (ok) return p;
        return {};
    }
    return {};
}

} // namespace kibitz::redis
