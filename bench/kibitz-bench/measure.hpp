#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace kibitz::bench {

// CPU time (user + system) this process has used, in seconds (getrusage).
double self_cpu_seconds();
// CPU time (user + system) of process `pid`, all its threads, from /proc/PID/stat.
std::optional<double> process_cpu_seconds(int pid);
// Seconds the main thread of process `pid` (0: this thread) has spent runnable but waiting for
// a CPU, from /proc/PID/schedstat: how much other work competed with it on its core.
std::optional<double> runqueue_wait_seconds(int pid);
// Resident set size of process `pid` in KiB, from /proc/PID/status (VmRSS).
std::optional<long> process_rss_kib(int pid);
// The allocations a server run under bench/profile/count_malloc.so has made so far (its
// counter file /tmp/count_malloc.PID), or nullopt when it is not counted.
std::optional<double> process_allocations(int pid);
// Raises this process's open-file limit to at least `wanted` (or as far as allowed); returns
// the soft limit in force afterwards.
long raise_fd_limit(long wanted);

// Latency percentiles in milliseconds.
struct latency_summary {
    std::size_t samples = 0;
    double p50 = 0, p90 = 0, p99 = 0, max = 0;
};
// Summarises samples given in microseconds; reorders them.
latency_summary summarise(std::vector<std::uint32_t>& micros);

} // namespace kibitz::bench
