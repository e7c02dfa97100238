#pragma once

#include <kibitz/socketio/packet.hpp>
#include <kibitz/util/clock.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace kibitz::socketio {

// Why the decoder refused its input. Any of them means "parse error" for the connection.
enum class decode_error : std::uint8_t {
    invalid_type = 1,      // empty packet or a type digit outside 0..6
    invalid_attachments,   // BINARY_* without a "<digits>-" attachment count
    too_many_attachments,  // more attachments announced than decoder_limits::max_attachments
    invalid_namespace,     // a namespace that is not UTF-8
    invalid_ack_id,        // an ack id above 2^53 - 1
    invalid_payload,       // not JSON, or a payload the packet type does not allow
    nesting_too_deep,      // JSON nested deeper than decoder_limits::max_depth
    invalid_event_name,    // an EVENT whose first element is not a string
    reserved_event_name,   // an EVENT named "connect", "disconnect", ... (wire.hpp)
    invalid_placeholder,   // a placeholder whose "num" is not an announced attachment index
    unexpected_binary,     // an attachment while no binary packet is being reassembled
    unexpected_text,       // a text packet while attachments are still expected
    attachments_too_large, // attachments of one packet above decoder_limits::max_attachment_bytes
    binary_timeout,        // the attachments did not all arrive before the deadline
    reused_attachment,     // two placeholders of one packet name the same attachment
    unused_attachment,     // an announced attachment that no placeholder names
    too_many_values,       // a payload of more JSON values than decoder_limits::max_values
};

// The category of decode_error ("socketio.decode"); messages follow socket.io-parser's where it
// has one ("invalid payload", "got binary data when not reconstructing a packet", ...).
std::error_category const& decode_category() noexcept;
std::error_code make_error_code(decode_error e) noexcept;

// Limits on what one client may send; the defaults are in docs/security.md.
struct decoder_limits {
    // Binary attachments per packet.
    std::size_t max_attachments = 10;
    // Total bytes of one packet's attachments (Engine.IO's maxHttpBufferSize default).
    std::size_t max_attachment_bytes = 1'000'000;
    // Time from the text part of a binary packet to its last attachment. Attachments follow
    // their packet in the same polling payload or in the next WebSocket frames, so 10 s leaves
    // room for a slow link while bounding what a silent client can keep allocated.
    util::duration binary_timeout = std::chrono::seconds(10);
    // JSON nesting of the payload, counting the payload array or object itself as 1.
    std::size_t max_depth = 32;
    // JSON values in one payload. nlohmann's tree takes up to ~25 bytes per byte of text (an
    // array of empty strings); 100,000 values keep a packet's tree under ~10 MB, and a pending
    // binary packet holds its tree until the attachments come.
    std::size_t max_values = 100'000;
    // Refuse EVENT packets named like a reserved event (the server decodes client input).
    bool reject_reserved_events = true;
};

enum class decode_status : std::uint8_t { need_more, packet, error };

// The outcome of one feed: `packet` (in `pkt`), `need_more` (attachments still expected) or
// `error` (in `error`; the decoder has been reset).
struct decode_result {
    decode_status status = decode_status::need_more;
    packet pkt;
    decode_error error = decode_error::invalid_type;

    bool has_packet() const noexcept { return status == decode_status::packet; }
    bool failed() const noexcept { return status == decode_status::error; }
};

// The Socket.IO v5 decoder of one client connection, sans I/O (socket.io-parser's Decoder).
// Feed it each Engine.IO message in order: text messages to feed_text, binary ones to
// feed_binary. A BINARY_EVENT/BINARY_ACK announces N attachments; the decoder keeps it until N
// binary messages arrived, then yields it as an EVENT/ACK with the bytes in place of the
// placeholders. Time is an input: the shell arms a timer at deadline() and, when it fires, closes
// the client if expired(now). Any error resets the decoder (nothing pending, buffers freed), so
// the next packet decodes afresh. Never throws, never asserts on input. One owner thread.
//
// Where it is stricter than socket.io-parser 4.2.4, on purpose: attachment counts and ack ids are
// plain decimal digits (Node's Number() also takes " 1", "0x1", "1e1"); ack ids stop at 2^53 - 1;
// an EVENT needs a string name (4.2.4 lets a number through) that is not reserved, and EVENT/ACK
// need their payload (socket.io-protocol README); placeholders are checked when the text arrives
// and their "num" must be an integer; a BINARY_* packet announcing 0 attachments is yielded at
// once and leaves nothing pending (4.2.4 keeps a stale reconstructor); JSON string escapes of
// lone surrogates are refused (nlohmann keeps UTF-8 only); each announced attachment must be named
// by exactly one placeholder (4.2.4 copies an attachment once per placeholder that names it, so a
// few thousand placeholders and one large attachment would reach gigabytes; socket.io-client never
// names one twice). The limits are additions.
//
// Bound: a yielded packet holds each attachment byte once (moved, not copied, into the tree), so
// its binary bytes never exceed the bytes fed; its JSON is nlohmann's tree of the text fed.
class decoder {
public:
    explicit decoder(decoder_limits limits = {});

    // Decodes one text message.
    decode_result feed_text(std::string_view text, util::time_point now);
    // Takes one binary message as the next attachment of the pending packet.
    decode_result feed_binary(std::string_view bytes, util::time_point now);

    // True while a binary packet waits for attachments.
    bool pending() const noexcept { return pending_.has_value(); }
    // When the pending packet times out; empty when nothing is pending.
    std::optional<util::time_point> deadline() const noexcept;
    // True when a packet is pending and `now` is at or past its deadline.
    bool expired(util::time_point now) const noexcept;
    // Drops the pending packet and its buffers (socket.io-parser's destroy()).
    void reset() noexcept;

    decoder_limits const& limits() const noexcept { return limits_; }

private:
    decode_result fail(decode_error e);
    decode_result take_text(std::string_view text, util::time_point now);
    decode_result take_binary(std::string_view bytes);

    decoder_limits limits_;
    std::optional<packet> pending_;
    std::size_t expected_ = 0;
    std::vector<std::vector<std::uint8_t>> buffers_;
    std::size_t buffered_bytes_ = 0;
    util::time_point deadline_{};
};

// True for the event names a client may not emit (wire::reserved_event_names).
bool is_reserved_event_name(std::string_view name) noexcept;

} // namespace kibitz::socketio

template<>
struct std::is_error_code_enum<kibitz::socketio::decode_error> : std::true_type {};
