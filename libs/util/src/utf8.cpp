#include <kibitz/util/utf8.hpp>

namespace kibitz::util {

// The validator follows the well-formed byte sequences table of Unicode 15, section 3.9 (D92):
// after the lead byte the second byte's range depends on the lead; later bytes are 80..BF.
bool utf8_validator::feed(std::string_view bytes) {
    for (unsigned char c : bytes) {
        if (needed_ == 0) {
            if (c < 0x80) continue;
            lower_ = 0x80;
            upper_ = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                needed_ = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                if (c == 0xE0) lower_ = 0xA0;
                if (c == 0xED) upper_ = 0x9F;
                needed_ = 2;
            } else if (c >= 0xF0 && c <= 0xF4) {
                if (c == 0xF0) lower_ = 0x90;
                if (c == 0xF4) upper_ = 0x8F;
                needed_ = 3;
            } else {
                return false;
            }
            continue;
        }
        if (c < lower_ || c > upper_) return false;
        lower_ = 0x80;
        upper_ = 0xBF;
        --needed_;
    }
    return true;
}

bool is_valid_utf8(std::string_view text) {
    utf8_validator v;
    return v.feed(text) && v.complete();
}

std::uint32_t next_code_point(std::string_view text, std::size_t& pos) {
    auto c = static_cast<unsigned char>(text[pos++]);
    if (c < 0x80) return c;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    std::uint32_t cp = c & (0x3F >> extra);
    for (int i = 0; i < extra && pos < text.size(); ++i)
        cp = (cp << 6) | (static_cast<unsigned char>(text[pos++]) & 0x3F);
    return cp;
}

std::size_t code_point_count(std::string_view text) {
    std::size_t n = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

} // namespace kibitz::util
