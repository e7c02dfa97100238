#include <kibitz/socketio/decoder.hpp>

#include "payload_check.hpp"
#include <kibitz/socketio/wire.hpp>
#include <kibitz/util/utf8.hpp>

#include <algorithm>
#include <exception>
#include <string>

namespace kibitz::socketio {
namespace {

int hex4(std::string_view s, std::size_t pos) {
    if (pos + 4 > s.size()) return -1;
    int v = 0;
    for (std::size_t k = pos; k < pos + 4; ++k) {
        char c = s[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

// Copies `json` into `out` with every \u escape of an unpaired surrogate replaced by \ufffd.
// Returns false (and leaves `out` alone) when there is none, the common case.
bool replace_lone_surrogates(std::string_view json, std::string& out) {
    bool changed = false;
    std::size_t copied = 0;
    for (std::size_t i = 0; i + 1 < json.size(); ++i) {
        if (json[i] != '\\') continue;
        if (json[i + 1] != 'u') {
            ++i; // skip the escaped character (it may be a backslash)
            continue;
        }
        int v = hex4(json, i + 2);
        if (v < 0xD800 || v > 0xDFFF) {
            i += 5;
            continue;
        }
        bool paired = v <= 0xDBFF && i + 7 < json.size() && json[i + 6] == '\\' &&
                      json[i + 7] == 'u' && hex4(json, i + 8) >= 0xDC00 &&
                      hex4(json, i + 8) <= 0xDFFF;
        if (paired) {
            i += 11;
            continue;
        }
        out.append(json.substr(copied, i - copied));
        out += "\\ufffd";
        copied = i + 6;
        changed = true;
        i += 5;
    }
    if (changed) out.append(json.substr(copied));
    return changed;
}

class decode_category_impl final : public std::error_category {
public:
    char const* name() const noexcept override { return "socketio.decode"; }

    std::string message(int ev) const override {
        switch (static_cast<decode_error>(ev)) {
        case decode_error::invalid_type:
            return "unknown packet type";
        case decode_error::invalid_attachments:
            return "Illegal attachments";
        case decode_error::too_many_attachments:
            return "too many attachments";
        case decode_error::invalid_namespace:
            return "invalid namespace";
        case decode_error::invalid_ack_id:
            return "invalid ack id";
        case decode_error::invalid_payload:
            return "invalid payload";
        case decode_error::nesting_too_deep:
            return "payload nested too deep";
        case decode_error::invalid_event_name:
            return "event name is not a string";
        case decode_error::reserved_event_name:
            return "reserved event name";
        case decode_error::invalid_placeholder:
            return "illegal attachments";
        case decode_error::unexpected_binary:
            return "got binary data when not reconstructing a packet";
        case decode_error::unexpected_text:
            return "got plaintext data when reconstructing a packet";
        case decode_error::attachments_too_large:
            return "attachments too large";
        case decode_error::binary_timeout:
            return "binary attachments timed out";
        case decode_error::reused_attachment:
            return "attachment named by more than one placeholder";
        case decode_error::unused_attachment:
            return "attachment named by no placeholder";
        case decode_error::too_many_values:
            return "too many JSON values";
        }
        return "unknown socketio decode error";
    }
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_binary_type(packet_type type) {
    return type == packet_type::binary_event || type == packet_type::binary_ack;
}

// Refuses JSON text that opens more than `max_depth` arrays/objects at once, or that holds more
// than `max_values` values (counted as 1 + the commas and opening brackets outside strings, at
// least the number of values). Scanning before parsing keeps a hostile "[[[[..." from ever
// reaching the parser, and bounds the tree nlohmann would build (up to ~25 bytes per byte).
std::optional<decode_error> scan_json(std::string_view text, decoder_limits const& limits) {
    std::size_t depth = 0;
    std::size_t values = 1;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limits.max_depth) return decode_error::nesting_too_deep;
            if (++values > limits.max_values) return decode_error::too_many_values;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        } else if (c == ',' && ++values > limits.max_values) {
            return decode_error::too_many_values;
        }
    }
    return std::nullopt;
}

// A placeholder is an object whose "_placeholder" is true (socket.io-parser lib/binary.ts).
bool is_placeholder(json const& value) {
    if (!value.is_object()) return false;
    auto const it = value.find(wire::placeholder_key);
    return it != value.end() && *it == true;
}

// The attachment a placeholder stands for: its "num", when that is an index below `count`.
std::optional<std::size_t> placeholder_index(json const& placeholder, std::size_t count) {
    auto const num = placeholder.find(wire::placeholder_num_key);
    if (num == placeholder.end()) return std::nullopt;
    if (num->is_number_unsigned() && num->get<std::uint64_t>() < count) {
        return static_cast<std::size_t>(num->get<std::uint64_t>());
    }
    if (num->is_number_integer() && num->get<std::int64_t>() >= 0 &&
        static_cast<std::uint64_t>(num->get<std::int64_t>()) < count) {
        return static_cast<std::size_t>(num->get<std::int64_t>());
    }
    return std::nullopt;
}

// Checks that every placeholder in `value` names one of `used.size()` attachments, none twice,
// marking each in `used`. Recursion is bounded by decoder_limits::max_depth, checked before
// parsing.
std::optional<decode_error> mark_placeholders(json const& value, std::vector<bool>& used) {
    if (is_placeholder(value)) {
        auto const index = placeholder_index(value, used.size());
        if (!index) return decode_error::invalid_placeholder;
        if (used[*index]) return decode_error::reused_attachment;
        used[*index] = true;
        return std::nullopt;
    }
    if (value.is_structured()) {
        for (auto const& element : value) {
            if (auto const e = mark_placeholders(element, used)) return e;
        }
    }
    return std::nullopt;
}

// Each of `count` attachments must be named by exactly one placeholder: a second name would copy
// the bytes again (work multiplied by the input), an unnamed one would be held for nothing.
std::optional<decode_error> check_placeholders(json const& value, std::size_t count) {
    std::vector<bool> used(count, false);
    if (auto const e = mark_placeholders(value, used)) return e;
    if (std::find(used.begin(), used.end(), false) != used.end()) {
        return decode_error::unused_attachment;
    }
    return std::nullopt;
}

// Moves the attachment bytes in place of the (validated, each used once) placeholders.
void fill_placeholders(json& value, std::vector<std::vector<std::uint8_t>>& buffers) {
    if (is_placeholder(value)) {
        auto& bytes = buffers[*placeholder_index(value, buffers.size())];
        value = json::binary(std::move(bytes));
        return;
    }
    if (value.is_structured()) {
        for (auto& element : value)
            fill_placeholders(element, buffers);
    }
}

// Parses `<type>[<attachments>-][<nsp>,][<id>][<JSON>]` (socket.io-protocol README, "Format"),
// following socket.io-parser 4.2.4 decodeString except that counts and ids are plain decimal
// digits (Node's Number() coercion also takes spaces, "0x1" and "1e1").
std::optional<decode_error> parse_text(std::string_view s, decoder_limits const& limits, packet& p,
                                       std::size_t& attachments) {
    if (s.empty() || s[0] < '0' || s[0] > '6') return decode_error::invalid_type;
    p.type = static_cast<packet_type>(s[0] - '0');
    std::size_t i = 1;
    attachments = 0;
    if (is_binary_type(p.type)) {
        std::size_t const start = i;
        for (; i < s.size() && is_digit(s[i]); ++i) {
            attachments = attachments * 10 + static_cast<std::size_t>(s[i] - '0');
            if (attachments > limits.max_attachments) return decode_error::too_many_attachments;
        }
        if (i == start || i == s.size() || s[i] != '-') return decode_error::invalid_attachments;
        ++i;
    }
    // The namespace starts with '/' and runs to the next ',' (or to the end).
    if (i < s.size() && s[i] == '/') {
        std::size_t const comma = std::min(s.find(',', i), s.size());
        p.nsp.assign(s.substr(i, comma - i));
        if (!util::is_valid_utf8(p.nsp)) return decode_error::invalid_namespace;
        i = comma == s.size() ? comma : comma + 1;
    }
    if (i < s.size() && is_digit(s[i])) {
        std::uint64_t id = 0;
        for (; i < s.size() && is_digit(s[i]); ++i) {
            id = id * 10 + static_cast<std::uint64_t>(s[i] - '0');
            if (id > max_ack_id) return decode_error::invalid_ack_id;
        }
        p.id = id;
    }
    if (i < s.size()) {
        std::string_view const payload = s.substr(i);
        if (auto const e = scan_json(payload, limits)) return e;
        // JavaScript strings may hold lone surrogates, which JSON.stringify writes as "\ud800"
        // and UTF-8 cannot hold: they become U+FFFD, so the packet still decodes.
        std::string repaired;
        std::string_view text = payload;
        if (replace_lone_surrogates(payload, repaired)) text = repaired;
        p.data = json::parse(text.begin(), text.end(), nullptr, false);
        if (p.data.is_discarded()) return decode_error::invalid_payload;
        // null is the absence of a payload: socket.io-parser refuses it for every type.
        if (p.data.is_null()) return decode_error::invalid_payload;
    }
    if (auto const e = detail::check_payload(p, limits)) return e;
    if (is_binary_type(p.type)) {
        if (auto const e = check_placeholders(p.data, attachments)) return e;
    }
    // The application sees EVENT/ACK; binary is in the data (socket.io-parser Decoder.add).
    if (p.type == packet_type::binary_event) p.type = packet_type::event;
    if (p.type == packet_type::binary_ack) p.type = packet_type::ack;
    return std::nullopt;
}

} // namespace

// socket.io-parser 4.2.4 Decoder.isPayloadValid, made stricter: EVENT and ACK
// need a payload (socket.io-protocol README: "The payload is mandatory"), an event name must be
// a string (4.2.4 also lets a number through) and may be refused when reserved.
std::optional<decode_error> detail::check_payload(packet const& p, decoder_limits const& limits) {
    json const& d = p.data;
    switch (p.type) {
    case packet_type::connect:
        if (p.has_data() && !d.is_object()) return decode_error::invalid_payload;
        return std::nullopt;
    case packet_type::disconnect:
        if (p.has_data()) return decode_error::invalid_payload;
        return std::nullopt;
    case packet_type::connect_error:
        if (p.has_data() && !d.is_string() && !d.is_object()) return decode_error::invalid_payload;
        return std::nullopt;
    case packet_type::event:
    case packet_type::binary_event:
        if (!d.is_array() || d.empty()) return decode_error::invalid_payload;
        if (!d[0].is_string()) return decode_error::invalid_event_name;
        if (limits.reject_reserved_events &&
            is_reserved_event_name(d[0].get_ref<json::string_t const&>())) {
            return decode_error::reserved_event_name;
        }
        return std::nullopt;
    case packet_type::ack:
    case packet_type::binary_ack:
        if (!d.is_array()) return decode_error::invalid_payload;
        return std::nullopt;
    }
    return decode_error::invalid_type;
}

std::error_category const& decode_category() noexcept {
    static decode_category_impl const category;
    return category;
}

std::error_code make_error_code(decode_error e) noexcept {
    return {static_cast<int>(e), decode_category()};
}

bool is_reserved_event_name(std::string_view name) noexcept {
    auto const& names = wire::reserved_event_names;
    return std::find(names.begin(), names.end(), name) != names.end();
}

decoder::decoder(decoder_limits limits) : limits_(limits) {}

decode_result decoder::feed_text(std::string_view text, util::time_point now) {
    // socket.io-parser throws on text while reconstructing; a late one is a timeout.
    if (pending_)
        return fail(expired(now) ? decode_error::binary_timeout : decode_error::unexpected_text);
    try {
        return take_text(text, now);
    } catch (std::exception const&) {
        return fail(decode_error::invalid_payload);
    }
}

decode_result decoder::feed_binary(std::string_view bytes, util::time_point now) {
    if (!pending_) return fail(decode_error::unexpected_binary);
    if (expired(now)) return fail(decode_error::binary_timeout);
    try {
        return take_binary(bytes);
    } catch (std::exception const&) {
        return fail(decode_error::invalid_payload);
    }
}

decode_result decoder::take_text(std::string_view text, util::time_point now) {
    decode_result r;
    std::size_t attachments = 0;
    if (auto const e = parse_text(text, limits_, r.pkt, attachments)) return fail(*e);
    if (attachments == 0) {
        r.status = decode_status::packet;
        return r;
    }
    // Hold the packet until its attachments arrive, for at most binary_timeout.
    pending_ = std::move(r.pkt);
    expected_ = attachments;
    buffers_.reserve(attachments);
    deadline_ = now + limits_.binary_timeout;
    return decode_result{};
}

decode_result decoder::take_binary(std::string_view bytes) {
    if (bytes.size() > limits_.max_attachment_bytes - buffered_bytes_) {
        return fail(decode_error::attachments_too_large);
    }
    buffered_bytes_ += bytes.size();
    buffers_.emplace_back(bytes.begin(), bytes.end());
    if (buffers_.size() < expected_) return decode_result{};
    // The last attachment: rebuild the packet (socket.io-parser reconstructPacket).
    decode_result r;
    r.status = decode_status::packet;
    r.pkt = std::move(*pending_);
    fill_placeholders(r.pkt.data, buffers_);
    reset();
    return r;
}

std::optional<util::time_point> decoder::deadline() const noexcept {
    if (!pending_) return std::nullopt;
    return deadline_;
}

bool decoder::expired(util::time_point now) const noexcept {
    return pending_.has_value() && now >= deadline_;
}

void decoder::reset() noexcept {
    pending_.reset();
    expected_ = 0;
    buffers_.clear();
    buffers_.shrink_to_fit();
    buffered_bytes_ = 0;
    deadline_ = {};
}

decode_result decoder::fail(decode_error e) {
    reset();
    decode_result r;
    r.status = decode_status::error;
    r.error = e;
    return r;
}

} // namespace kibitz::socketio
