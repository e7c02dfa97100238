#include <kibitz/chess_app/messages.hpp>
#include <kibitz/util/utf8.hpp>

#include <cstdint>

namespace kibitz::chess_app {

namespace {

// Blocks of code points that are not letters, digits or combining marks (an approximation of
// Unicode's L, M and Nd categories without tables; see valid_name).
bool non_letter(std::uint32_t cp) {
    struct range {
        std::uint32_t first, last;
    };
    static constexpr range ranges[] = {
        {0x0080, 0x00BF},   // C1 controls, Latin-1 punctuation and symbols
        {0x00D7, 0x00D7},   // multiplication sign
        {0x00F7, 0x00F7},   // division sign
        {0x037E, 0x037E},   // Greek question mark
        {0x0387, 0x0387},   // Greek ano teleia
        {0x055A, 0x055F},   // Armenian punctuation
        {0x0589, 0x058A},   // Armenian full stop, hyphen
        {0x060C, 0x060D},   // Arabic comma
        {0x061B, 0x061F},   // Arabic punctuation
        {0x066A, 0x066D},   // Arabic punctuation
        {0x06D4, 0x06D4},   // Arabic full stop
        {0x0964, 0x0965},   // Devanagari danda
        {0x0E3F, 0x0E3F},   // Thai baht
        {0x1680, 0x1680},   // Ogham space
        {0x2000, 0x2BFF},   // spaces, punctuation, symbols, arrows, math, shapes, dingbats
        {0x2E00, 0x2E7F},   // supplemental punctuation
        {0x3000, 0x3004},   // ideographic space and punctuation
        {0x3008, 0x3020},   // CJK brackets and marks
        {0x3030, 0x3030},   // wavy dash
        {0xD800, 0xF8FF},   // surrogates and private use
        {0xFD3E, 0xFD3F},   // ornate parentheses
        {0xFE10, 0xFE1F},   // vertical forms
        {0xFE30, 0xFE6F},   // compatibility forms, small forms
        {0xFEFF, 0xFEFF},   // byte order mark
        {0xFF00, 0xFF0F},   // fullwidth punctuation
        {0xFF1A, 0xFF20},   // fullwidth punctuation
        {0xFF3B, 0xFF40},   // fullwidth punctuation
        {0xFF5B, 0xFF65},   // fullwidth punctuation
        {0xFFF0, 0xFFFF},   // specials
        {0x1F000, 0x1FAFF}, // emoji, symbols, games
        {0xE0000, 0x10FFFF} // tags, private use planes
    };
    for (auto const& r : ranges)
        if (cp >= r.first && cp <= r.last) return true;
    return false;
}

bool ascii_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

} // namespace

bool valid_name(std::string_view name) {
    if (name.empty() || !util::is_valid_utf8(name)) return false;
    std::size_t count = 0;
    for (std::size_t pos = 0; pos < name.size();) {
        auto const cp = util::next_code_point(name, pos);
        if (cp < 0x80 ? !ascii_ok(static_cast<char>(cp)) : non_letter(cp)) return false;
        if (++count > 24) return false;
    }
    return true;
}

} // namespace kibitz::chess_app
