#include <kibitz/chat/text.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/names/names.hpp>
#include <kibitz/util/utf8.hpp>

#include <unicode/uchar.h>

#include <cstdint>

namespace kibitz::chat {
namespace {

// C0 (U+0000..U+001F), DEL and C1 (U+007F..U+009F), except tab and line feed.
bool is_forbidden_control(std::uint32_t cp) {
    if (cp == '\t' || cp == '\n') return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// Bidi embeddings and overrides (U+202A..U+202E) and isolates (U+2066..U+2069).
bool is_bidi_control(std::uint32_t cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// A character that may be part of a name: a letter, mark or decimal digit, '_', '-' or '.'.
bool is_name_char(std::uint32_t cp) {
    if (cp == '_' || cp == '-' || cp == '.') return true;
    auto const mask = U_GET_GC_MASK(static_cast<UChar32>(cp));
    return (mask & (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK)) != 0;
}

bool is_trailing_punctuation(char c) {
    return c == '.' || c == '-' || c == '_';
}

// The readings of the name run `run` (see mention_candidates).
std::vector<std::string> readings(std::string_view run) {
    std::vector<std::string> out;
    while (!run.empty()) {
        if (is_valid_name(run)) out.emplace_back(run);
        if (!is_trailing_punctuation(run.back())) break;
        run.remove_suffix(1);
    }
    return out;
}

} // namespace

bool is_valid_name(std::string_view name) {
    return names::is_well_formed(name);
}

std::string name_key(std::string_view name) {
    return names::key(name);
}

bool is_valid_room(std::string_view room) {
    if (room.empty() || room.size() > wire::max_room_chars) return false;
    for (char const c : room) {
        bool const ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                        c == ':' || c == '.';
        if (!ok) return false;
    }
    return true;
}

bool is_valid_text(std::string_view text) {
    if (text.empty() || !util::is_valid_utf8(text)) return false;
    std::size_t count = 0;
    bool visible = false;
    for (std::size_t pos = 0; pos < text.size();) {
        auto const cp = util::next_code_point(text, pos);
        if (++count > wire::max_text_chars) return false;
        if (is_forbidden_control(cp) || is_bidi_control(cp)) return false;
        // U+FFFD stands for what could not be represented: a JavaScript lone surrogate arrives
        // as U+FFFD (the Socket.IO decoder replaces it), and broken UTF-8 upstream makes it too.
        if (cp == 0xFFFD) return false;
        if (!u_isUWhiteSpace(static_cast<UChar32>(cp))) visible = true;
    }
    return visible;
}

bool is_valid_client_id(std::string_view id) {
    if (id.empty() || !util::is_valid_utf8(id)) return false;
    return util::code_point_count(id) <= wire::max_client_id_chars;
}

std::optional<mention> parse_mention(std::string_view text) {
    if (!text.starts_with('@')) return std::nullopt;
    auto const space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto const name = text.substr(1, space - 1);
    if (!is_valid_name(name)) return std::nullopt;
    return mention{std::string(name), std::string(text.substr(space + 1))};
}

} // namespace kibitz::chat

namespace kibitz::chat {

std::vector<std::vector<std::string>> mention_candidates(std::string_view text, std::size_t max) {
    std::vector<std::vector<std::string>> out;
    if (!util::is_valid_utf8(text)) return out;
    bool after_name_char = false;
    for (std::size_t pos = 0; pos < text.size() && out.size() < max;) {
        auto const cp = util::next_code_point(text, pos);
        if (cp != '@' || after_name_char) {
            after_name_char = is_name_char(cp);
            continue;
        }
        std::size_t const start = pos;
        std::size_t end = pos;
        for (std::size_t chars = 0; end < text.size() && chars <= wire::max_name_chars; ++chars) {
            std::size_t next = end;
            if (!is_name_char(util::next_code_point(text, next))) break;
            end = next;
        }
        auto r = readings(text.substr(start, end - start));
        if (!r.empty()) out.push_back(std::move(r));
        after_name_char = false;
        pos = end;
    }
    return out;
}

} // namespace kibitz::chat
