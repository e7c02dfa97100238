#pragma once

#include <kibitz/util/log.hpp>

#include <exception>
#include <string>
#include <string_view>

namespace kibitz::socketio::detail {

// At most 64 bytes of client-chosen text (an event name) for a log line, control bytes as '?'.
inline std::string printable(std::string_view text) {
    std::string out(text.substr(0, 64));
    for (auto& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    if (text.size() > 64) out += "...";
    return out;
}

// Logs that user code named `name` threw `error`; never throws (out of memory: no line).
inline void log_thrown(std::string_view what, std::string_view name, char const* error) noexcept {
    try {
        util::log(util::log_level::error, "socket.io: ", what, " '", printable(name),
                  "' threw: ", error);
    } catch (...) {
        // Nothing to do: the exception is contained all the same.
    }
}

// Runs user code `fn` at the library boundary. Returns false when it threw: the exception has
// been logged as "<what> '<name>' threw: ..." and the caller contains it (closes that socket).
template<class F>
bool run_guarded(std::string_view what, std::string_view name, F&& fn) noexcept {
    try {
        fn();
        return true;
    } catch (std::exception const& e) {
        log_thrown(what, name, e.what());
    } catch (...) {
        log_thrown(what, name, "a non-standard exception");
    }
    return false;
}

} // namespace kibitz::socketio::detail
