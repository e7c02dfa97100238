// Test helper several unit suites share (kibitz::test_support): running an event loop until a
// condition holds, with a safety net that turns a hang into a failure (never a timed wait).
#pragma once

#include <chrono>
#include <functional>

namespace kibitz::test {

// Runs `loop` (an asio::io_context) a handler at a time until `done` holds; false once `limit`
// has passed without it.
template<class Loop>
bool run_until(Loop& loop, std::function<bool()> const& done,
               std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        loop.restart();
        loop.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
}

} // namespace kibitz::test
