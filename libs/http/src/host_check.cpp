#include <kibitz/http/host.hpp>

#include <charconv>

namespace kibitz::http {

namespace {
std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The name part of a Host header: "[::1]:3000" -> "[::1]", "a.b:80" -> "a.b", lower case.
std::string host_name(std::string_view host) {
    if (host.starts_with('[')) {
        auto close = host.find(']');
        return lower_ascii(close == std::string_view::npos ? host : host.substr(0, close + 1));
    }
    auto colon = host.find(':');
    auto name = lower_ascii(host.substr(0, colon));
    // A trailing dot names the same host ("localhost.").
    if (!name.empty() && name.back() == '.') name.pop_back();
    return name;
}

// True for a dotted-quad IPv4 address in 127.0.0.0/8.
bool is_loopback_ipv4(std::string_view name) {
    int parts = 0;
    int first = -1;
    while (!name.empty()) {
        auto dot = name.find('.');
        auto part = name.substr(0, dot);
        int value = -1;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (part.empty() || part.size() > 3 || ec != std::errc{} ||
            end != part.data() + part.size() || value > 255)
            return false;
        if (parts++ == 0) first = value;
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
        if (name.empty()) return false;
    }
    return parts == 4 && first == 127;
}
} // namespace

bool is_loopback_host(std::string_view host) {
    auto name = host_name(host);
    if (name == "localhost" || name.ends_with(".localhost")) return true;
    if (name == "[::1]" || name == "[0:0:0:0:0:0:0:1]") return true;
    return is_loopback_ipv4(name);
}

bool host_allowed(std::string_view host, std::vector<std::string> const& allowed) {
    if (is_loopback_host(host)) return true;
    auto name = host_name(host);
    for (auto const& a : allowed)
        if (a == "*" || host_name(a) == name) return true;
    return false;
}

} // namespace kibitz::http
