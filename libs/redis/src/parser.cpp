#include <kibitz/redis/parser.hpp>

#include <limits>

namespace kibitz::redis {

namespace {

class parse_category_impl final : public std::error_category {
public:
    char const* name() const noexcept override { return "redis.parse"; }
    std::string message(int e) const override {
        switch (static_cast<parse_error>(e)) {
        case parse_error::invalid_type:
            return "invalid reply type";
        case parse_error::invalid_line:
            return "invalid line ending";
        case parse_error::invalid_integer:
            return "invalid integer";
        case parse_error::invalid_length:
            return "invalid length";
        case parse_error::line_too_long:
            return "line too long";
        case parse_error::bulk_too_large:
            return "bulk string too large";
        case parse_error::array_too_long:
            return "array too long";
        case parse_error::too_deep:
            return "arrays nested too deep";
        case parse_error::too_many_values:
            return "reply of too many values";
        case parse_error::buffer_full:
            return "too many unconsumed bytes";
        }
        return "unknown RESP error";
    }
};

// Canonical decimal (what Redis writes): "0", or digits without a leading zero, optionally
// after '-' (never "-0"), within int64.
std::optional<std::int64_t> parse_int(std::string_view s) {
    bool const negative = !s.empty() && s[0] == '-';
    if (negative) s.remove_prefix(1);
    if (s.empty() || s.size() > 19 || (s[0] == '0' && (s.size() > 1 || negative))) return {};
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return {};
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    auto const max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (v > max + (negative ? 1 : 0)) return {};
    if (negative) return static_cast<std::int64_t>(0 - v);
    return static_cast<std::int64_t>(v);
}

} // namespace

std::error_category const& parse_category() noexcept {
    static parse_category_impl const category;
    return category;
}

std::error_code make_error_code(parse_error e) noexcept {
    return {static_cast<int>(e), parse_category()};
}

parser::parser(parser_limits limits) : limits_(limits) {}

bool parser::idle() const noexcept {
    return buffer_.size() == pos_ && !bulk_ && stack_.empty() && !error_;
}

void parser::reset() {
    buffer_.clear();
    pos_ = 0;
    scan_ = 0;
    bulk_.reset();
    stack_.clear();
    reply_values_ = 0;
    error_.reset();
}

std::error_code parser::feed(std::string_view bytes) {
    if (error_) return *error_;
    if (buffered() + bytes.size() > limits_.max_buffered_bytes) {
        error_ = parse_error::buffer_full;
        return *error_;
    }
    // Drop the consumed prefix once it is at least half the buffer: each byte moves O(1) times.
    if (pos_ > 0 && pos_ >= buffer_.size() / 2) {
        buffer_.erase(0, pos_);
        scan_ -= pos_;
        pos_ = 0;
    }
    buffer_.append(bytes);
    return {};
}

parse_result parser::fail(parse_error e) {
    error_ = e;
    parse_result r;
    r.status = parse_status::error;
    r.error = e;
    return r;
}

// The line at pos_ (type byte included) without its CRLF, when it is all there.
std::optional<parse_error> parser::line(std::string_view& out, bool& complete) {
    complete = false;
    std::size_t const cr = buffer_.find('\r', scan_ > pos_ ? scan_ : pos_);
    std::size_t const end = cr == std::string::npos ? buffer_.size() : cr;
    // The length first, so a long line fails alike however its bytes were split.
    if (end - pos_ > limits_.max_line_bytes + 1) return parse_error::line_too_long;
    if (cr == std::string::npos || cr + 1 == buffer_.size()) {
        scan_ = end; // resume the search here next time
        return {};
    }
    if (buffer_[cr + 1] != '\n') return parse_error::invalid_line;
    out = std::string_view(buffer_).substr(pos_, cr - pos_);
    pos_ = cr + 2;
    scan_ = pos_;
    complete = true;
    return {};
}

// Starts the value a header line announces: complete at once (`done`), or a bulk string or
// array whose contents follow.
std::optional<parse_error> parser::start(char kind, std::string_view text,
                                         std::optional<value>& done) {
    switch (kind) {
    case '+':
        done = value::simple(std::string(text));
        return {};
    case '-':
        done = value::err(std::string(text));
        return {};
    case ':': {
        auto const n = parse_int(text);
        if (!n) return parse_error::invalid_integer;
        done = value::number(*n);
        return {};
    }
    case '$':
    case '*': {
        auto const n = parse_int(text);
        if (!n || *n < -1) return parse_error::invalid_length;
        if (*n == -1) {
            done = value{kind == '$' ? type::null : type::null_array, {}, 0, {}};
            return {};
        }
        auto const length = static_cast<std::uint64_t>(*n);
        if (kind == '$') {
            if (length > limits_.max_bulk_bytes) return parse_error::bulk_too_large;
            bulk_ = static_cast<std::size_t>(length);
            return {};
        }
        if (length > limits_.max_array_length) return parse_error::array_too_long;
        if (stack_.size() + 1 > limits_.max_depth) return parse_error::too_deep;
        if (length == 0) {
            done = value::array({});
            return {};
        }
        stack_.push_back({value::array({}), static_cast<std::size_t>(length)});
        return {};
    }
    default:
        return parse_error::invalid_type;
    }
}

// Puts a complete value into the array being built; the reply when it completes the outermost.
std::optional<value> parser::finish(value v) {
    while (!stack_.empty()) {
        frame& top = stack_.back();
        top.array.elements.push_back(std::move(v));
        if (--top.remaining > 0) return {};
        v = std::move(top.array);
        stack_.pop_back();
    }
    reply_values_ = 0;
    return v;
}

parse_result parser::next() {
    if (error_) return fail(*error_);
    for (;;) {
        std::optional<value> done;
        if (bulk_) {
            // A bulk string's bytes and its CRLF, taken whole.
            if (buffer_.size() - pos_ < *bulk_ + 2) return {};
            if (buffer_.compare(pos_ + *bulk_, 2, "\r\n") != 0) {
                return fail(parse_error::invalid_line);
            }
            done = value::bulk(buffer_.substr(pos_, *bulk_));
            pos_ += *bulk_ + 2;
            scan_ = pos_;
            bulk_.reset();
        } else {
            std::string_view text;
            bool complete = false;
            if (auto e = line(text, complete)) return fail(*e);
            if (!complete) return {};
            if (text.empty()) return fail(parse_error::invalid_type);
            if (++reply_values_ > limits_.max_reply_values) {
                return fail(parse_error::too_many_values);
            }
            if (auto e = start(text[0], text.substr(1), done)) return fail(*e);
            if (!done) continue;
        }
        if (auto reply = finish(std::move(*done))) {
            parse_result r;
            r.status = parse_status::reply;
            r.reply = std::move(*reply);
            return r;
        }
    }
}

} // namespace kibitz::redis
