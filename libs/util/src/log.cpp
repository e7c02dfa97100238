#include <kibitz/util/json.hpp>
#include <kibitz/util/log.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace kibitz::util {

namespace {
std::atomic<log_level> threshold{log_level::info};
std::atomic<log_format> format_now{log_format::text};

constexpr std::array<std::string_view, 6> secret_keys = {"sid",  "token",  "password",
                                                         "auth", "cookie", "authorization"};

// "2026-01-02T03:04:05.678Z"
std::string iso_time(std::int64_t unix_ms) {
    std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
    auto ms = unix_ms % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = stamp;
    out += '.';
    out += static_cast<char>('0' + ms / 100);
    out += static_cast<char>('0' + ms / 10 % 10);
    out += static_cast<char>('0' + ms % 10);
    out += 'Z';
    return out;
}

// The "module: " prefix of a free text line: a word of up to 24 characters without spaces.
void split_module(std::string_view& module, std::string_view& message) {
    if (!module.empty()) return;
    auto colon = message.find(": ");
    if (colon == std::string_view::npos || colon == 0 || colon > 24) return;
    auto word = message.substr(0, colon);
    if (word.find(' ') != std::string_view::npos) return;
    module = word;
    message.remove_prefix(colon + 2);
}

std::string json_line(std::int64_t unix_ms, log_level level, std::string_view module,
                      std::string_view message, std::span<log_field const> fields) {
    split_module(module, message);
    nlohmann::ordered_json o;
    o["time"] = iso_time(unix_ms);
    o["level"] = log_level_name(level);
    if (!module.empty()) o["module"] = module;
    o["msg"] = message;
    for (auto const& f : fields)
        if (!is_secret_log_key(f.key) && f.key != "time" && f.key != "level" && f.key != "msg")
            o[std::string(f.key)] = f.value;
    // Bytes that are not UTF-8 (a client's path, say) become U+FFFD rather than an exception.
    return o.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + '\n';
}
} // namespace

log_level log_threshold() {
    return threshold.load(std::memory_order_relaxed);
}

void set_log_threshold(log_level level) {
    threshold.store(level, std::memory_order_relaxed);
}

log_format current_log_format() {
    return format_now.load(std::memory_order_relaxed);
}

void set_log_format(log_format format) {
    format_now.store(format, std::memory_order_relaxed);
}

std::string_view log_level_name(log_level level) {
    switch (level) {
    case log_level::debug:
        return "debug";
    case log_level::info:
        return "info";
    case log_level::warn:
        return "warn";
    case log_level::error:
        return "error";
    case log_level::off:
        break;
    }
    return "off";
}

bool parse_log_level(std::string_view text, log_level& out) {
    for (auto level :
         {log_level::debug, log_level::info, log_level::warn, log_level::error, log_level::off}) {
        if (text == log_level_name(level)) {
            out = level;
            return true;
        }
    }
    return false;
}

bool is_secret_log_key(std::string_view key) {
    for (auto secret : secret_keys)
        if (key == secret) return true;
    return false;
}

std::string format_log_line(log_format format, std::int64_t unix_ms, log_level level,
                            std::string_view module, std::string_view message,
                            std::span<log_field const> fields) {
    if (format == log_format::json) return json_line(unix_ms, level, module, message, fields);
    std::string line = iso_time(unix_ms);
    line.reserve(line.size() + message.size() + 32);
    line += ' ';
    line += log_level_name(level);
    line += ' ';
    if (!module.empty()) {
        line += module;
        line += ": ";
    }
    line += message;
    for (auto const& f : fields) {
        if (is_secret_log_key(f.key)) continue;
        line += ' ';
        line += f.key;
        line += '=';
        line += f.value;
    }
    line += '\n';
    return line;
}

namespace {
std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void write_line(std::string const& line) {
    // One fwrite per line keeps lines whole when threads log at once.
    std::fwrite(line.data(), 1, line.size(), stderr);
}
} // namespace

void log_line(log_level level, std::string_view text) {
    write_line(format_log_line(current_log_format(), now_ms(), level, {}, text, {}));
}

void log_event(log_level level, std::string_view module, std::string_view message,
               std::initializer_list<log_field> fields) {
    if (level < log_threshold()) return;
    std::span<log_field const> list(fields.begin(), fields.size());
    write_line(format_log_line(current_log_format(), now_ms(), level, module, message, list));
}

} // namespace kibitz::util
