#pragma once

#include <kibitz/util/histogram.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kibitz::util {

// The gauges that GET /metrics shows (Prometheus text format 0.0.4), registered by whoever owns
// each figure: the binary registers its own (uptime, connections) and each module its own (its
// namespace's sockets), so the binary names no module's metric. A gauge is read when render()
// runs, on the thread that calls it (the loop: the readers may touch loop-owned state).
// Not thread-safe; the owner serialises calls. The readers must stay valid while render() may run.
class metrics {
public:
    using labels = std::vector<std::pair<std::string, std::string>>;
    // A value: integers print as integers, others with full precision (seconds of CPU).
    using reader = std::function<double()>;

    // Adds the sample `name{labels}`, whose value `read` gives. `name` must be a valid metric
    // name ([a-zA-Z_:][a-zA-Z0-9_:]*) and label names valid label names (our own code passes
    // them; label values may be anything, they are escaped). Samples of one name are shown
    // together under one `# TYPE <name> gauge` line, in the order they were added; names in
    // the order they were first added.
    void gauge(std::string name, labels l, reader read);
    void gauge(std::string name, reader read) { gauge(std::move(name), {}, std::move(read)); }
    // The same for a counter (`# TYPE <name> counter`): a total that only grows; by Prometheus
    // convention its name ends in _total.
    void counter(std::string name, labels l, reader read);
    void counter(std::string name, reader read) { counter(std::move(name), {}, std::move(read)); }
    // A histogram (`# TYPE <name> histogram`): <name>_bucket{...,le="b"} (cumulative, then
    // le="+Inf"), <name>_sum and <name>_count, read from `h` at each render; its bounds and sum
    // are divided by `divisor` (microseconds shown as seconds: 1e6). `h` must outlive render()
    // (`keep`, when given, is held as long as the registry: the owner of `h`).
    void histogram(std::string name, labels l, histogram_counts const& h, double divisor = 1,
                   std::shared_ptr<void const> keep = nullptr);

    // The text of every gauge, as of now.
    std::string render() const;

    std::size_t size() const { return samples_; }

private:
    enum class kind { gauge, counter, histogram };
    struct sample {
        std::string labels; // rendered without braces: `a="x",b="y"` or empty
        reader read;
        histogram_counts const* hist = nullptr; // a histogram's
        double divisor = 1;
        std::shared_ptr<void const> keep;
    };
    struct family {
        std::string name;
        std::vector<sample> samples;
        kind type = kind::gauge;
    };
    sample& add(std::string name, labels l, reader read, kind k);
    static void render_histogram(std::string& out, std::string const& name, sample const& s);
    std::vector<family> families_;
    std::size_t samples_ = 0;
};

// A label value as the text format writes it between quotes: '\\', '"' and newline escaped.
std::string escape_label_value(std::string_view v);

} // namespace kibitz::util
