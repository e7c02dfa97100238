#include <kibitz/redis/url.hpp>

namespace kibitz::redis {

namespace {

// Decimal digits only, within 0..max.
std::optional<unsigned> number(std::string_view s, unsigned max) {
    if (s.empty() || s.size() > 5) return {};
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return {};
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > max) return {};
    return v;
}

bool host_ok(std::string_view host) {
    if (host.empty()) return false;
    for (char c : host) {
        bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == ':';
        if (!ok) return false;
    }
    return true;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (i + 2 >= s.size()) return {};
        int const hi = hex_digit(s[i + 1]);
        int const lo = hex_digit(s[i + 2]);
        if (hi < 0 || lo < 0) return {};
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

// "user:password", ":password" or "password" before the '@'.
bool parse_userinfo(std::string_view info, url& out) {
    std::size_t const colon = info.find(':');
    auto user = percent_decode(colon == std::string_view::npos ? "" : info.substr(0, colon));
    auto pass = percent_decode(colon == std::string_view::npos ? info : info.substr(colon + 1));
    if (!user || !pass || pass->empty()) return false;
    out.username = std::move(*user);
    out.password = std::move(*pass);
    return true;
}

} // namespace

std::optional<url> parse_url(std::string_view text) {
    constexpr std::string_view scheme = "redis://";
    if (!text.starts_with(scheme)) return {};
    text.remove_prefix(scheme.size());
    std::string_view authority = text.substr(0, text.find('/'));
    std::string_view path = text.substr(authority.size());
    url out;
    if (std::size_t const at = authority.rfind('@'); at != std::string_view::npos) {
        if (!parse_userinfo(authority.substr(0, at), out)) return {};
        authority.remove_prefix(at + 1);
    }
    std::string_view port;
    if (authority.starts_with('[')) {
        std::size_t const close = authority.find(']');
        if (close == std::string_view::npos) return {};
        out.host = std::string(authority.substr(1, close - 1));
        std::string_view const rest = authority.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) return {};
        if (!rest.empty()) port = rest.substr(1);
        if (!rest.empty() && port.empty()) return {};
    } else {
        std::size_t const colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return {};
        }
        if (out.host.find(':') != std::string::npos) return {};
    }
    if (!host_ok(out.host)) return {};
    if (!port.empty()) {
        auto const p = number(port, 65535);
        if (!p || *p == 0) return {};
        out.port = static_cast<std::uint16_t>(*p);
    }
    if (path.size() > 1) {
        auto const db = number(path.substr(1), 65535);
        if (!db) return {};
        out.db = static_cast<int>(*db);
    }
    return out;
}

} // namespace kibitz::redis
