#pragma once

#include <kibitz/net/asio.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct ssl_st;
struct ssl_ctx_st;

namespace kibitz::bench {

class connection;

// What a connection reports to its driver. Every call runs on the io_context thread.
class connection_events {
public:
    virtual ~connection_events() = default;
    // The Socket.IO CONNECT to "/" was accepted: sid() is set.
    virtual void on_ready(connection& c) = 0;
    // A Socket.IO EVENT arrived: `args` is the JSON array after "42". `now_ns` is the time the
    // bytes were read (one reading of the clock per read, not per packet).
    virtual void on_event(connection& c, std::string_view args, std::int64_t now_ns) = 0;
    // The connection failed or was closed by the server; no call follows.
    virtual void on_closed(connection& c, std::string_view why) = 0;
};

// One Socket.IO v5 client over Engine.IO v4 over WebSocket, written for load: no allocation
// per packet, one read buffer shared by every connection, and the packets sent while handling
// a read leave in one write. Owned by the driver, which outlives every handler: destroy
// connections only once the io_context no longer runs.
class connection {
public:
    connection(net::asio::io_context& ioc, connection_events& events, std::size_t index);
    ~connection();
    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    // Connects from `source` (port chosen at connect time; unspecified: any) to `server`,
    // opens the WebSocket at /socket.io/, then CONNECTs to "/". With `tls` (an OpenSSL client
    // context), over TLS: OpenSSL reads and writes the non-blocking socket itself.
    void start(net::tcp::endpoint server, net::asio::ip::address source, std::string host,
               ssl_ctx_st* tls = nullptr);

    // Queues a Socket.IO packet text ("42[...]") as one Engine.IO message; it leaves at the end
    // of the current read handler, or in a write posted for this loop turn.
    void send_packet(std::string_view sio_packet);

    std::size_t index() const { return index_; }
    std::string const& sid() const { return sid_; }
    bool ready() const { return state_ == state::ready; }
    void close();

    // Heartbeats: the server's pingInterval (from the open packet; 0 before it), the pings
    // seen, the longest wait for one (from the open packet, then between pings) and the time
    // of the last (or of the open packet), steady ns.
    std::int64_t ping_interval_ms() const { return ping_interval_ms_; }
    std::uint32_t pings() const { return pings_; }
    std::int64_t max_ping_gap_ns() const { return max_ping_gap_ns_; }
    std::int64_t last_ping_ns() const { return last_ping_ns_; }

private:
    enum class state { connecting, upgrading, opening, joining, ready, closed };

    void on_connect(net::error_code ec);
    void do_handshake();
    void on_secure();
    std::size_t read_some(char* data, std::size_t size, net::error_code& ec);
    std::size_t write_some(char const* data, std::size_t size, net::error_code& ec);
    void do_wait_read();
    void on_readable(net::error_code ec);
    bool consume(char const* data, std::size_t size, std::size_t& used, std::int64_t now_ns);
    bool on_upgrade_response(char const* data, std::size_t size, std::size_t& used);
    bool on_text(std::string_view text, std::int64_t now_ns);
    void queue_frame(std::uint8_t opcode, std::string_view head, std::string_view body);
    void flush();
    void on_writable(net::error_code ec);
    void fail(std::string_view why);

    net::tcp::socket socket_;
    ssl_ctx_st* tls_ctx_ = nullptr;
    ssl_st* ssl_ = nullptr; // over TLS: the session, on socket_'s descriptor
    std::string host_;
    connection_events& events_;
    std::size_t index_;
    state state_ = state::connecting;
    std::string sid_;
    std::string partial_;
    std::string out_;
    std::size_t out_sent_ = 0;
    std::uint32_t mask_seed_;
    bool in_read_ = false;
    bool flush_posted_ = false;
    bool waiting_write_ = false;
    std::int64_t ping_interval_ms_ = 0;
    std::uint32_t pings_ = 0;
    std::int64_t max_ping_gap_ns_ = 0;
    std::int64_t last_ping_ns_ = 0;
};

} // namespace kibitz::bench
