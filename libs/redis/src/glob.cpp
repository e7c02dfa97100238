#include <kibitz/redis/glob.hpp>

namespace kibitz::redis {

std::string escape_glob(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 4);
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

} // namespace kibitz::redis
