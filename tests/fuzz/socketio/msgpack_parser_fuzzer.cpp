// libFuzzer target for the Socket.IO msgpack parser (npm socket.io-msgpack-parser's wire). The
// input is one binary Engine.IO message from a client. decode_msgpack must return a packet or an
// error, never crash, throw or pass its limits; a packet it returns must encode, and what the
// encoder writes must decode to the same packet and encode again to the same bytes.
#include <kibitz/socketio/msgpack_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace kibitz::socketio;

void check(bool ok) {
    if (!ok) std::abort();
}

decoder_limits small_limits() {
    decoder_limits limits;
    limits.max_depth = 8;
    limits.max_values = 256;
    return limits;
}

void run(std::string_view bytes, decoder_limits const& limits) {
    auto r = decode_msgpack(bytes, limits);
    check(r.has_packet() || r.failed());
    if (!r.has_packet()) return;
    check(r.pkt.type != packet_type::binary_event && r.pkt.type != packet_type::binary_ack);
    std::string const once = encode_msgpack(r.pkt);
    auto back = decode_msgpack(once, limits);
    check(back.has_packet());
    // Byte equality, not packet equality: a NaN read from the input is a NaN again.
    check(encode_msgpack(back.pkt) == once);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const bytes(reinterpret_cast<char const*>(data), size);
    run(bytes, decoder_limits{});
    run(bytes, small_limits());
    return 0;
}
