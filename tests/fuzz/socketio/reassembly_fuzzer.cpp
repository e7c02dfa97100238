// Stateful libFuzzer target for the Socket.IO decoder's binary reassembly. The input is a program
// of operations on one decoder, each an opcode byte and its operands:
//   0 n k r..  a BINARY_EVENT announcing n % 12 attachments with k % 16 placeholders whose "num"s
//              are r % (n + 2) (so some repeat, some are out of range, some attachments unnamed),
//              each nested in an array or an object as r's high bit says
//   1 len      an attachment of len bytes
//   2 lo hi .. a raw text message of lo | hi << 8 bytes
//   3 s        the clock moves 0, 1, 5 or 11 s (s % 4)
//   4          reset()
// Whatever the program, the decoder must keep its bound: a yielded packet holds exactly one
// binary value per attachment fed since its text, with exactly the bytes fed (each attachment
// used once, never copied), and it survives encode -> decode; an error leaves nothing pending.
#include <kibitz/socketio/decoder.hpp>
#include <kibitz/socketio/encoder.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace kibitz;
using namespace kibitz::socketio;
using namespace std::chrono_literals;

void check(bool ok) {
    if (!ok) std::abort();
}

struct binary_totals {
    std::size_t values = 0;
    std::size_t bytes = 0;
};

void count_binary(json const& value, binary_totals& totals) {
    if (value.is_binary()) {
        ++totals.values;
        totals.bytes += value.get_binary().size();
    } else if (value.is_structured()) {
        for (auto const& element : value)
            count_binary(element, totals);
    }
}

// Reads operands from the program; 0 once it is exhausted.
struct program {
    std::string_view bytes;

    std::uint8_t next() {
        if (bytes.empty()) return 0;
        auto const b = static_cast<std::uint8_t>(bytes.front());
        bytes.remove_prefix(1);
        return b;
    }
    std::string_view take(std::size_t n) {
        auto const out = bytes.substr(0, n);
        bytes.remove_prefix(out.size());
        return out;
    }
};

std::string binary_event_text(program& in) {
    std::size_t const n = in.next() % 12;
    std::size_t const k = in.next() % 16;
    std::string text = "5" + std::to_string(n) + "-[\"e\"";
    for (std::size_t i = 0; i < k; ++i) {
        auto const r = in.next();
        std::string const ph = R"({"_placeholder":true,"num":)" + std::to_string(r % (n + 2)) + "}";
        text += (r & 0x80) != 0 ? ",[" + ph + "]" : R"(,{"k":)" + ph + "}";
    }
    return text + "]";
}

// What was fed since the text that left the decoder pending.
struct reassembly {
    std::size_t attachments = 0;
    std::size_t bytes = 0;
};

void check_packet(decode_result const& r, reassembly const& fed, decoder_limits const& limits) {
    check(r.has_packet());
    binary_totals totals;
    count_binary(r.pkt.data, totals);
    check(totals.values == fed.attachments);
    check(totals.bytes == fed.bytes);
    check(totals.bytes <= limits.max_attachment_bytes);
    encoded_packet const e = encode(r.pkt);
    check(e.attachments.size() == fed.attachments);
    decoder again(limits);
    decode_result back = again.feed_text(e.text, util::time_point{});
    for (auto const& a : e.attachments)
        back = again.feed_binary(a, util::time_point{});
    check(back.has_packet());
    check(encode(back.pkt) == e);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    decoder_limits limits;
    limits.max_attachment_bytes = 2048;
    decoder d(limits);
    util::time_point now{};
    reassembly fed;
    program in{std::string_view(reinterpret_cast<char const*>(data), size)};
    while (!in.bytes.empty()) {
        auto const op = in.next() % 5;
        if (op == 3) {
            static constexpr util::duration steps[] = {0s, 1s, 5s, 11s};
            now += steps[in.next() % 4];
            continue;
        }
        if (op == 4) {
            d.reset();
            check(!d.pending() && !d.deadline());
            continue;
        }
        bool const binary = op == 1;
        std::string text;
        std::string attachment;
        if (op == 0) text = binary_event_text(in);
        if (op == 1) attachment.assign(in.next(), static_cast<char>(in.next()));
        if (op == 2) {
            std::size_t const length = in.next() | static_cast<std::size_t>(in.next()) << 8;
            text.assign(in.take(length));
        }
        bool const was_pending = d.pending();
        if (!was_pending) fed = {};
        decode_result const r = binary ? d.feed_binary(attachment, now) : d.feed_text(text, now);
        if (binary && r.status != decode_status::error) {
            ++fed.attachments;
            fed.bytes += attachment.size();
        }
        if (r.failed()) {
            check(!d.pending() && !d.deadline());
        } else if (r.has_packet()) {
            check(!d.pending());
            check_packet(r, fed, limits);
        } else {
            check(d.pending() && d.deadline().has_value());
            check(binary == was_pending);
        }
    }
    return 0;
}
