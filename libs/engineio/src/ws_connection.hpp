#pragma once

#include <kibitz/engineio/packet.hpp>
#include <kibitz/engineio/socket.hpp>
#include <kibitz/engineio/ws_codec.hpp>
#include <kibitz/http/handler.hpp>
#include <kibitz/net/asio.hpp>

#include <memory>
#include <string>
#include <vector>

namespace kibitz::engineio::detail {

class ws_connection;

// What a WebSocket connection reports to the session that owns it.
class ws_owner {
public:
    virtual ~ws_owner() = default;
    virtual void on_ws_message(ws_connection& ws, message msg) = 0;
    // The connection is gone: `error` tells a protocol or I/O error from an orderly close.
    virtual void on_ws_closed(ws_connection& ws, bool error, std::string_view description) = 0;
    // A write finished and nothing is in flight: the owner may write more.
    virtual void on_ws_drained(ws_connection& ws) = 0;
};

// What one WebSocket may cost the server.
struct ws_limits {
    std::size_t max_message_size = 1'000'000;
    std::size_t max_frames_per_message = ws_reader::default_max_frames_per_message;
    // Bytes waiting for the socket (data, the probe's answers and control replies): past it,
    // the peer is not reading and the connection is closed.
    std::size_t max_queue_bytes = 16u << 20;
    // A write that does not finish within this closes the connection.
    util::duration write_timeout{30000};
    // permessage-deflate was negotiated for this connection (ws_deflate.hpp): frames with RSV1
    // are read, and messages of at least `deflate_threshold` bytes go compressed.
    bool deflate = false;
    std::size_t deflate_threshold = 1024;
};

// One WebSocket connection after the handshake (RFC 6455), as an Engine.IO transport, over
// plain TCP or TLS (one template in ws_connection.cpp; plain TCP runs the code it ran before).
// Reading: it waits for readability and reads into one buffer shared by every connection of
// the thread, so an idle connection holds no read buffer; only an unfinished frame is copied
// into the connection. Writing: one write in flight; a batch of shared frames goes out as one
// gather write (over TLS: copied into one buffer, encrypted in records of up to 16 kB, one
// asynchronous write). Pongs are coalesced (RFC 6455 section 5.5.3): a peer that pings and
// never reads costs one pending pong, not one per ping. Every callback runs on the io_context
// thread.
class ws_connection {
public:
    virtual ~ws_connection() = default;

    // Starts reading; `leftover` holds bytes that arrived with the handshake.
    virtual void start(ws_owner* owner, std::string leftover) = 0;
    void set_owner(ws_owner* owner) { owner_ = owner; }

    bool writing() const { return writing_; }
    // Bytes queued and not yet handed to the kernel.
    std::size_t queued_bytes() const { return queued_bytes_; }
    // Writes the frames in one go. Only when !writing() (the probe's answers may queue).
    // Takes the frames out of `batch`, which is left empty with its capacity (the session's
    // next queue: no allocation per write).
    virtual void write(std::vector<outgoing_ptr>& batch) = 0;
    // Sends a close frame after what is being written, then closes. No callbacks after this.
    virtual void close(std::uint16_t code, std::string_view reason = {}) = 0;

protected:
    ws_owner* owner_ = nullptr;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
};

// A WebSocket over the TCP socket of an upgrade, not started yet.
std::shared_ptr<ws_connection> make_ws_connection(net::tcp::socket socket, ws_limits const& limits,
                                                  http::connection_slot slot = {});
// The same over the TLS stream of an upgrade (http::upgraded_socket::tls).
std::shared_ptr<ws_connection> make_tls_ws_connection(std::shared_ptr<net::tls_socket> tls,
                                                      ws_limits const& limits,
                                                      http::connection_slot slot = {});

} // namespace kibitz::engineio::detail
