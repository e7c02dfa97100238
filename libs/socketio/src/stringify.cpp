#include "stringify.hpp"

#include <kibitz/socketio/encoder.hpp>
#include <kibitz/socketio/wire.hpp>
#include <kibitz/util/utf8.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace kibitz::socketio {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

template<typename Integer>
void append_integer(std::string& out, Integer value) {
    char buf[24];
    auto const r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, r.ptr);
}

// ECMA-262 Number::toString(10), from the shortest round-trip digits: fixed notation for
// decimal exponents in (-7, 21], exponent notation ("1e+21", "1.5e-7") outside.
void append_number(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out += "null"; // JSON.stringify(Infinity) and JSON.stringify(NaN)
        return;
    }
    if (value == 0) {
        out += '0'; // -0 too
        return;
    }
    char buf[32];
    auto const r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view const text(buf, static_cast<std::size_t>(r.ptr - buf));
    std::size_t const e = text.find('e');
    std::string digits;
    for (char c : text.substr(0, e)) {
        if (c >= '0' && c <= '9') digits += c;
    }
    if (value < 0) out += '-';
    int const k = static_cast<int>(digits.size());
    // The exponent reads "e+26" or "e-7"; from_chars takes no '+'.
    std::string_view exponent = text.substr(e + 1);
    if (exponent.front() == '+') exponent.remove_prefix(1);
    int n = 0;
    std::from_chars(exponent.data(), exponent.data() + exponent.size(), n);
    ++n;
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, 0, static_cast<std::size_t>(n));
        out += '.';
        out.append(digits, static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += n - 1 < 0 ? "e-" : "e+";
        append_integer(out, std::abs(n - 1));
    }
}

void append_escaped_ascii(std::string& out, char c) {
    static constexpr char hex[] = "0123456789abcdef";
    switch (c) {
    case '"':
        out += "\\\"";
        return;
    case '\\':
        out += "\\\\";
        return;
    case '\b':
        out += "\\b";
        return;
    case '\f':
        out += "\\f";
        return;
    case '\n':
        out += "\\n";
        return;
    case '\r':
        out += "\\r";
        return;
    case '\t':
        out += "\\t";
        return;
    default:
        break;
    }
    auto const u = static_cast<unsigned char>(c);
    if (u < 0x20) {
        out += "\\u00";
        out += hex[u >> 4];
        out += hex[u & 0xF];
    } else {
        out += c;
    }
}

// The length of the well-formed UTF-8 sequence at the start of `text`, 0 when there is none.
std::size_t sequence_length(std::string_view text) {
    for (std::size_t n = 1; n <= 4 && n <= text.size(); ++n) {
        if (util::is_valid_utf8(text.substr(0, n))) return n;
    }
    return 0;
}

// JSON.stringify's QuoteJSONString on UTF-8: bytes of multi-byte sequences never need escaping.
// Ill-formed bytes (which a JavaScript string cannot hold) become U+FFFD one byte at a time.
void append_string(std::string& out, std::string_view s) {
    out += '"';
    if (util::is_valid_utf8(s)) {
        for (char c : s)
            append_escaped_ascii(out, c);
    } else {
        std::size_t pos = 0;
        while (pos < s.size()) {
            std::size_t const n = sequence_length(s.substr(pos));
            if (n == 0) {
                out += replacement_character;
                ++pos;
            } else if (n == 1) {
                append_escaped_ascii(out, s[pos++]);
            } else {
                out.append(s, pos, n);
                pos += n;
            }
        }
    }
    out += '"';
}

void append_buffer_json(std::string& out, json::binary_t const& bytes) {
    out += R"({"type":"Buffer","data":[)";
    bool first = true;
    for (std::uint8_t b : bytes) {
        if (!first) out += ',';
        first = false;
        append_integer(out, static_cast<unsigned>(b));
    }
    out += "]}";
}

void append_placeholder(std::string& out, json::binary_t const& bytes,
                        std::vector<std::string>& attachments) {
    out += "{\"";
    out += wire::placeholder_key;
    out += "\":true,\"";
    out += wire::placeholder_num_key;
    out += "\":";
    append_integer(out, attachments.size());
    out += '}';
    attachments.emplace_back(bytes.begin(), bytes.end());
}

// The one writer behind append_json and append_json_extracting (attachments null: Buffer JSON).
void write(std::string& out, json const& value, std::vector<std::string>* attachments) {
    switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
        out += "null";
        return;
    case json::value_t::boolean:
        out += value.get_ref<json::boolean_t const&>() ? "true" : "false";
        return;
    case json::value_t::number_integer:
        append_integer(out, value.get<json::number_integer_t>());
        return;
    case json::value_t::number_unsigned:
        append_integer(out, value.get<json::number_unsigned_t>());
        return;
    case json::value_t::number_float:
        append_number(out, value.get<json::number_float_t>());
        return;
    case json::value_t::string:
        append_string(out, value.get_ref<json::string_t const&>());
        return;
    case json::value_t::binary:
        if (attachments != nullptr) {
            append_placeholder(out, value.get_binary(), *attachments);
        } else {
            append_buffer_json(out, value.get_binary());
        }
        return;
    case json::value_t::array: {
        out += '[';
        bool first = true;
        for (auto const& element : value.get_ref<json::array_t const&>()) {
            if (!first) out += ',';
            first = false;
            write(out, element, attachments);
        }
        out += ']';
        return;
    }
    case json::value_t::object: {
        out += '{';
        bool first = true;
        for (auto const& [key, element] : value.get_ref<json::object_t const&>()) {
            if (!first) out += ',';
            first = false;
            append_string(out, key);
            out += ':';
            write(out, element, attachments);
        }
        out += '}';
        return;
    }
    }
}

} // namespace

void append_json(std::string& out, json const& value) {
    write(out, value, nullptr);
}

std::string stringify(json const& value) {
    std::string out;
    append_json(out, value);
    return out;
}

namespace detail {

std::string valid_utf8(std::string_view text) {
    if (util::is_valid_utf8(text)) return std::string(text);
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t const n = sequence_length(text.substr(pos));
        if (n == 0) {
            out += replacement_character;
            ++pos;
        } else {
            out.append(text, pos, n);
            pos += n;
        }
    }
    return out;
}

void append_json_extracting(std::string& out, json const& value,
                            std::vector<std::string>& attachments) {
    write(out, value, &attachments);
}

} // namespace detail
} // namespace kibitz::socketio
