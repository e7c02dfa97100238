#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::engineio {

// Engine.IO v4 packet types, as their wire characters.
enum class packet_type : char {
    open = '0',
    close = '1',
    ping = '2',
    pong = '3',
    message = '4',
    upgrade = '5',
    noop = '6',
};

// One decoded Engine.IO packet. `binary` is only ever true for messages.
struct packet {
    packet_type type = packet_type::message;
    bool binary = false;
    std::string data;

    bool operator==(packet const&) const = default;
};

// Decodes one text packet: a type character and its data ("4hello", "2probe"), or, in a polling
// payload, "b<base64>" for a binary message (Engine.IO v4). Returns nullopt for anything else.
std::optional<packet> decode_text_packet(std::string_view text, bool allow_base64 = false);

// Decodes an HTTP long-polling body: packets separated by '\x1e' (Engine.IO v4, "payload").
// Returns nullopt when any packet is malformed; an empty body is malformed too.
std::optional<std::vector<packet>> decode_payload(std::string_view body);

// Appends the polling encoding of `p` to `out`: type character and data, or "b" and base64.
void append_polling(packet const& p, std::string& out);

// A packet encoded once and shared, immutable, by every session it is sent to (docs/architecture.md
// rule 3). It holds the complete WebSocket frame (header and payload), and the polling encoding
// is the payload itself for text; for binary, the base64 form is computed once on first use.
// Thread: the owning io_context thread only (the lazy polling form is not synchronised).
class outgoing {
public:
    outgoing(packet_type type, bool binary, std::string_view data);

    packet_type type() const { return type_; }
    bool binary() const { return binary_; }
    // The whole RFC 6455 frame: FIN, opcode 1 (text) or 2 (binary), length, no mask.
    std::string_view ws_frame() const { return frame_; }
    // The Engine.IO packet text ("4hello") or, for binary, the raw bytes.
    std::string_view payload() const { return std::string_view(frame_).substr(header_size_); }
    // The packet as it stands in a polling payload ("4hello" or "b<base64>").
    std::string_view polling() const;
    // Bytes this packet counts for against a session's send-queue limit.
    std::size_t size() const { return frame_.size(); }
    // The frame for a connection with permessage-deflate (RFC 7692, no context takeover): the
    // payload compressed, RSV1 set; computed on first use and shared by every connection like
    // ws_frame(). ws_frame() itself when the payload is under `threshold` bytes or does not
    // shrink (a message may always go uncompressed).
    std::string_view ws_frame_deflated(std::size_t threshold) const;

private:
    packet_type type_;
    bool binary_;
    mutable bool deflate_tried_ = false;
    std::size_t header_size_;
    std::string frame_;
    mutable std::string polling_;
    mutable std::string deflated_; // empty: not compressed (yet, or at all)
};

using outgoing_ptr = std::shared_ptr<outgoing const>;

// Shorthands for the common cases.
outgoing_ptr make_message(std::string_view text);
outgoing_ptr make_binary(std::string_view bytes);
outgoing_ptr make_packet(packet_type type, std::string_view data = {});

} // namespace kibitz::engineio
