#pragma once

#include <string>

namespace kibitz::util {

// `n` bytes from the kernel's CSPRNG (getrandom(2)). Throws std::system_error only if the
// kernel refuses, which does not happen on Linux >= 3.17 once the pool is initialised.
std::string random_bytes(std::size_t n);

// A URL-safe id of `bits` random bits (rounded up to whole bytes), base64url without padding.
// 128 bits gives 22 characters.
std::string random_id(std::size_t bits = 128);

} // namespace kibitz::util
