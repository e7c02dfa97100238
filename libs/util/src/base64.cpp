#include <kibitz/util/base64.hpp>

#include <array>
#include <cstdint>

namespace kibitz::util {

namespace {
constexpr char standard_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> make_decode_table() {
    std::array<std::int8_t, 256> table{};
    for (auto& v : table)
        v = -1;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(standard_alphabet[i])] = i;
    return table;
}
constexpr auto decode_table = make_decode_table();

void encode_with(std::string_view bytes, std::string& out, char const* alphabet, bool pad) {
    auto const* p = reinterpret_cast<unsigned char const*>(bytes.data());
    std::size_t n = bytes.size();
    out.reserve(out.size() + (n + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == n) {
        std::uint32_t v = p[i] << 16;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        if (pad) out += "==";
    } else if (i + 2 == n) {
        std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        if (pad) out += '=';
    }
}
} // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    encode_with(bytes, out, standard_alphabet, true);
    return out;
}

void base64_encode_append(std::string_view bytes, std::string& out) {
    encode_with(bytes, out, standard_alphabet, true);
}

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    encode_with(bytes, out, url_alphabet, false);
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    // Strip up to two '=' of padding; padding elsewhere is an error.
    std::size_t n = text.size();
    if (n > 0 && text[n - 1] == '=') --n;
    if (n > 0 && text[n - 1] == '=') --n;
    if (n % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(n / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        auto v = decode_table[static_cast<unsigned char>(text[i])];
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

} // namespace kibitz::util
