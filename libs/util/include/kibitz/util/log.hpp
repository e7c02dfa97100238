#pragma once

#include <sstream>
#include <string_view>

namespace kibitz::util {

enum class log_level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

// The process-wide log threshold; messages below it are not formatted at all.
log_level log_threshold();
void set_log_threshold(log_level level);

// Parses "debug", "info", "warn", "error" or "off"; anything else leaves `out` alone.
bool parse_log_level(std::string_view text, log_level& out);

// Writes one line "<time> <level> <text>" to stderr. Thread-safe (one write per line).
void log_line(log_level level, std::string_view text);

// log(level, a, b, c) formats its arguments with operator<< into one line.
template<class... Args>
void log(log_level level, Args const&... args) {
    if (level < log_threshold()) return;
    std::ostringstream out;
    (out << ... << args);
    log_line(level, out.str());
}

} // namespace kibitz::util
