#pragma once

#include <kibitz/redis/parser.hpp>
#include <kibitz/redis/url.hpp>
#include <kibitz/redis/value.hpp>
#include <kibitz/util/clock.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace kibitz::redis {

// Why a command got no reply. A reply that is a Redis error ("-ERR ...") is not one of these:
// it arrives as a value with is_error().
enum class errc : std::uint8_t {
    not_connected = 1, // sent while the connection was down (fail fast, nothing queued)
    connection_lost,   // the connection dropped before the reply came
    too_many_pending,  // connection_options::max_pending commands already await replies
    write_buffer_full, // connection_options::max_write_bytes already wait to be written
    subscriber_mode,   // send() on a subscriber connection (RESP2 allows only (un)subscribe)
    closed,            // close() was called
};

// The category of errc ("redis.connection").
std::error_category const& connection_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

enum class connection_mode : std::uint8_t { command, subscriber };

struct connection_options {
    redis::url url;
    connection_mode mode = connection_mode::command;
    parser_limits limits;
    // Commands awaiting replies (the FIFO of callbacks).
    std::size_t max_pending = 10'000;
    // Bytes of commands not yet written to the socket (a slow or frozen Redis).
    std::size_t max_write_bytes = 32 * 1024 * 1024;
    // A connect that takes longer is abandoned and retried: resolve, TCP, and the handshake
    // (AUTH, SELECT, PING) up to Redis's first answer; a stopped Redis still accepts TCP.
    util::duration connect_timeout = std::chrono::seconds(2);
    // Health PING period. Two ticks without a byte from Redis while a PING is unanswered drop
    // the connection, so a frozen Redis is noticed 2 to 3 periods after it froze: 8-12 s
    // (a half-open connection too). Zero: no PING (a connection for blocking commands
    // such as XREAD BLOCK, whose caller bounds the wait, or a block time above 2 periods).
    util::duration ping_interval = std::chrono::seconds(4);
    // Reconnect delay: doubles from min to max, with +-25 % jitter; reset by a connect.
    util::duration backoff_min = std::chrono::milliseconds(50);
    util::duration backoff_max = std::chrono::seconds(2);
};

// The reply to one command: `ec` set (errc) and `reply` nil when there is none.
using reply_handler = std::function<void(std::error_code ec, value reply)>;
using push_handler = std::function<void(push const&)>;
using state_handler = std::function<void(bool up)>;

// One Redis connection that keeps itself up: the thin Asio shell around the RESP2 codec.
// - command mode: send() pipelines commands; each handler gets its reply, in order (FIFO).
//   While the connection is down send() fails fast (not_connected): nothing is queued for
//   later, so a caller never waits on an outage.
// - subscriber mode: the desired channels, patterns and shard channels are state; they are
//   (re)sent after every connect, so a Redis restart never leaves us silently unsubscribed.
//   Messages and confirmations go to on_push.
// Both modes PING every ping_interval and reconnect after two unanswered PINGs, after a parse
// error (the stream cannot be resynchronised) and after any I/O error, with backoff. Every
// callback runs on the io_context's thread, never inside the call that caused it (failures
// of send() are posted). All calls must come from that thread. Destroying the connection
// closes it; pending handlers then get `closed`.
class connection {
public:
    connection(boost::asio::io_context& ioc, connection_options opts);
    ~connection();
    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    void on_push(push_handler handler);
    // Called with true each time the connection is ready (Redis answered the handshake after a
    // connect) and with false each time a ready connection is lost.
    void on_state(state_handler handler);

    // Connects, then keeps connecting until close().
    void start();
    // Drops the connection for good; pending handlers get `closed`.
    void close();

    // Sends one command (arguments are binary-safe); `handler` gets its reply.
    void send(std::vector<std::string> args, reply_handler handler);

    // Subscriber mode: adds or removes a channel (SUBSCRIBE), pattern (PSUBSCRIBE) or shard
    // channel (SSUBSCRIBE, Redis >= 7); applied at once when connected, and after every connect.
    void subscribe(std::string channel);
    void unsubscribe(std::string const& channel);
    void psubscribe(std::string pattern);
    void punsubscribe(std::string const& pattern);
    void ssubscribe(std::string channel);
    void sunsubscribe(std::string const& channel);

    // Ready: connected, and Redis answered the handshake.
    bool connected() const;
    // Commands awaiting replies (health PINGs included).
    std::size_t pending() const;
    // Connects so far (1 after the first).
    std::size_t connects() const;

    connection_options const& options() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace kibitz::redis

template<>
struct std::is_error_code_enum<kibitz::redis::errc> : std::true_type {};
