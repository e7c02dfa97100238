#pragma once

#include <kibitz/util/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace kibitz::msgpack {

// Why the reader refused its input. The input is another node's message (or an attacker's, with
// access to Redis): each is a reason to drop that one message.
enum class read_error : std::uint8_t {
    truncated = 1,     // the input ends inside a value (a length past the end included)
    invalid_byte,      // 0xc1, the one byte MessagePack never uses
    too_large,         // more input than reader_limits::max_bytes
    too_deep,          // arrays/maps nested deeper than reader_limits::max_depth
    too_many_values,   // more values than reader_limits::max_values
    invalid_utf8,      // a str that is not UTF-8 (kibitz::json keeps UTF-8 only)
    invalid_key,       // a map key that is not a str
    invalid_timestamp, // ext -1 of a length other than 4, 8 or 12
    trailing_bytes,    // bytes after the one top-level value
};

// The category of read_error ("msgpack.read").
std::error_category const& read_category() noexcept;
std::error_code make_error_code(read_error e) noexcept;

// Limits on one message; the defaults fit the largest answers Node's adapter sends (a
// fetch_sockets answer of a few thousand sockets with their handshakes).
struct reader_limits {
    // Input bytes of one message.
    std::size_t max_bytes = 16 * 1024 * 1024;
    // Nesting of arrays and maps, counting the top-level one as 1 (the Socket.IO decoder's 32).
    std::size_t max_depth = 32;
    // Values in one message, containers included. nlohmann's tree costs ~16 to ~50 bytes per
    // value while a value may take one input byte: this, not max_bytes, bounds the tree.
    std::size_t max_values = 1'000'000;
};

// Reads exactly one MessagePack value from `bytes` into `out` (replaced; left null on error), as
// Node's notepack.io decodes it, onto kibitz::json (docs/cluster.md):
// - nil/bool/str as such; int as number_integer or, for uint64 above int64, number_unsigned;
//   float32/float64 as number_float; array/map as array/object (keys must be str; a repeated
//   key keeps its last value, as in JavaScript);
// - bin as json::binary (no subtype); ext -1 (timestamp 32/64/96) as the ISO-8601 string
//   Date.prototype.toJSON gives ("2026-12-01T21:27:11.547Z"; null out of Date's range); any
//   other ext (notepack's legacy ext 0 forms included) as json::binary with subtype = the ext
//   type's byte (0..255).
// Bounded: no allocation before the bytes it describes are known to be there (a str/bin of n
// bytes needs n bytes left; an array or map of n entries needs n or 2n), recursion at most
// max_depth deep, and the limits above. Malformed input is an error value, never an exception
// (but bad_alloc) nor an assertion. Pure; any thread.
std::error_code read(std::string_view bytes, json& out, reader_limits const& limits = {});

} // namespace kibitz::msgpack

template<>
struct std::is_error_code_enum<kibitz::msgpack::read_error> : std::true_type {};
