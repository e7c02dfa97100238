#include "timestamp.hpp"

#include <cmath>
#include <string>

namespace kibitz::msgpack::detail {

namespace {

struct civil {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

// Howard Hinnant's civil_from_days: the proleptic Gregorian date `days` after 1970-01-01.
civil civil_from_days(std::int64_t days) {
    days += 719468;
    std::int64_t const era = (days >= 0 ? days : days - 146096) / 146097;
    auto const doe = static_cast<unsigned>(days - era * 146097);
    unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned const mp = (5 * doy + 2) / 153;
    unsigned const day = doy - (153 * mp + 2) / 5 + 1;
    unsigned const month = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

// Appends `v` (>= 0) in decimal, zero-padded to `width` digits.
void digits(std::string& out, std::int64_t v, std::size_t width) {
    std::string const d = std::to_string(v);
    if (d.size() < width) out.append(width - d.size(), '0');
    out += d;
}

} // namespace

json timestamp_to_json(std::int64_t seconds, std::uint32_t nanoseconds) {
    // JavaScript computes in doubles, then Date's TimeClip truncates toward zero.
    double const ms_double =
        static_cast<double>(seconds) * 1e3 + static_cast<double>(nanoseconds) / 1e6;
    if (!(std::fabs(ms_double) <= 8.64e15)) return nullptr;
    auto const ms = static_cast<std::int64_t>(std::trunc(ms_double));
    std::int64_t const days = floor_div(ms, 86'400'000);
    std::int64_t const in_day = ms - days * 86'400'000;
    civil const date = civil_from_days(days);
    std::string text;
    if (date.year < 0 || date.year > 9999) {
        text.push_back(date.year < 0 ? '-' : '+');
        digits(text, date.year < 0 ? -date.year : date.year, 6);
    } else {
        digits(text, date.year, 4);
    }
    text.push_back('-');
    digits(text, date.month, 2);
    text.push_back('-');
    digits(text, date.day, 2);
    text.push_back('T');
    digits(text, in_day / 3'600'000, 2);
    text.push_back(':');
    digits(text, in_day / 60'000 % 60, 2);
    text.push_back(':');
    digits(text, in_day / 1000 % 60, 2);
    text.push_back('.');
    digits(text, in_day % 1000, 3);
    text.push_back('Z');
    return text;
}

} // namespace kibitz::msgpack::detail
