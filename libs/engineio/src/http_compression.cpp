#include "http_compression.hpp"

#include <kibitz/http/message.hpp>

#include <zlib.h>

#include <array>
#include <climits>
#include <cstddef>

namespace kibitz::engineio::detail {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// A qvalue (RFC 9110 section 12.4.2): "0", "1", "0.5", "1.000"; nullopt when malformed.
std::optional<double> parse_q(std::string_view v) {
    if (v.empty() || (v[0] != '0' && v[0] != '1')) return std::nullopt;
    double q = v[0] == '1' ? 1.0 : 0.0;
    if (v.size() == 1) return q;
    if (v[1] != '.' || v.size() > 5) return std::nullopt;
    double scale = 0.1;
    for (std::size_t i = 2; i < v.size(); ++i) {
        if (v[i] < '0' || v[i] > '9') return std::nullopt;
        q += (v[i] - '0') * scale;
        scale /= 10;
    }
    return q > 1.0 ? std::nullopt : std::optional<double>(q);
}

// One entry of Accept-Encoding: "gzip;q=0.8" or "*".
struct accept_entry {
    std::string_view name;
    double q = 1.0;
};

std::optional<accept_entry> parse_entry(std::string_view item) {
    auto semi = item.find(';');
    accept_entry e{trim(item.substr(0, semi)), 1.0};
    if (e.name.empty()) return std::nullopt;
    while (semi != std::string_view::npos) {
        item.remove_prefix(semi + 1);
        semi = item.find(';');
        auto param = trim(item.substr(0, semi));
        auto eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        if (!http::header_name_equals(trim(param.substr(0, eq)), "q")) continue;
        auto q = parse_q(trim(param.substr(eq + 1)));
        if (!q) return std::nullopt;
        e.q = *q;
    }
    return e;
}

// How acceptable `coding` is: negotiator's priority (specificity, then q, then the later entry).
struct priority {
    int specificity = -1; // -1: no entry names it
    double q = 0;
    std::size_t order = 0;
};

bool better(priority const& a, priority const& b) {
    if (a.specificity != b.specificity) return a.specificity > b.specificity;
    if (a.q != b.q) return a.q > b.q;
    return a.order > b.order;
}

priority priority_of(std::string_view coding, std::string_view header) {
    priority best;
    std::size_t order = 0;
    while (true) {
        auto comma = header.find(',');
        if (auto e = parse_entry(header.substr(0, comma))) {
            int s = http::header_name_equals(e->name, coding) ? 1 : e->name == "*" ? 0 : -1;
            priority p{s, e->q, order};
            if (s >= 0 && better(p, best)) best = p;
            ++order;
        }
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
    }
    return best;
}
} // namespace

std::string_view coding_name(content_coding c) {
    switch (c) {
    case content_coding::gzip:
        return "gzip";
    case content_coding::deflate:
        return "deflate";
    default:
        return {};
    }
}

content_coding choose_coding(std::optional<std::string_view> accept_encoding) {
    if (!accept_encoding) return content_coding::identity;
    auto gzip = priority_of("gzip", *accept_encoding);
    auto deflate = priority_of("deflate", *accept_encoding);
    bool gzip_ok = gzip.specificity >= 0 && gzip.q > 0;
    bool deflate_ok = deflate.specificity >= 0 && deflate.q > 0;
    // negotiator sorts by q, then specificity, then header order, then the order asked for.
    if (gzip_ok && deflate_ok) {
        if (gzip.q != deflate.q)
            return gzip.q > deflate.q ? content_coding::gzip : content_coding::deflate;
        if (gzip.specificity != deflate.specificity)
            return gzip.specificity > deflate.specificity ? content_coding::gzip
                                                          : content_coding::deflate;
        return deflate.order < gzip.order ? content_coding::deflate : content_coding::gzip;
    }
    if (gzip_ok) return content_coding::gzip;
    if (deflate_ok) return content_coding::deflate;
    return content_coding::identity;
}

std::optional<std::string> compress_body(std::string_view body, content_coding c) {
    if (c == content_coding::identity || body.size() > UINT_MAX) return std::nullopt;
    // windowBits 15 + 16 writes the gzip wrapper; 15 alone the zlib one.
    int window_bits = c == content_coding::gzip ? 15 + 16 : 15;
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return std::nullopt;
    std::string out;
    out.resize(deflateBound(&z, static_cast<uLong>(body.size())));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    z.avail_in = static_cast<uInt>(body.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    // deflateBound leaves room for everything: one call finishes the stream.
    int rc = deflate(&z, Z_FINISH);
    auto written = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return std::nullopt;
    out.resize(written);
    return out;
}

void compress_response(http_response& r, content_coding coding,
                       http_compression_options const& opts) {
    // engine.io: only bodies of at least the threshold are worth compressing.
    if (!opts.enabled || r.body.size() < opts.threshold) return;
    auto packed = compress_body(r.body, coding);
    if (!packed) return;
    r.set("Content-Encoding", coding_name(coding));
    r.body = std::move(*packed);
}

} // namespace kibitz::engineio::detail
