#include <kibitz/util/log.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace kibitz::util {

namespace {
std::atomic<log_level> threshold{log_level::info};

char const* level_name(log_level level) {
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
} // namespace

log_level log_threshold() {
    return threshold.load(std::memory_order_relaxed);
}

void set_log_threshold(log_level level) {
    threshold.store(level, std::memory_order_relaxed);
}

bool parse_log_level(std::string_view text, log_level& out) {
    for (auto level :
         {log_level::debug, log_level::info, log_level::warn, log_level::error, log_level::off}) {
        if (text == level_name(level)) {
            out = level;
            return true;
        }
    }
    return false;
}

void log_line(log_level level, std::string_view text) {
    using namespace std::chrono;
    auto now = system_clock::now();
    std::time_t secs = system_clock::to_time_t(now);
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string line;
    line.reserve(text.size() + 48);
    line += stamp;
    line += '.';
    line += static_cast<char>('0' + ms / 100);
    line += static_cast<char>('0' + ms / 10 % 10);
    line += static_cast<char>('0' + ms % 10);
    line += "Z ";
    line += level_name(level);
    line += ' ';
    line += text;
    line += '\n';
    // One fwrite per line keeps lines whole when threads log at once.
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace kibitz::util
