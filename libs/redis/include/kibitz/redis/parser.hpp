#pragma once

#include <kibitz/redis/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace kibitz::redis {

// Why the parser refused the stream. Each is fatal for the connection: RESP has no way to find
// the next reply after a malformed one, so the shell closes and reconnects.
enum class parse_error : std::uint8_t {
    invalid_type = 1, // a reply that starts with none of + - : $ *
    invalid_line,     // a CR not followed by LF, or a bulk string not followed by CRLF
    invalid_integer,  // an integer that is not canonical decimal within int64
    invalid_length,   // a bulk or array length that is not canonical decimal or -1
    line_too_long,    // a simple string, error or integer line above max_line_bytes
    bulk_too_large,   // a bulk string above max_bulk_bytes
    array_too_long,   // an array above max_array_length
    too_deep,         // arrays nested deeper than max_depth
    too_many_values,  // one reply of more than max_reply_values values
    buffer_full,      // more unconsumed bytes than max_buffered_bytes
};

// The category of parse_error ("redis.parse").
std::error_category const& parse_category() noexcept;
std::error_code make_error_code(parse_error e) noexcept;

// Limits on what Redis (or whatever answers on its port) may make us hold. The defaults fit
// the cluster adapter's traffic: msgpack messages up to msgpack::reader_limits::max_bytes
// (16 MiB), and replies of at most a few thousand values (XRANGE COUNT 100, PUBSUB NUMSUB).
struct parser_limits {
    // Bytes of one bulk string (Redis's own proto-max-bulk-len is 512 MB).
    std::size_t max_bulk_bytes = 16 * 1024 * 1024;
    // Bytes of a simple string, error or integer line, CRLF excluded.
    std::size_t max_line_bytes = 64 * 1024;
    // Elements of one array.
    std::size_t max_array_length = 100'000;
    // Nesting of arrays, counting the outermost as 1 (XREAD's reply is 4 deep).
    std::size_t max_depth = 16;
    // Values in one reply, arrays included: ~80 bytes each in memory while a value may take 5
    // bytes on the wire ("$-1\r\n"), so this bounds the tree of a reply.
    std::size_t max_reply_values = 100'000;
    // Bytes fed but not yet consumed; at least max_bulk_bytes + 2 plus one read.
    std::size_t max_buffered_bytes = 32 * 1024 * 1024;
};

enum class parse_status : std::uint8_t { need_more, reply, error };

// The outcome of next(): a `reply` (in `reply`), `need_more` bytes, or an `error`.
struct parse_result {
    parse_status status = parse_status::need_more;
    value reply;
    parse_error error = parse_error::invalid_type;

    bool has_reply() const noexcept { return status == parse_status::reply; }
    bool failed() const noexcept { return status == parse_status::error; }
};

// The RESP2 reply parser of one connection, sans I/O and incremental: feed() the bytes as they
// are read, then call next() until it needs more. A reply may arrive in any split (one byte at a
// time included) at a cost linear in its bytes: a partial array is kept as built so far, a bulk
// string's header is consumed once, and a partial line is never rescanned. After an error the
// parser stays failed (every next() repeats the error, feed() refuses) until reset(). Never
// throws but bad_alloc, never asserts on input. One owner thread.
class parser {
public:
    explicit parser(parser_limits limits = {});

    // Appends bytes; buffer_full (and the parser fails) when the unconsumed bytes would pass
    // max_buffered_bytes.
    std::error_code feed(std::string_view bytes);
    // The next complete reply, if its bytes are all there.
    parse_result next();

    // Bytes fed and not yet consumed into a reply (a partial reply's consumed pieces aside).
    std::size_t buffered() const noexcept { return buffer_.size() - pos_; }
    bool failed() const noexcept { return error_.has_value(); }
    // True when no reply has started: nothing buffered and nothing partial.
    bool idle() const noexcept;
    // Forgets everything (a new connection).
    void reset();

    parser_limits const& limits() const noexcept { return limits_; }

private:
    struct frame {
        value array;
        std::size_t remaining = 0;
    };

    parse_result fail(parse_error e);
    std::optional<parse_error> line(std::string_view& out, bool& complete);
    std::optional<parse_error> start(char kind, std::string_view text, std::optional<value>& done);
    std::optional<value> finish(value v);

    parser_limits limits_;
    std::string buffer_;
    std::size_t pos_ = 0;
    std::size_t scan_ = 0;
    std::optional<std::size_t> bulk_;
    std::vector<frame> stack_;
    std::size_t reply_values_ = 0;
    std::optional<parse_error> error_;
};

} // namespace kibitz::redis

template<>
struct std::is_error_code_enum<kibitz::redis::parse_error> : std::true_type {};
