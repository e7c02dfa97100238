// libFuzzer target for the Engine.IO polling payload codec. Every body that decodes must
// re-encode (append_polling, joined by '\x1e') to a body that decodes to the same packets, and
// every decoded packet, encoded once as `outgoing`, must give back the same packet from its
// polling form and, read through ws_reader, from its WebSocket frame.
#include <kibitz/engineio/packet.hpp>
#include <kibitz/engineio/ws_codec.hpp>
#include <kibitz/util/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kibitz;
using namespace kibitz::engineio;

void check(bool ok) {
    if (!ok) std::abort();
}

// Reads a server frame back as a client would send it: masked with a zero key.
ws_event read_back(std::string_view frame, std::string& scratch, ws_reader& reader) {
    auto const b1 = static_cast<std::uint8_t>(frame[1]);
    std::size_t const header = (b1 & 0x7F) == 126 ? 4 : (b1 & 0x7F) == 127 ? 10 : 2;
    scratch.assign(frame.substr(0, header));
    scratch[1] = static_cast<char>(b1 | 0x80);
    scratch.append(4, '\0');
    scratch.append(frame.substr(header));
    std::size_t consumed = 0;
    auto ev = reader.next(scratch.data(), scratch.size(), consumed);
    check(consumed == scratch.size());
    return ev;
}

void check_outgoing(packet const& p) {
    outgoing const o(p.type, p.binary, p.data);
    check(o.size() == o.ws_frame().size());

    // Polling form: the same text as append_polling, and it decodes to the same packet.
    std::string polling;
    append_polling(p, polling);
    check(o.polling() == polling);
    check(o.polling().data() == o.polling().data());
    auto const again = decode_text_packet(o.polling(), true);
    check(again && *again == p);

    // WebSocket form: the frame's payload is the packet, and the reader accepts the frame.
    std::string const expected_payload = p.binary ? p.data : static_cast<char>(p.type) + p.data;
    check(o.payload() == expected_payload);
    if (!p.binary && !util::is_valid_utf8(expected_payload)) return;
    ws_reader reader(1 << 20);
    std::string scratch;
    auto const ev = read_back(o.ws_frame(), scratch, reader);
    check(ev.what == (p.binary ? ws_event::kind::binary : ws_event::kind::text));
    check(ev.data == expected_payload);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const body(reinterpret_cast<char const*>(data), size);
    auto const packets = decode_payload(body);
    if (!packets) return 0;
    check(!packets->empty());

    std::string encoded;
    for (auto const& p : *packets) {
        check(!p.binary || p.type == packet_type::message);
        check(p.binary || p.data.find('\x1e') == std::string::npos);
        if (!encoded.empty()) encoded += '\x1e';
        append_polling(p, encoded);
        check_outgoing(p);
    }
    auto const round_trip = decode_payload(encoded);
    check(round_trip && *round_trip == *packets);
    return 0;
}
