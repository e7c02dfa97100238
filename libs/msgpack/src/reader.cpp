#include <kibitz/msgpack/reader.hpp>

#include "timestamp.hpp"

#include <kibitz/util/utf8.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace kibitz::msgpack {

namespace {

class read_category_impl final : public std::error_category {
public:
    char const* name() const noexcept override { return "msgpack.read"; }
    std::string message(int e) const override {
        switch (static_cast<read_error>(e)) {
        case read_error::truncated:
            return "truncated input";
        case read_error::invalid_byte:
            return "invalid byte";
        case read_error::too_large:
            return "message too large";
        case read_error::too_deep:
            return "nesting too deep";
        case read_error::too_many_values:
            return "too many values";
        case read_error::invalid_utf8:
            return "string is not UTF-8";
        case read_error::invalid_key:
            return "map key is not a string";
        case read_error::invalid_timestamp:
            return "invalid timestamp";
        case read_error::trailing_bytes:
            return "bytes after the value";
        }
        return "unknown msgpack error";
    }
};

// One read: the input, where it is, and what it has used of the limits. Every read_* checks
// that its bytes are there before it touches or allocates anything.
class parser {
public:
    parser(std::string_view bytes, reader_limits const& limits) : in_(bytes), limits_(limits) {}

    std::error_code value(json& out, std::size_t depth);
    bool at_end() const { return pos_ == in_.size(); }

private:
    std::size_t left() const { return in_.size() - pos_; }
    bool take(std::size_t n, std::uint64_t& v);
    std::error_code scalar(std::uint8_t b, json& out);
    std::error_code sized(std::uint8_t b, json& out, std::size_t depth);
    std::error_code str(std::size_t n, json& out);
    std::error_code bin(std::size_t n, json& out);
    std::error_code ext(std::size_t n, json& out);
    std::error_code array(std::size_t n, json& out, std::size_t depth);
    std::error_code map(std::size_t n, json& out, std::size_t depth);
    std::error_code length_then(std::size_t width, std::uint8_t kind, json& out, std::size_t depth);

