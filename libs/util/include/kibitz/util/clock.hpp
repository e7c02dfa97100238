#pragma once

#include <chrono>
#include <cstdint>

namespace kibitz::util {

// Monotonic time for deadlines (heartbeats, timeouts, rate windows). Pure code never reads a
// clock itself: it takes a `time_point now` argument, so tests drive time by hand.
using steady_clock = std::chrono::steady_clock;
using time_point = steady_clock::time_point;
using duration = std::chrono::milliseconds;

// Milliseconds on the steady clock (its own epoch, meaningful within this process only): the
// scale of in-process durations kept as integers (game clocks, grace periods), which a step of
// the wall clock must not move.
inline std::int64_t steady_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Milliseconds since the Unix epoch, the unit of every time on the wire (PROTOCOL.md).
inline std::int64_t unix_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace kibitz::util
