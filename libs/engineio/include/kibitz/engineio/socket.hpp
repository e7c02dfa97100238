#pragma once

#include <kibitz/engineio/http.hpp>
#include <kibitz/engineio/packet.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::engineio {

// A message from the client. `data` is valid only during the handler call.
struct message {
    bool binary = false;
    std::string_view data;
};

using message_handler = std::function<void(message)>;
// Called once when the session ends, with an engine.io close reason (wire.hpp) and details.
using close_handler = std::function<void(std::string_view reason, std::string_view description)>;

// One Engine.IO session, whatever its transport (polling, WebSocket, or polling upgraded to
// WebSocket). Owned by the server; hold it by shared_ptr. Every member is called on the
// io_context thread that runs the server.
class socket {
public:
    virtual ~socket() = default;

    // The session id (at least 120 random bits, URL-safe).
    virtual std::string const& id() const = 0;
    // "polling" or "websocket": the transport in use now.
    virtual std::string_view transport() const = 0;
    // The request that opened the session (method, target, headers, address, time; no body).
    virtual http_request const& handshake() const = 0;
    // The headers of handshake(), to keep beyond this call: the server's sessions share their
    // own list (no copy); the default copies it.
    virtual std::shared_ptr<header_list const> shared_headers() const {
        return std::make_shared<header_list const>(handshake().headers);
    }

    // Queues a packet; everything queued in one loop turn leaves in one write. A droppable
    // (volatile) packet is dropped instead when the transport is busy. A session whose queue
    // passes options::max_send_queue_bytes is closed soon after (never inside this call).
    // Returns false when the packet was dropped or the session is closed.
    virtual bool send(outgoing_ptr packet, bool droppable = false) = 0;
    bool send_text(std::string_view text) { return send(make_message(text)); }
    bool send_binary(std::string_view bytes) { return send(make_binary(bytes)); }

    // Starts writing what is queued now instead of at the end of the loop turn, so that what
    // is sent afterwards leaves in a later write (a handshake reply before the first events).
    virtual void flush() = 0;

    // True when nothing is queued and nothing is being written.
    virtual bool writable() const = 0;
    virtual std::size_t buffered_bytes() const = 0;
    virtual bool is_open() const = 0;
    // The smoothed heartbeat round trip (heartbeat::rtt), nullopt before the first pong.
    virtual std::optional<util::duration> rtt() const { return std::nullopt; }

    // Closes the session after what is queued has been sent ("forced close"). The close handler
    // runs later, from the event loop, never inside this call.
    virtual void close() = 0;

    virtual void on_message(message_handler handler) = 0;
    virtual void on_close(close_handler handler) = 0;
};

using socket_ptr = std::shared_ptr<socket>;

} // namespace kibitz::engineio
