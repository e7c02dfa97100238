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
    add(std::move(name), std::move(l), std::move(read), false);
}

void metrics::counter(std::string name, labels l, reader read) {
    add(std::move(name), std::move(l), std::move(read), true);
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

void metrics::add(std::string name, labels l, reader read, bool counter) {
    std::string text;
    for (auto const& [key, value] : l)
        text += (text.empty() ? "{" : ",") + key + "=\"" + escape_label_value(value) + "\"";
    if (!text.empty()) text += "}";
    auto it = std::find_if(families_.begin(), families_.end(),
                           [&name](family const& f) { return f.name == name; });
    if (it == families_.end())
        it = families_.insert(families_.end(), family{std::move(name), {}, counter});
    it->samples.push_back(sample{std::move(text), std::move(read)});
    ++samples_;
}

std::string metrics::render() const {
    std::string out;
    for (auto const& f : families_) {
        out += "# TYPE " + f.name + (f.counter ? " counter\n" : " gauge\n");
        for (auto const& s : f.samples)
            out += f.name + s.labels + " " + format_value(s.read()) + "\n";
    }
    return out;
}

} // namespace kibitz::util
