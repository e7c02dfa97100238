#include "measure.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace kibitz::bench {

double self_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto seconds = [](timeval tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

std::optional<double> process_allocations(int pid) {
    std::ifstream in("/tmp/count_malloc." + std::to_string(pid), std::ios::binary);
    unsigned char bytes[8] = {};
    if (!in.read(reinterpret_cast<char*>(bytes), sizeof bytes)) return std::nullopt;
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | bytes[i];
    return static_cast<double>(n);
}

std::optional<double> process_cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    // After ')': state is field 3; utime and stime are fields 14 and 15.
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<double> runqueue_wait_seconds(int pid) {
    std::ifstream in(pid > 0 ? "/proc/" + std::to_string(pid) + "/schedstat"
                             : std::string("/proc/thread-self/schedstat"));
    // Fields: time on the CPU, time waiting on a run queue (both ns), timeslices.
    unsigned long long on_cpu = 0, waiting = 0;
    if (!(in >> on_cpu >> waiting)) return std::nullopt;
    return static_cast<double>(waiting) / 1e9;
}

std::optional<long> process_rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return std::nullopt;
}

long raise_fd_limit(long wanted) {
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    auto const want = static_cast<rlim_t>(wanted);
    if (rl.rlim_cur < want) {
        rlimit more = rl;
        more.rlim_cur = want;
        if (more.rlim_max < want) more.rlim_max = want;
        // Raising the hard limit needs privilege; otherwise go as far as the hard limit.
        if (setrlimit(RLIMIT_NOFILE, &more) != 0) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    return static_cast<long>(rl.rlim_cur);
}

latency_summary summarise(std::vector<std::uint32_t>& micros) {
    latency_summary s;
    s.samples = micros.size();
    if (micros.empty()) return s;
    auto at = [&](double q) {
        auto k = static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1));
        std::nth_element(micros.begin(), micros.begin() + static_cast<std::ptrdiff_t>(k),
                         micros.end());
        return micros[k] / 1000.0;
    };
    s.p50 = at(0.50);
    s.p90 = at(0.90);
    s.p99 = at(0.99);
    s.max = *std::max_element(micros.begin(), micros.end()) / 1000.0;
    return s;
}

} // namespace kibitz::bench
