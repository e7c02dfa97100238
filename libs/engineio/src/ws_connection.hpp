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
};

// One WebSocket connection after the handshake (RFC 6455), as an Engine.IO transport.
// Reading: it waits for readability and reads into one buffer shared by every connection of
// the thread, so an idle connection holds no read buffer; only an unfinished frame is copied
// into the connection. Writing: one write in flight; a batch of shared frames goes out as one
// gather write. Pongs are coalesced (RFC 6455 section 5.5.3): a peer that pings and never reads
// costs one pending pong, not one per ping. Every callback runs on the io_context thread.
class ws_connection : public std::enable_shared_from_this<ws_connection> {
public:
    ws_connection(net::tcp::socket socket, ws_limits const& limits,
                  http::connection_slot slot = {});

    // Starts reading; `leftover` holds bytes that arrived with the handshake.
    void start(ws_owner* owner, std::string leftover);
    void set_owner(ws_owner* owner) { owner_ = owner; }

    bool writing() const { return writing_; }
    // Bytes queued and not yet handed to the kernel.
    std::size_t queued_bytes() const { return queued_bytes_; }
    // Writes the frames in one go. Only when !writing() (the probe's answers may queue).
    void write(std::vector<outgoing_ptr> batch);
    // Sends a close frame after what is being written, then closes. No callbacks after this.
    void close(std::uint16_t code, std::string_view reason = {});

private:
    void do_wait();
    void on_readable(net::error_code ec);
    bool consume(char* data, std::size_t size, std::size_t& used);
    bool handle(ws_event const& ev);
    void write_pong(std::string_view payload);
    bool over_queue_limit();
    void arm_write_deadline();
    void start_write();
    void on_write(net::error_code ec);
    void on_written_now();
    void fail(bool error, std::string_view description);
    void linger();
    void discard();
    void shutdown();

    net::tcp::socket socket_;
    ws_limits limits_;
    http::connection_slot slot_;
    ws_reader reader_;
    ws_owner* owner_ = nullptr;
    std::string partial_; // bytes of a frame not yet complete
    std::vector<outgoing_ptr> pending_;
    std::vector<outgoing_ptr> inflight_;
    std::string pong_pending_; // the latest ping's answer, not yet written
    std::string pong_inflight_;
    std::size_t queued_bytes_ = 0;
    std::vector<net::asio::const_buffer> buffers_;
    std::string close_frame_;
    std::unique_ptr<net::asio::steady_timer> linger_timer_; // only while closing
    std::unique_ptr<net::asio::steady_timer> write_timer_;  // only while a write waits
    unsigned write_generation_ = 0;
    bool close_sent_ = false;
    bool writing_ = false;
    bool closing_ = false; // a close frame is queued or sent: read nothing more
    bool closed_ = false;
};

} // namespace kibitz::engineio::detail
