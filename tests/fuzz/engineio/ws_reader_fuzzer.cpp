// libFuzzer target for the WebSocket frame reader. The input is `<n><n chunk sizes><stream>`:
// the stream is fed in chunks the way ws_connection does (unconsumed bytes are kept and the next
// chunk is appended), with chunk sizes cycling through the n given ones. The events must be the
// same as when the whole stream is fed at once, and every event must keep the reader's promises
// (UTF-8 text, messages within the limit, control payloads of at most 125 bytes, close codes).
#include <kibitz/engineio/ws_codec.hpp>
#include <kibitz/util/utf8.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kibitz;
using namespace kibitz::engineio;
using kind = ws_event::kind;

// Small, so fragmented and single-frame messages reach 1009, by size or by frame count.
constexpr std::size_t max_message_size = 4096;
constexpr std::size_t max_frames_per_message = 16;

void check(bool ok) {
    if (!ok) std::abort();
}

struct event {
    kind what;
    std::string data;
    std::uint16_t code;
    bool operator==(event const&) const = default;
};

// The reader's contract for one event.
void check_event(ws_event const& ev) {
    switch (ev.what) {
    case kind::need_more:
        check(ev.data.empty());
        break;
    case kind::text:
        check(util::is_valid_utf8(ev.data));
        check(ev.data.size() <= max_message_size);
        break;
    case kind::binary:
        check(ev.data.size() <= max_message_size);
        break;
    case kind::ping:
    case kind::pong:
        check(ev.data.size() <= 125);
        break;
    case kind::close:
        check(ev.data.size() <= 123);
        check(util::is_valid_utf8(ev.data));
        break;
    case kind::error:
        check(ev.code == ws_close_code::protocol_error ||
              ev.code == ws_close_code::invalid_payload || ev.code == ws_close_code::too_big);
        break;
    }
}

// Runs next() over `buf` from `used` until it needs more bytes or the connection ends.
// Returns false once an error or a close ends the connection.
bool drain(ws_reader& reader, std::string& buf, std::vector<event>& out) {
    std::size_t used = 0;
    while (used < buf.size()) {
        std::size_t consumed = 0;
        auto const ev = reader.next(buf.data() + used, buf.size() - used, consumed);
        check(consumed <= buf.size() - used);
        check_event(ev);
        used += consumed;
        if (ev.what == kind::need_more) {
            if (consumed == 0) break;
            continue;
        }
        check(consumed > 0 || ev.what == kind::error);
        out.push_back({ev.what, std::string(ev.data), ev.code});
        if (ev.what == kind::error || ev.what == kind::close) return false;
    }
    buf.erase(0, used);
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    std::size_t const n = 1 + data[0] % 8;
    if (size < 1 + n) return 0;
    std::vector<std::size_t> chunks;
    for (std::size_t i = 0; i < n; ++i) {
        // 0 stands for a large read; otherwise 1..255 bytes.
        auto const b = data[1 + i];
        chunks.push_back(b == 0 ? 8192 : b);
    }
    std::string_view stream(reinterpret_cast<char const*>(data) + 1 + n, size - 1 - n);

    // Chunked, as the connection reads.
    ws_reader chunked(max_message_size, max_frames_per_message);
    std::vector<event> chunked_events;
    std::string buf;
    std::string_view rest = stream;
    for (std::size_t i = 0; !rest.empty(); ++i) {
        auto const take = std::min(chunks[i % n], rest.size());
        buf.append(rest.substr(0, take));
        rest.remove_prefix(take);
        if (!drain(chunked, buf, chunked_events)) break;
    }

    // All at once.
    ws_reader whole(max_message_size, max_frames_per_message);
    std::vector<event> whole_events;
    std::string all(stream);
    drain(whole, all, whole_events);

    check(chunked_events == whole_events);
    return 0;
}
