#include "connection.hpp"
#include "ws_client_codec.hpp"

#include <openssl/ssl.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace kibitz::bench {

namespace {
// One read buffer for every connection: reads never overlap on one thread.
constexpr std::size_t read_size = 256 * 1024;
thread_local std::vector<char> read_buffer(read_size);
constexpr std::size_t max_frame = 16u << 20;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

connection::connection(net::asio::io_context& ioc, connection_events& events, std::size_t index)
    : socket_(ioc), events_(events), index_(index),
      mask_seed_(static_cast<std::uint32_t>(index * 2654435761u + 1)) {}

connection::~connection() {
    if (ssl_) SSL_free(ssl_);
}

void connection::start(net::tcp::endpoint server, net::asio::ip::address source, std::string host,
                       ssl_ctx_st* tls) {
    tls_ctx_ = tls;
    host_ = host.substr(0, host.rfind(':'));
    net::error_code ec;
    socket_.open(server.protocol(), ec);
    if (ec) return fail("socket: " + ec.message());
    if (!source.is_unspecified()) {
        // Linux: the port is picked at connect() against the whole 4-tuple, so several source
        // addresses multiply the ephemeral ports available to one server address.
        int one = 1;
        ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
                     sizeof one);
        socket_.bind(net::tcp::endpoint(source, 0), ec);
        if (ec) return fail("bind: " + ec.message());
    }
    out_ = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + host +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    socket_.async_connect(server, [this](net::error_code e) { on_connect(e); });
}

void connection::on_connect(net::error_code ec) {
    if (ec) return fail("connect: " + ec.message());
    socket_.non_blocking(true, ec);
    socket_.set_option(net::tcp::no_delay(true), ec);
    if (!tls_ctx_) return on_secure();
    ssl_ = SSL_new(tls_ctx_);
    if (!ssl_ || SSL_set_fd(ssl_, socket_.native_handle()) != 1) return fail("tls: SSL_new");
    SSL_set_connect_state(ssl_);
    SSL_set_tlsext_host_name(ssl_, host_.c_str());
    do_handshake();
}

void connection::do_handshake() {
    if (state_ == state::closed) return;
    int r = SSL_do_handshake(ssl_);
    if (r == 1) return on_secure();
    int err = SSL_get_error(ssl_, r);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return fail("tls handshake");
    auto wait =
        err == SSL_ERROR_WANT_READ ? net::tcp::socket::wait_read : net::tcp::socket::wait_write;
    socket_.async_wait(wait, [this](net::error_code ec) {
        if (ec) return fail("tls wait: " + ec.message());
        do_handshake();
    });
}

void connection::on_secure() {
    state_ = state::upgrading;
    flush();
    do_wait_read();
}

std::size_t connection::read_some(char* data, std::size_t size, net::error_code& ec) {
    if (!ssl_) return socket_.read_some(net::asio::buffer(data, size), ec);
    ec = {};
    int r = SSL_read(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1u << 30)));
    if (r > 0) return static_cast<std::size_t>(r);
    int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        ec = net::asio::error::would_block;
    else if (err == SSL_ERROR_ZERO_RETURN)
        ec = net::asio::error::eof;
    else
        ec = net::asio::error::connection_reset;
    return 0;
}

std::size_t connection::write_some(char const* data, std::size_t size, net::error_code& ec) {
    if (!ssl_) return socket_.write_some(net::asio::buffer(data, size), ec);
    ec = {};
    // SSL_MODE_ENABLE_PARTIAL_WRITE (runner.cpp): a short write returns what went.
    int r = SSL_write(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1u << 30)));
    if (r > 0) return static_cast<std::size_t>(r);
    int err = SSL_get_error(ssl_, r);
    ec = err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ
             ? net::error_code(net::asio::error::would_block)
             : net::error_code(net::asio::error::connection_reset);
    return 0;
}

void connection::do_wait_read() {
    socket_.async_wait(net::tcp::socket::wait_read,
                       [this](net::error_code ec) { on_readable(ec); });
}

void connection::on_readable(net::error_code ec) {
    if (state_ == state::closed) return;
    if (ec) return fail("wait: " + ec.message());
    auto& buf = read_buffer;
    auto now = now_ns();
    in_read_ = true;
    // Read what is there, bounded so one busy connection cannot starve the others.
    for (int rounds = 0; rounds < 8; ++rounds) {
        std::size_t n = read_some(buf.data(), buf.size(), ec);
        if (ec == net::asio::error::would_block) break;
        if (ec) {
            in_read_ = false;
            return fail(ec == net::asio::error::eof ? "closed by server" : ec.message());
        }
        std::size_t used = 0;
        bool ok;
        if (partial_.empty()) {
            ok = consume(buf.data(), n, used, now);
            if (ok) partial_.assign(buf.data() + used, n - used);
        } else {
            partial_.append(buf.data(), n);
            ok = consume(partial_.data(), partial_.size(), used, now);
            if (ok) partial_.erase(0, used);
        }
        if (!ok) {
            in_read_ = false;
            return;
        }
        // Over TLS a read returns one record at most: read until it would block.
        if (!ssl_ && n < buf.size()) break;
    }
    in_read_ = false;
    if (ssl_ && SSL_pending(ssl_) > 0 && state_ != state::closed) {
        // Decrypted bytes wait in OpenSSL, which the socket will not signal: come back soon.
        if (out_.size() > out_sent_) flush();
        net::asio::post(socket_.get_executor(), [this] { on_readable({}); });
        return;
    }
    // Everything the handlers queued leaves in one write.
    if (out_.size() > out_sent_) flush();
    if (state_ != state::closed) do_wait_read();
}

