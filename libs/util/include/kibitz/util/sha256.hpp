#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kibitz::util {

// SHA-256 of `bytes` (FIPS 180-4 section 6.2). Used to store secrets (name and seat tokens) as
// hashes: the tokens are 128-bit random values, so a plain, unsalted hash is enough.
std::array<std::uint8_t, 32> sha256(std::string_view bytes);

// The SHA-256 of `bytes` as 64 lower-case hexadecimal digits.
std::string sha256_hex(std::string_view bytes);

// True when `a` and `b` are equal. The time taken depends only on the lengths, never on where
// the first difference is, so comparing a secret with a guess leaks nothing but its length.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

} // namespace kibitz::util
