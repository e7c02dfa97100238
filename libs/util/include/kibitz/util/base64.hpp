#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kibitz::util {

// Standard base64 (RFC 4648 section 4) with '=' padding.
std::string base64_encode(std::string_view bytes);

// Appends the encoding to `out` (no allocation beyond growing `out`).
void base64_encode_append(std::string_view bytes, std::string& out);

// Decodes standard base64; padding is optional. Returns nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view text);

// URL-safe base64 without padding (RFC 4648 section 5), for ids in URLs.
std::string base64url_encode(std::string_view bytes);

} // namespace kibitz::util
