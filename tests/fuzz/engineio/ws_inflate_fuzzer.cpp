// libFuzzer target for permessage-deflate's read path (RFC 7692). The first byte picks what the
// rest is: (even) the payload of one compressed message, inflated under a small bound: it fits
// or is too_big or invalid, never more than the bound is kept, and what fits compresses and
// inflates back to itself; (odd) a stream of client frames for a reader with permessage-deflate
// negotiated: every message it delivers is within the limit, and text is UTF-8.
#include "ws_deflate.hpp"

#include <kibitz/engineio/ws_codec.hpp>
#include <kibitz/util/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace kibitz;
using namespace kibitz::engineio;
using kind = ws_event::kind;

constexpr std::size_t max_message_size = 4096;

void check(bool ok) {
    if (!ok) std::abort();
}

void inflate_one(std::string_view payload) {
    std::string out;
    auto result = detail::inflate_message(payload, max_message_size, out);
    check(out.size() <= max_message_size + 1);
    if (result != detail::inflate_result::ok) return;
    check(out.size() <= max_message_size);
    auto again = detail::deflate_message(out);
    check(again.has_value());
    std::string back;
    check(detail::inflate_message(*again, max_message_size, back) == detail::inflate_result::ok);
    check(back == out);
}

void read_frames(std::string stream) {
    ws_reader reader(max_message_size, 16, true);
    std::size_t used = 0;
    while (used < stream.size()) {
        std::size_t consumed = 0;
        auto ev = reader.next(stream.data() + used, stream.size() - used, consumed);
        used += consumed;
        if (ev.what == kind::text) check(util::is_valid_utf8(ev.data));
        if (ev.what == kind::text || ev.what == kind::binary)
            check(ev.data.size() <= max_message_size);
        if (ev.what == kind::error || ev.what == kind::close) return;
        if (ev.what == kind::need_more && consumed == 0) return;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view rest(reinterpret_cast<char const*>(data) + 1, size - 1);
    if (data[0] % 2 == 0)
        inflate_one(rest);
    else
        read_frames(std::string(rest));
    return 0;
}