bool connection::consume(char const* data, std::size_t size, std::size_t& used, std::int64_t now) {
    // Handles every complete frame; false when the connection is done.
    used = 0;
    if (state_ == state::upgrading) {
        if (!on_upgrade_response(data, size, used)) return state_ != state::closed;
    }
    while (used < size) {
        std::size_t n = 0;
        auto f = next_server_frame(data + used, size - used, n, max_frame);
        using kind = server_frame::kind;
        if (f.what == kind::need_more) break;
        used += n;
        switch (f.what) {
        case kind::text:
            if (!on_text(f.payload, now)) return false;
            break;
        case kind::ping:
            queue_frame(10, f.payload, {});
            break;
        case kind::close:
            fail("websocket closed by server");
            return false;
        case kind::error:
            fail("bad websocket frame");
            return false;
        default:
            break;
        }
    }
    return true;
}

bool connection::on_upgrade_response(char const* data, std::size_t size, std::size_t& used) {
    // The 101 response head, then frames may follow in the same read.
    std::string_view in(data, size);
    auto end = in.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (size > 8192) fail("upgrade response too long");
        return false;
    }
    if (in.substr(0, 12) != "HTTP/1.1 101") {
        fail("upgrade refused: " + std::string(in.substr(0, in.find("\r\n"))));
        return false;
    }
    used = end + 4;
    state_ = state::opening;
    return true;
}

bool connection::on_text(std::string_view text, std::int64_t now) {
    if (text.empty()) return true;
    switch (text[0]) {
    case '4':
        break;
    case '2':
        // Engine.IO v4: the server pings, the client answers with the same data.
        ++pings_;
        max_ping_gap_ns_ = std::max(max_ping_gap_ns_, now - last_ping_ns_);
        last_ping_ns_ = now;
        queue_frame(1, "3", {});
        return true;
    case '0':
        // The Engine.IO open packet; now CONNECT to "/".
        if (state_ == state::opening) {
            last_ping_ns_ = now;
            if (auto at = text.find("\"pingInterval\":"); at != std::string_view::npos)
                ping_interval_ms_ = std::atoll(std::string(text.substr(at + 15, 12)).c_str());
            state_ = state::joining;
            queue_frame(1, "40", {});
        }
        return true;
    case '1':
        fail("engine.io close");
        return false;
    default:
        return true;
    }
    // A Socket.IO packet: "42[...]" event, "40{...}" connect, "41" disconnect, "44" error.
    if (text.size() >= 2 && text[1] == '2') {
        events_.on_event(*this, text.substr(2), now);
        return state_ != state::closed;
    }
    if (text.size() >= 2 && text[1] == '0' && state_ == state::joining) {
        auto key = text.find("\"sid\":\"");
        if (key == std::string_view::npos) {
            fail("connect without sid");
            return false;
        }
        auto start = key + 7;
        sid_ = std::string(text.substr(start, text.find('"', start) - start));
        state_ = state::ready;
        events_.on_ready(*this);
        return state_ != state::closed;
    }
    if (text.size() >= 2 && (text[1] == '1' || text[1] == '4')) {
        fail("socket.io disconnect or connect_error");
        return false;
    }
    return true;
}

void connection::send_packet(std::string_view sio_packet) {
    if (state_ == state::closed) return;
    // Engine.IO v4: a message packet is "4" and its data.
    queue_frame(1, "4", sio_packet);
}

void connection::queue_frame(std::uint8_t opcode, std::string_view head, std::string_view body) {
    // xorshift32: a fresh mask key per frame (RFC 6455 section 5.3).
    mask_seed_ ^= mask_seed_ << 13;
    mask_seed_ ^= mask_seed_ >> 17;
    mask_seed_ ^= mask_seed_ << 5;
    append_masked_frame(out_, opcode, head, body, mask_seed_);
    if (in_read_ || flush_posted_ || waiting_write_) return;
    // Outside a read handler: one write for everything queued in this loop turn.
    flush_posted_ = true;
    net::asio::post(socket_.get_executor(), [this] {
        flush_posted_ = false;
        flush();
    });
}

void connection::flush() {
    if (state_ == state::closed || waiting_write_ || state_ == state::connecting) return;
    while (out_sent_ < out_.size()) {
        net::error_code ec;
        auto n = write_some(out_.data() + out_sent_, out_.size() - out_sent_, ec);
        if (ec == net::asio::error::would_block) {
            waiting_write_ = true;
            socket_.async_wait(net::tcp::socket::wait_write,
                               [this](net::error_code e) { on_writable(e); });
            return;
        }
        if (ec) return fail("write: " + ec.message());
        out_sent_ += n;
    }
    out_.clear();
    out_sent_ = 0;
}

void connection::on_writable(net::error_code ec) {
    waiting_write_ = false;
    if (state_ == state::closed) return;
    if (ec) return fail("wait write: " + ec.message());
    flush();
}

void connection::close() {
    if (state_ == state::closed) return;
    state_ = state::closed;
    net::error_code ignored;
    socket_.close(ignored);
}

void connection::fail(std::string_view why) {
    if (state_ == state::closed) return;
    close();
    events_.on_closed(*this, why);
}

} // namespace kibitz::bench