    std::string_view in_;
    reader_limits const& limits_;
    std::size_t pos_ = 0;
    std::size_t values_ = 0;
};

// Reads an n-byte big-endian unsigned integer.
bool parser::take(std::size_t n, std::uint64_t& v) {
    if (left() < n) return false;
    v = 0;
    for (std::size_t i = 0; i < n; ++i)
        v = (v << 8) | static_cast<std::uint8_t>(in_[pos_ + i]);
    pos_ += n;
    return true;
}

std::error_code parser::value(json& out, std::size_t depth) {
    if (++values_ > limits_.max_values) return read_error::too_many_values;
    std::uint64_t b = 0;
    if (!take(1, b)) return read_error::truncated;
    auto const byte = static_cast<std::uint8_t>(b);
    if (byte <= 0x7f) {
        out = static_cast<std::int64_t>(byte);
        return {};
    }
    if (byte >= 0xe0) {
        out = static_cast<std::int64_t>(static_cast<std::int8_t>(byte));
        return {};
    }
    if (byte <= 0x8f) return map(byte & 0x0f, out, depth);
    if (byte <= 0x9f) return array(byte & 0x0f, out, depth);
    if (byte <= 0xbf) return str(byte & 0x1f, out);
    return sized(byte, out, depth);
}

// 0xc0..0xdf: nil, bool, and the forms with a length or a fixed-width payload.
std::error_code parser::sized(std::uint8_t b, json& out, std::size_t depth) {
    if (b == 0xc0) {
        out = nullptr;
        return {};
    }
    if (b == 0xc1) return read_error::invalid_byte;
    if (b <= 0xc3) {
        out = b == 0xc3;
        return {};
    }
    if (b >= 0xca && b <= 0xd3) return scalar(b, out);
    if (b >= 0xd4 && b <= 0xd8) return ext(std::size_t{1} << (b - 0xd4), out); // fixext 1..16
    // bin 8/16/32, ext 8/16/32 (0xc4..0xc9); str 8/16/32, array 16/32, map 16/32 (0xd9..0xdf):
    // a length of `width` bytes, then the value.
    struct prefixed {
        std::uint8_t width;
        std::uint8_t kind;
    };
    static constexpr prefixed bin_ext[] = {{1, 'b'}, {2, 'b'}, {4, 'b'},
                                           {1, 'e'}, {2, 'e'}, {4, 'e'}};
    static constexpr prefixed str_array_map[] = {{1, 's'}, {2, 's'}, {4, 's'}, {2, 'a'},
                                                 {4, 'a'}, {2, 'm'}, {4, 'm'}};
    auto const& f = b <= 0xc9 ? bin_ext[b - 0xc4] : str_array_map[b - 0xd9];
    return length_then(f.width, f.kind, out, depth);
}

std::error_code parser::length_then(std::size_t width, std::uint8_t kind, json& out,
                                    std::size_t depth) {
    std::uint64_t n = 0;
    if (!take(width, n)) return read_error::truncated;
    switch (kind) {
    case 'b':
        return bin(n, out);
    case 'e':
        return ext(n, out);
    case 's':
        return str(n, out);
    case 'a':
        return array(n, out, depth);
    default:
        return map(n, out, depth);
    }
}

// 0xca..0xd3: floats and integers of a fixed width.
std::error_code parser::scalar(std::uint8_t b, json& out) {
    static constexpr std::size_t widths[] = {4, 8, 1, 2, 4, 8, 1, 2, 4, 8};
    std::size_t const width = widths[b - 0xca];
    std::uint64_t v = 0;
    if (!take(width, v)) return read_error::truncated;
    if (b == 0xca) {
        auto const bits = static_cast<std::uint32_t>(v);
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        out = static_cast<double>(f);
    } else if (b == 0xcb) {
        double d = 0;
        std::memcpy(&d, &v, sizeof d);
        out = d;
    } else if (b <= 0xcf) {
        if (v <= static_cast<std::uint64_t>(INT64_MAX)) {
            out = static_cast<std::int64_t>(v);
        } else {
            out = v;
        }
    } else {
        // Sign-extend the two's complement value of `width` bytes.
        unsigned const shift = static_cast<unsigned>(64 - 8 * width);
        out = static_cast<std::int64_t>(v << shift) >> shift;
    }
    return {};
}

std::error_code parser::str(std::size_t n, json& out) {
    if (left() < n) return read_error::truncated;
    std::string_view const s = in_.substr(pos_, n);
    if (!util::is_valid_utf8(s)) return read_error::invalid_utf8;
    pos_ += n;
    out = std::string(s);
    return {};
}

std::error_code parser::bin(std::size_t n, json& out) {
    if (left() < n) return read_error::truncated;
    auto const* first = reinterpret_cast<std::uint8_t const*>(in_.data() + pos_);
    pos_ += n;
    out = json::binary(std::vector<std::uint8_t>(first, first + n));
    return {};
}

// An ext of n data bytes after its type byte: timestamps (type -1) become Date.toJSON strings.
std::error_code parser::ext(std::size_t n, json& out) {
    std::uint64_t type = 0;
    if (!take(1, type)) return read_error::truncated;
    if (left() < n) return read_error::truncated;
    if (type != 0xff) {
        auto const* first = reinterpret_cast<std::uint8_t const*>(in_.data() + pos_);
        pos_ += n;
        out = json::binary(std::vector<std::uint8_t>(first, first + n), type);
        return {};
    }
    std::uint64_t a = 0;
    std::uint64_t c = 0;
    if (n == 4) {
        take(4, a);
        out = detail::timestamp_to_json(static_cast<std::int64_t>(a), 0);
    } else if (n == 8) {
        take(8, a);
        out = detail::timestamp_to_json(static_cast<std::int64_t>(a & 0x3ffffffffULL),
                                        static_cast<std::uint32_t>(a >> 34));
    } else if (n == 12) {
        take(4, a);
        take(8, c);
        out =
            detail::timestamp_to_json(static_cast<std::int64_t>(c), static_cast<std::uint32_t>(a));
    } else {
        return read_error::invalid_timestamp;
    }
    return {};
}

std::error_code parser::array(std::size_t n, json& out, std::size_t depth) {
    if (depth > limits_.max_depth) return read_error::too_deep;
    // Each element takes at least one byte: a count past the end is refused before any work.
    if (left() < n) return read_error::truncated;
    out = json::array();
    auto& elements = out.get_ref<json::array_t&>();
    for (std::size_t i = 0; i < n; ++i) {
        elements.emplace_back();
        if (auto ec = value(elements.back(), depth + 1)) return ec;
    }
    return {};
}

std::error_code parser::map(std::size_t n, json& out, std::size_t depth) {
    if (depth > limits_.max_depth) return read_error::too_deep;
    if (left() / 2 < n) return read_error::truncated;
    out = json::object();
    for (std::size_t i = 0; i < n; ++i) {
        json key;
        if (auto ec = value(key, depth + 1)) return ec;
        if (!key.is_string()) return read_error::invalid_key;
        json& slot = out[key.get_ref<std::string const&>()];
        slot = nullptr;
        if (auto ec = value(slot, depth + 1)) return ec;
    }
    return {};
}

} // namespace

std::error_category const& read_category() noexcept {
    static read_category_impl const category;
    return category;
}

std::error_code make_error_code(read_error e) noexcept {
    return {static_cast<int>(e), read_category()};
}

std::error_code read(std::string_view bytes, json& out, reader_limits const& limits) {
    out = nullptr;
    if (bytes.size() > limits.max_bytes) return read_error::too_large;
    parser p(bytes, limits);
    std::error_code ec = p.value(out, 1);
    if (!ec && !p.at_end()) ec = read_error::trailing_bytes;
    if (ec) out = nullptr;
    return ec;
}

} // namespace kibitz::msgpack
