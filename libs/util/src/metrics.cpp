#include <kibitz/util/metrics.hpp>

#include <algorithm>

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
    std::string text;
    for (auto const& [key, value] : l)
        text += (text.empty() ? "{" : ",") + key + "=\"" + escape_label_value(value) + "\"";
    if (!text.empty()) text += "}";
    auto it = std::find_if(families_.begin(), families_.end(),
                           [&name](family const& f) { return f.name == name; });
    if (it == families_.end()) it = families_.insert(families_.end(), family{std::move(name), {}});
    it->samples.push_back(sample{std::move(text), std::move(read)});
    ++samples_;
}

std::string metrics::render() const {
    std::string out;
    for (auto const& f : families_) {
        out += "# TYPE " + f.name + " gauge\n";
        for (auto const& s : f.samples)
            out += f.name + s.labels + " " + std::to_string(s.read()) + "\n";
    }
    return out;
}

} // namespace kibitz::util
