#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kibitz::util {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// Incremental validation for text split across WebSocket fragments (RFC 6455 section 8.1).
class utf8_validator {
public:
    // Feeds more bytes; returns false as soon as the bytes so far cannot start valid UTF-8.
    bool feed(std::string_view bytes);
    // True when the bytes fed so far end on a code point boundary.
    bool complete() const { return needed_ == 0; }
    void reset() {
        needed_ = 0;
        code_point_ = 0;
        lower_ = 0x80;
        upper_ = 0xBF;
    }

private:
    int needed_ = 0;
    std::uint32_t code_point_ = 0;
    unsigned char lower_ = 0x80;
    unsigned char upper_ = 0xBF;
};

// Decodes one code point at `pos` of valid UTF-8, advancing `pos`.
std::uint32_t next_code_point(std::string_view text, std::size_t& pos);

// The number of code points in valid UTF-8 text.
std::size_t code_point_count(std::string_view text);

} // namespace kibitz::util
