#include <kibitz/admin/bcrypt.hpp>

#include <crypt.h>

#include <cstddef>
#include <memory>
#include <string>

namespace kibitz::admin {

namespace {
constexpr std::size_t bcrypt_length = 60;

bool is_bcrypt_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '/';
}
} // namespace

bool is_bcrypt_hash(std::string_view hash) {
    if (hash.size() != bcrypt_length || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' ||
        hash[6] != '$')
        return false;
    if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
    if (hash[4] < '0' || hash[4] > '3' || hash[5] < '0' || hash[5] > '9') return false;
    int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
    if (cost < 4 || cost > 31) return false;
    for (char c : hash.substr(7))
        if (!is_bcrypt_char(c)) return false;
    return true;
}

bool bcrypt_check(std::string_view password, std::string_view hash) {
    if (!is_bcrypt_hash(hash) || password.find('\0') != std::string_view::npos) return false;
    std::string const key(password);
    std::string const setting(hash);
    // struct crypt_data is large (tens of KB): on the heap, zeroed as crypt_r wants it.
    auto data = std::make_unique<crypt_data>();
    char const* out = crypt_r(key.c_str(), setting.c_str(), data.get());
    if (out == nullptr || out[0] == '*') return false;
    std::string_view computed(out);
    if (computed.size() != hash.size()) return false;
    // Compared in constant time: the time taken says nothing about how much matched.
    unsigned char diff = 0;
    for (std::size_t i = 0; i < hash.size(); ++i)
        diff = static_cast<unsigned char>(diff | (computed[i] ^ hash[i]));
    return diff == 0;
}

} // namespace kibitz::admin
