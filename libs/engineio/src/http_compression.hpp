#pragma once

#include <kibitz/engineio/options.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kibitz::engineio::detail {

// A content coding the polling transport may answer with (engine.io's httpCompression).
enum class content_coding { identity, gzip, deflate };

// The Content-Encoding token of a coding ("gzip", "deflate"; empty for identity).
std::string_view coding_name(content_coding c);

// The coding to answer a request with, from its Accept-Encoding header, as Node's engine.io
// picks it (`accepts(req).encodings(["gzip", "deflate"])`, negotiator's rules): each listed
// coding gets the q of its most specific match ("gzip" before "*"), q=0 refuses it, the higher
// q wins, then the earlier one in the header, then gzip. No header, or nothing acceptable:
// identity. Malformed entries are skipped (client input never throws).
content_coding choose_coding(std::optional<std::string_view> accept_encoding);

// `body` compressed with `c` (gzip: RFC 1952; deflate: the zlib format of RFC 1950, as Node's
// zlib.createDeflate and what browsers expect of "deflate"). nullopt for identity or when zlib
// fails (out of memory): the caller then sends the body as it is.
std::optional<std::string> compress_body(std::string_view body, content_coding c);

// httpCompression on a response: a body of at least `opts.threshold` bytes is replaced by its
// `coding` form, with Content-Encoding set; below it, with identity, or when off, untouched.
void compress_response(http_response& r, content_coding coding,
                       http_compression_options const& opts);

} // namespace kibitz::engineio::detail
