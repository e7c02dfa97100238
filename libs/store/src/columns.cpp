#include "columns.hpp"

#include <algorithm>
#include <cstdlib>

namespace kibitz::store::detail {

std::string join_words(std::vector<std::string> const& words) {
    std::string out;
    for (auto const& w : words) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

std::string join_words(std::vector<std::int64_t> const& numbers) {
    std::string out;
    for (auto n : numbers) {
        if (!out.empty()) out += ' ';
        out += std::to_string(n);
    }
    return out;
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto const space = text.find(' ');
        if (space != 0) out.emplace_back(text.substr(0, space));
        if (space == std::string_view::npos) break;
        text.remove_prefix(space + 1);
    }
    return out;
}

std::vector<std::int64_t> split_numbers(std::string_view text) {
    std::vector<std::int64_t> out;
    for (auto const& word : split_words(text)) {
        char* end = nullptr;
        long long const n = std::strtoll(word.c_str(), &end, 10);
        out.push_back(end && *end == '\0' ? n : 0);
    }
    return out;
}

change_outcome may_change(message_record const& m, message_change const& c) {
    bool const in_room =
        std::any_of(c.rooms.begin(), c.rooms.end(),
                    [&m](message_change::room const& r) { return r.name == m.room; });
    bool const visible = !m.to_key || m.from_key == c.author_key || *m.to_key == c.author_key;
    if (!in_room || !visible) return change_outcome::not_found;
    if (m.from_key != c.author_key) return change_outcome::forbidden;
    return change_outcome::changed;
}

} // namespace kibitz::store::detail
