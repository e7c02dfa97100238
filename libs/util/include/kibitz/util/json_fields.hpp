#pragma once

#include <kibitz/util/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

// The fields of a client's JSON object, read the one way both apps read them: a field that is
// missing or null is absent; a field of another type than expected is wrong, never coerced
// (no number from a string, no integer from a fraction or a boolean). Pure, and never throws on
// any JSON value (a value that is not an object has no fields), except std::bad_alloc.
namespace kibitz::util {

// What a parse found in one field.
enum class field_state { absent, ok, wrong };

// The string `obj[key]`, copied into `out` when ok (`out` is untouched otherwise).
field_state string_field(json const& obj, char const* key, std::string& out);

// An optional string: `out` set when ok, untouched when absent; false when wrong.
bool optional_string(json const& obj, char const* key, std::optional<std::string>& out);

// A required string of 1 to `max_bytes` bytes; nullopt when absent, wrong, empty or longer.
std::optional<std::string> bounded_string(json const& obj, char const* key, std::size_t max_bytes);

// A required integer from 0 to `max` (max >= 0); nullopt when absent, wrong, negative or above.
std::optional<std::int64_t> bounded_int(json const& obj, char const* key, std::int64_t max);

// The boolean `obj[key]`, copied into `out` when ok.
field_state bool_field(json const& obj, char const* key, bool& out);

} // namespace kibitz::util
