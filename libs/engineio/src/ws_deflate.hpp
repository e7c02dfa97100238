#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::engineio::detail {

// permessage-deflate (RFC 7692) as this server speaks it: no context takeover in either
// direction, so every message is a deflate stream of its own. A broadcast is then compressed
// once and the same frame goes to every socket, and no connection keeps zlib state between
// messages (one deflater and one inflater per thread are reset before each message).

// The Sec-WebSocket-Extensions value answering a client's offers (every Sec-WebSocket-
// Extensions header of the request, comma-joined), or nullopt to run without the extension.
// The first valid permessage-deflate offer is taken (RFC 7692 section 5); an offer with an
// unknown or repeated parameter or a bad value is declined, and so is one asking for
// server_max_window_bits below 15 (the shared frames are compressed with a 32 KiB window).
// The answer always carries server_no_context_takeover and client_no_context_takeover (a server
// may add the latter unasked, section 7.1.1.1).
std::optional<std::string> negotiate_per_message_deflate(std::string_view offers);

// The answer negotiate_per_message_deflate gives to every acceptable offer.
inline constexpr std::string_view per_message_deflate_answer =
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

// One message's payload compressed for a frame with RSV1 set: a raw deflate stream flushed with
// Z_SYNC_FLUSH, its final 00 00 FF FF removed (section 7.2.1). nullopt when zlib fails.
std::optional<std::string> deflate_message(std::string_view payload);

// Inflates one compressed message (section 7.2.2: the 00 00 FF FF tail is put back) into `out`.
// too_big: it would inflate past `max_size` bytes (the caller closes with 1009; inflating stops
// there, so a small bomb costs at most max_size + 1 bytes of buffer); invalid: not deflate data
// (1007). After ok, `out` holds exactly the message.
enum class inflate_result { ok, too_big, invalid };
inflate_result inflate_message(std::string_view compressed, std::size_t max_size, std::string& out);

} // namespace kibitz::engineio::detail
