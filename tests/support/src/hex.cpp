#include <kibitz/test/hex.hpp>

namespace kibitz::test {

std::string from_hex(std::string_view hex) {
    auto const digit = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    std::string out;
    int pending = -1;
    for (char c : hex) {
        if (c == ' ') continue;
        if (pending < 0) {
            pending = digit(c);
        } else {
            out.push_back(static_cast<char>(pending * 16 + digit(c)));
            pending = -1;
        }
    }
    return out;
}

std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        auto const b = static_cast<unsigned char>(c);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

} // namespace kibitz::test
