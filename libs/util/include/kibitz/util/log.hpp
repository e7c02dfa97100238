#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <sstream>
#include <string>
#include <string_view>

namespace kibitz::util {

enum class log_level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

// How lines look: "<time> <level> <text>" (text), or one JSON object per line (json):
// {"time":"2026-01-02T03:04:05.678Z","level":"info","module":"kibitz","msg":"...",...fields}.
enum class log_format { text, json };

// The process-wide log threshold; messages below it are not formatted at all.
log_level log_threshold();
void set_log_threshold(log_level level);
log_format current_log_format();
void set_log_format(log_format format);

// Parses "debug", "info", "warn", "error" or "off"; anything else leaves `out` alone.
bool parse_log_level(std::string_view text, log_level& out);
std::string_view log_level_name(log_level level);

// One field of a structured line (log_event). Keys that name secrets (sid, token, password,
// auth, cookie, authorization: is_secret_log_key) are never written, whatever the caller
// passes: session ids and tokens stay out of the logs.
struct log_field {
    std::string_view key;
    std::string_view value;
};
bool is_secret_log_key(std::string_view key);

// One line, '\n' included: pure, for the tests. `module` may be empty; in JSON a text's
// "module: " prefix (a short word before the first ": ") becomes the module.
std::string format_log_line(log_format format, std::int64_t unix_ms, log_level level,
                            std::string_view module, std::string_view message,
                            std::span<log_field const> fields);

// Writes one line "<time> <level> <text>" (or its JSON form) to stderr. Thread-safe (one write
// per line).
void log_line(log_level level, std::string_view text);

// A structured line: a module ("http", "kibitz"), a message, and fields (ids, counts). In
// text form the fields follow the message as key=value.
void log_event(log_level level, std::string_view module, std::string_view message,
               std::initializer_list<log_field> fields = {});

// log(level, a, b, c) formats its arguments with operator<< into one line.
template<class... Args>
void log(log_level level, Args const&... args) {
    if (level < log_threshold()) return;
    std::ostringstream out;
    (out << ... << args);
    log_line(level, out.str());
}

} // namespace kibitz::util
