#pragma once

#include <kibitz/util/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kibitz::msgpack {

// Writes MessagePack (github.com/msgpack/msgpack/blob/master/spec.md) byte for byte as Node's
// notepack.io 3.0.1 does, which is what @socket.io/redis-adapter 8.x publishes (docs/cluster.md):
// - numbers follow JavaScript, where an integer is a number: every integral value (an integer,
//   or a float such as 2.0 or -0.0) takes the smallest integer form (positive fixint, cc/cd/ce/cf
//   for values >= 0, negative fixint, d0/d1/d2/d3 below 0); every other number, NaN and the
//   infinities included, is a float64 `cb` (never float32, unlike nlohmann's to_msgpack);
// - strings fixstr/d9/da/db, binary c4/c5/c6, arrays 9x/dc/dd, maps 8x/de/df, by length;
// - `true c3`, `false c2`, `null c0`, object keys in the order the value iterates them: sorted
//   for kibitz::json, insertion order for nlohmann::ordered_json (use that, or the header calls,
//   where Node's key order matters, as in a Socket.IO packet {type, data, nsp}).
// Where it differs from notepack on purpose: an integral float outside [-2^63, 2^64) is written
// as float64 (notepack wraps its high word and writes a different number); binary values keep
// no subtype (always bin). A length above 2^32 - 1 is a caller bug (asserted; notepack throws).
// Appends to `out`, which it does not own. Never throws but bad_alloc.
class writer {
public:
    explicit writer(std::string& out) : out_(out) {}

    void nil() { byte(0xc0); }
    void boolean(bool b) { byte(b ? 0xc3 : 0xc2); }
    void integer(std::int64_t v);
    void unsigned_integer(std::uint64_t v);
    // A JavaScript number: integral values as integers, others as float64.
    void number(double v);
    void string(std::string_view s);
    void binary(std::string_view bytes);
    // Headers: the caller then writes `n` values (array) or `n` key/value pairs (map).
    void array_header(std::size_t n);
    void map_header(std::size_t n);

    // A whole JSON value, recursively (depth is the caller's: our own values).
    void value(json const& v);
    void value(nlohmann::ordered_json const& v);

private:
    void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
    void be(std::uint64_t v, int bytes);
    void header(std::size_t n, std::uint8_t fix_base, std::size_t fix_limit, std::uint8_t first);
    template<typename Json>
    void any(Json const& v);

    std::string& out_;
};

// The MessagePack bytes of `v`.
std::string write(json const& v);
std::string write(nlohmann::ordered_json const& v);

} // namespace kibitz::msgpack
