// Test helpers several unit suites share (kibitz::test_support): bytes written as hex.
#pragma once

#include <string>
#include <string_view>

namespace kibitz::test {

// "93a6" -> the bytes 0x93 0xa6; spaces are ignored.
std::string from_hex(std::string_view hex);

// The bytes as lower-case hex, two digits each, no spaces.
std::string to_hex(std::string_view bytes);

} // namespace kibitz::test
