#pragma once

#include <kibitz/util/json.hpp>

#include <cstdint>

namespace kibitz::msgpack::detail {

// What `new Date(seconds * 1e3 + nanoseconds / 1e6).toJSON()` gives in JavaScript (notepack's
// timestamp decoding followed by JSON): an ISO-8601 string with milliseconds, the year as
// YYYY within 0..9999 and as +YYYYYY/-YYYYYY outside; null beyond Date's +-8.64e15 ms.
json timestamp_to_json(std::int64_t seconds, std::uint32_t nanoseconds);

} // namespace kibitz::msgpack::detail
