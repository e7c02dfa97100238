#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace kibitz::util {

// SHA-1 of `bytes` (FIPS 180-4). Used only for the WebSocket handshake (RFC 6455 section 4.2.2),
// where it is required by the protocol, never for security.
std::array<std::uint8_t, 20> sha1(std::string_view bytes);

} // namespace kibitz::util
