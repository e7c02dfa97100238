#pragma once

#include <kibitz/store/counters.hpp>

#include <chrono>
#include <cstdint>

namespace kibitz::store::detail {

// Times one database operation on the thread that runs it and adds it to its latency
// histogram when it ends (however it returns). `c` may be null (a moved-from database).
class timed {
public:
    timed(counters* c, operation op) noexcept
        : c_(c), op_(op), start_(std::chrono::steady_clock::now()) {}
    ~timed() {
        if (!c_) return;
        auto const us = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - start_);
        c_->latency_us[static_cast<std::size_t>(op_)].observe(
            static_cast<std::uint64_t>(us.count()));
    }
    timed(timed const&) = delete;
    timed& operator=(timed const&) = delete;

private:
    counters* c_;
    operation op_;
    std::chrono::steady_clock::time_point start_;
};

} // namespace kibitz::store::detail
