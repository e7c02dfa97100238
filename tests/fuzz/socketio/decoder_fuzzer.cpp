// libFuzzer target for the Socket.IO decoder. The input is a sequence of feeds, each
// `<selector><length lo><length hi><bytes>`: selector bit 0 picks text or binary, bits 1-2 how
// far the clock moves first (0, 1 s, 5 s, 11 s). Every decoded packet must survive
// encode -> decode unchanged, and every error must leave the decoder reset.
#include <kibitz/socketio/decoder.hpp>
#include <kibitz/socketio/encoder.hpp>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace kibitz;
using namespace kibitz::socketio;
using namespace std::chrono_literals;

void check(bool ok) {
    if (!ok) std::abort();
}

// Infinity parses from "1e400" and comes back as null, as JSON.stringify writes it.
bool has_non_finite(json const& value) {
    if (value.is_number_float()) return !std::isfinite(value.get<double>());
    if (value.is_structured()) {
        for (auto const& element : value) {
            if (has_non_finite(element)) return true;
        }
    }
    return false;
}

// decode(encode(p)) == p, and encoding is a fixed point after one round.
void check_round_trip(packet const& p, decoder_limits const& limits) {
    encoded_packet const e = encode(p);
    decoder d(limits);
    util::time_point const now{};
    decode_result r = d.feed_text(e.text, now);
    for (auto const& attachment : e.attachments) {
        check(r.status == decode_status::need_more);
        r = d.feed_binary(attachment, now);
    }
    check(r.has_packet());
    check(!d.pending());
    check(encode(r.pkt) == e);
    if (!has_non_finite(p.data)) check(r.pkt == p);
}

util::duration step(std::uint8_t selector) {
    static constexpr util::duration steps[] = {0s, 1s, 5s, 11s};
    return steps[(selector >> 1) & 3];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    decoder_limits limits;
    limits.max_attachment_bytes = 4096;
    decoder d(limits);
    util::time_point now{};
    std::string_view input(reinterpret_cast<char const*>(data), size);
    while (input.size() >= 3) {
        auto const selector = static_cast<std::uint8_t>(input[0]);
        std::size_t const length = static_cast<std::uint8_t>(input[1]) |
                                   static_cast<std::size_t>(static_cast<std::uint8_t>(input[2]))
                                       << 8;
        input.remove_prefix(3);
        std::string_view const chunk = input.substr(0, length);
        input.remove_prefix(chunk.size());
        now += step(selector);
        bool const was_pending = d.pending();
        decode_result const r =
            (selector & 1) != 0 ? d.feed_binary(chunk, now) : d.feed_text(chunk, now);
        if (r.failed()) {
            check(!d.pending() && !d.deadline());
        } else if (r.has_packet()) {
            check(!d.pending());
            check_round_trip(r.pkt, limits);
        } else {
            check(d.pending() && d.deadline().has_value());
            bool const text = (selector & 1) == 0;
            check(text != was_pending);
        }
    }
    return 0;
}
