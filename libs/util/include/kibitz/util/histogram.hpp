#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace kibitz::util {

// Observations counted into fixed buckets, for a Prometheus histogram (util::metrics renders
// it): counts per bucket (observations <= bounds[i], not cumulative; the last bucket holds those
// above every bound), and their sum. One thread observes; any thread may read. The counts are
// relaxed atomics written with plain load + store (one writer): on x86 that is an ordinary add,
// no lock and no read-modify-write instruction, and a reader on another thread sees a recent
// value, never a torn one. No allocation.
class histogram_counts {
public:
    static constexpr std::size_t max_bounds = 15;

    // `bounds`: ascending, at most max_bounds, living as long as this (a constexpr array).
    explicit constexpr histogram_counts(std::span<std::uint64_t const> bounds) noexcept
        : bounds_(bounds.first(bounds.size() < max_bounds ? bounds.size() : max_bounds)) {}

    void observe(std::uint64_t v) noexcept {
        std::size_t i = 0;
        while (i < bounds_.size() && v > bounds_[i])
            ++i;
        bump(counts_[i], 1);
        bump(sum_, v);
    }

    std::span<std::uint64_t const> bounds() const noexcept { return bounds_; }
    // Bucket i (0 .. bounds().size(); the last: above every bound).
    std::uint64_t count(std::size_t i) const noexcept {
        return counts_[i].load(std::memory_order_relaxed);
    }
    std::uint64_t sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

private:
    static void bump(std::atomic<std::uint64_t>& a, std::uint64_t n) noexcept {
        a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::span<std::uint64_t const> bounds_;
    std::array<std::atomic<std::uint64_t>, max_bounds + 1> counts_{};
    std::atomic<std::uint64_t> sum_{0};
};

} // namespace kibitz::util
