#include <kibitz/util/metrics.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace kibitz::util {

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        // Prometheus text format: backslash, double quote and line feed are escaped.
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

void metrics::gauge(std::string name, labels l, reader read) {
    add(std::move(name), std::move(l), std::move(read), kind::gauge);
}

void metrics::counter(std::string name, labels l, reader read) {
    add(std::move(name), std::move(l), std::move(read), kind::counter);
}

void metrics::histogram(std::string name, labels l, histogram_counts const& h, double divisor,
                        std::shared_ptr<void const> keep) {
    auto& s = add(std::move(name), std::move(l), {}, kind::histogram);
    s.hist = &h;
    s.divisor = divisor;
    s.keep = std::move(keep);
}

namespace {
// Prometheus text format values: integers as integers, the rest as %.17g (NaN, +Inf as named).
std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::nearbyint(v) == v && std::fabs(v) < 9.0e15)
        return std::to_string(static_cast<std::int64_t>(v));
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%.17g", v);
    return buf.data();
}
} // namespace

metrics::sample& metrics::add(std::string name, labels l, reader read, kind k) {
    std::string text;
    for (auto const& [key, value] : l)
        text += (text.empty() ? "" : ",") + key + "=\"" + escape_label_value(value) + "\"";
    auto it = std::find_if(families_.begin(), families_.end(),
                           [&name](family const& f) { return f.name == name; });
    if (it == families_.end())
        it = families_.insert(families_.end(), family{std::move(name), {}, k});
    ++samples_;
    auto& s = it->samples.emplace_back();
    s.labels = std::move(text);
    s.read = std::move(read);
    return s;
}

void metrics::render_histogram(std::string& out, std::string const& name, sample const& s) {
    auto const& h = *s.hist;
    auto const bounds = h.bounds();
    std::string const sep = s.labels.empty() ? "" : ",";
    std::uint64_t total = 0;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
        total += h.count(i);
        auto le = i < bounds.size() ? format_value(static_cast<double>(bounds[i]) / s.divisor)
                                    : std::string("+Inf");
        out += name + "_bucket{" + s.labels + sep + "le=\"" + le + "\"} " +
               format_value(static_cast<double>(total)) + "\n";
    }
    std::string const braced = s.labels.empty() ? "" : "{" + s.labels + "}";
    out += name + "_sum" + braced + " " + format_value(static_cast<double>(h.sum()) / s.divisor) +
           "\n";
    out += name + "_count" + braced + " " + format_value(static_cast<double>(total)) + "\n";
}

std::string metrics::render() const {
    std::string out;
    for (auto const& f : families_) {
        constexpr std::array<char const*, 3> types = {" gauge\n", " counter\n", " histogram\n"};
        out += "# TYPE " + f.name + types[static_cast<std::size_t>(f.type)];
        for (auto const& s : f.samples) {
            if (s.hist) {
                render_histogram(out, f.name, s);
                continue;
            }
            auto braced = s.labels.empty() ? "" : "{" + s.labels + "}";
            out += f.name + braced + " " + format_value(s.read()) + "\n";
        }
    }
    return out;
}

} // namespace kibitz::util
