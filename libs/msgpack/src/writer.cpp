#include <kibitz/msgpack/writer.hpp>

#include <cassert>
#include <cmath>
#include <cstring>

namespace kibitz::msgpack {

namespace {

[[maybe_unused]] constexpr std::uint64_t max_length = 0xffffffffu;

} // namespace

void writer::be(std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        byte(static_cast<std::uint8_t>(v >> (8 * i)));
}

void writer::integer(std::int64_t v) {
    if (v >= 0) return unsigned_integer(static_cast<std::uint64_t>(v));
    // notepack: negative fixint from -32, then int8/16/32/64.
    if (v >= -0x20) return byte(static_cast<std::uint8_t>(v));
    auto const bits = static_cast<std::uint64_t>(v);
    if (v >= -0x80) {
        byte(0xd0);
        return be(bits, 1);
    }
    if (v >= -0x8000) {
        byte(0xd1);
        return be(bits, 2);
    }
    if (v >= -0x80000000LL) {
        byte(0xd2);
        return be(bits, 4);
    }
    byte(0xd3);
    be(bits, 8);
}

void writer::unsigned_integer(std::uint64_t v) {
    // notepack: positive fixint below 128, then uint8/16/32/64 (never the signed forms).
    if (v < 0x80) return byte(static_cast<std::uint8_t>(v));
    if (v < 0x100) {
        byte(0xcc);
        return be(v, 1);
    }
    if (v < 0x10000) {
        byte(0xcd);
        return be(v, 2);
    }
    if (v < 0x100000000ULL) {
        byte(0xce);
        return be(v, 4);
    }
    byte(0xcf);
    be(v, 8);
}

void writer::number(double v) {
    // JavaScript has one number type: notepack writes an integral value as an integer
    // (`Math.floor(v) === v`, so -0 too), within the range its integer forms hold exactly.
    constexpr double two_63 = 9223372036854775808.0;
    constexpr double two_64 = 18446744073709551616.0;
    if (std::isfinite(v) && std::floor(v) == v && v >= -two_63 && v < two_64) {
        if (v >= 0) return unsigned_integer(static_cast<std::uint64_t>(v));
        return integer(static_cast<std::int64_t>(v));
    }
    byte(0xcb);
    std::uint64_t bits = 0;
    static_assert(sizeof bits == sizeof v);
    std::memcpy(&bits, &v, sizeof bits);
    be(bits, 8);
}

void writer::string(std::string_view s) {
    assert(s.size() <= max_length);
    if (s.size() < 0x20) {
        byte(static_cast<std::uint8_t>(0xa0 | s.size()));
    } else if (s.size() < 0x100) {
        byte(0xd9);
        be(s.size(), 1);
    } else if (s.size() < 0x10000) {
        byte(0xda);
        be(s.size(), 2);
    } else {
        byte(0xdb);
        be(s.size(), 4);
    }
    out_.append(s);
}

void writer::binary(std::string_view bytes) {
    assert(bytes.size() <= max_length);
    if (bytes.size() < 0x100) {
        byte(0xc4);
        be(bytes.size(), 1);
    } else if (bytes.size() < 0x10000) {
        byte(0xc5);
        be(bytes.size(), 2);
    } else {
        byte(0xc6);
        be(bytes.size(), 4);
    }
    out_.append(bytes);
}

void writer::header(std::size_t n, std::uint8_t fix_base, std::size_t fix_limit,
                    std::uint8_t first) {
    assert(n <= max_length);
    if (n < fix_limit) return byte(static_cast<std::uint8_t>(fix_base | n));
    if (n < 0x10000) {
        byte(first);
        return be(n, 2);
    }
    byte(static_cast<std::uint8_t>(first + 1));
    be(n, 4);
}

void writer::array_header(std::size_t n) {
    header(n, 0x90, 0x10, 0xdc);
}

void writer::map_header(std::size_t n) {
    header(n, 0x80, 0x10, 0xde);
}

template<typename Json>
void writer::any(Json const& v) {
    switch (v.type()) {
    case nlohmann::detail::value_t::null:
    case nlohmann::detail::value_t::discarded:
        return nil();
    case nlohmann::detail::value_t::boolean:
        return boolean(v.template get<bool>());
    case nlohmann::detail::value_t::number_integer:
        return integer(v.template get<std::int64_t>());
    case nlohmann::detail::value_t::number_unsigned:
        return unsigned_integer(v.template get<std::uint64_t>());
    case nlohmann::detail::value_t::number_float:
        return number(v.template get<double>());
    case nlohmann::detail::value_t::string:
        return string(v.template get_ref<typename Json::string_t const&>());
    case nlohmann::detail::value_t::binary: {
        auto const& b = v.get_binary();
        return binary(std::string_view(reinterpret_cast<char const*>(b.data()), b.size()));
    }
    case nlohmann::detail::value_t::array:
        array_header(v.size());
        for (auto const& element : v)
            any(element);
        return;
    case nlohmann::detail::value_t::object:
        map_header(v.size());
        for (auto const& [key, element] : v.items()) {
            string(key);
            any(element);
        }
        return;
    }
}

void writer::value(json const& v) {
    any(v);
}

void writer::value(nlohmann::ordered_json const& v) {
    any(v);
}

std::string write(json const& v) {
    std::string out;
    writer(out).value(v);
    return out;
}

std::string write(nlohmann::ordered_json const& v) {
    std::string out;
    writer(out).value(v);
    return out;
}

} // namespace kibitz::msgpack
