#include <kibitz/socketio/handshake.hpp>

#include <cstdio>
#include <ctime>

namespace kibitz::socketio {

std::optional<std::string_view> handshake::header(std::string_view name) const {
    for (auto const& [k, v] : headers)
        if (engineio::header_name_equals(k, name)) return std::string_view(v);
    return std::nullopt;
}

std::string js_date_string(std::int64_t unix_ms) {
    static constexpr char const* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto secs = static_cast<std::time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
    std::tm tm{};
    if (!gmtime_r(&secs, &tm)) return "Invalid Date";
    char buf[96];
    std::snprintf(buf, sizeof buf,
                  "%s %s %02d %04d %02d:%02d:%02d GMT+0000 (Coordinated Universal Time)",
                  days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buf;
}

} // namespace kibitz::socketio
