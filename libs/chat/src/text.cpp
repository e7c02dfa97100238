#include <kibitz/chat/text.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/util/utf8.hpp>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cstdint>

namespace kibitz::chat {
namespace {

bool is_letter(std::uint32_t cp) {
    return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & U_GC_L_MASK) != 0;
}

bool is_mark(std::uint32_t cp) {
    return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & U_GC_M_MASK) != 0;
}

bool is_decimal_digit(std::uint32_t cp) {
    return u_charType(static_cast<UChar32>(cp)) == U_DECIMAL_DIGIT_NUMBER;
}

// C0 (U+0000..U+001F), DEL and C1 (U+007F..U+009F), except tab and line feed.
bool is_forbidden_control(std::uint32_t cp) {
    if (cp == '\t' || cp == '\n') return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// Bidi embeddings and overrides (U+202A..U+202E) and isolates (U+2066..U+2069).
bool is_bidi_control(std::uint32_t cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

} // namespace

bool is_valid_name(std::string_view name) {
    if (name.empty() || !util::is_valid_utf8(name)) return false;
    std::size_t count = 0;
    bool after_base = false; // the previous code point can carry a combining mark
    for (std::size_t pos = 0; pos < name.size();) {
        auto const cp = util::next_code_point(name, pos);
        if (++count > wire::max_name_chars) return false;
        if (is_letter(cp) || is_decimal_digit(cp)) {
            after_base = true;
        } else if (is_mark(cp)) {
            if (!after_base) return false;
        } else if (cp == '_' || cp == '-' || cp == '.') {
            after_base = false;
        } else {
            return false;
        }
    }
    return true;
}

std::string name_key(std::string_view name) {
    if (!is_valid_name(name)) return {};
    UErrorCode status = U_ZERO_ERROR;
    auto const* fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status) || fold == nullptr) return {};
    auto source = icu::UnicodeString::fromUTF8(
        icu::StringPiece(name.data(), static_cast<std::int32_t>(name.size())));
    auto folded = fold->normalize(source, status);
    if (U_FAILURE(status)) return {};
    std::string key;
    folded.toUTF8String(key);
    return key;
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
