// The floor the bench measures Kibitz against: a minimal corked server that speaks only the bench
// protocol (PROTOCOL.md, "Example servers"), with no Kibitz library. One thread of Asio,
// hand-written HTTP upgrade and WebSocket framing, Engine.IO and Socket.IO emulated by string
// matching: the open packet, "40" answered with a sid, pings every 25 s, `chat message` sent to
// every socket, `dm` to the socket whose sid is P.to. Each frame a read produces is appended to
// the recipients' output buffers (a broadcast is framed once and copied into each), and every
// buffer touched by the read leaves in one write when the read is handled, as uWebSockets does.
// Reads are Asio's plain async_read_some into a small buffer per connection: a naive server,
// with the system calls of one (a speculative read and an epoll_ctl when a read is restarted).
//
//   floor-server [--host 127.0.0.1] [--port 3000]
#include <kibitz/net/asio.hpp>

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace net = kibitz::net;
namespace asio = net::asio;

namespace {

std::string base64(unsigned char const* data, std::size_t n) {
    static constexpr char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < n; i += 3) {
        std::uint32_t v = std::uint32_t{data[i]} << 16;
        if (i + 1 < n) v |= std::uint32_t{data[i + 1]} << 8;
        if (i + 2 < n) v |= data[i + 2];
        out += digits[(v >> 18) & 63];
        out += digits[(v >> 12) & 63];
        out += i + 1 < n ? digits[(v >> 6) & 63] : '=';
        out += i + 2 < n ? digits[v & 63] : '=';
    }
    return out;
}

// RFC 6455 section 4.2.2: the accept key of a Sec-WebSocket-Key.
std::string accept_key(std::string_view key) {
    std::string s(key);
    s += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<unsigned char const*>(s.data()), s.size(), digest);
    return base64(digest, sizeof digest);
}

// An unmasked server text frame.
void append_frame(std::string& out, std::string_view payload, std::uint8_t opcode = 1) {
    auto n = payload.size();
    out.push_back(static_cast<char>(0x80 | opcode));
    if (n < 126) {
        out.push_back(static_cast<char>(n));
    } else if (n <= 0xffff) {
        out.push_back(static_cast<char>(126));
        out.push_back(static_cast<char>((n >> 8) & 0xff));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff));
    }
    out.append(payload);
}

class server;

class conn : public std::enable_shared_from_this<conn> {
public:
    conn(server& srv, net::tcp::socket s) : srv_(srv), socket_(std::move(s)) {}
    void start() { read(); }
    void queue(std::string_view bytes);
    void flush();
    void close();
    std::string const& sid() const { return sid_; }
    bool open() const { return upgraded_ && !closed_; }

private:
    void read();
    void on_read(std::size_t n);
    bool handshake();
    bool frames();
    void on_text(std::string_view text);
    void write_some();

    server& srv_;
    net::tcp::socket socket_;
    std::array<char, 4096> buf_{};
    std::string in_;
    std::string out_, inflight_;
    std::string sid_;
    bool upgraded_ = false, writing_ = false, dirty_ = false, closed_ = false;
};

class server {
public:
    server(asio::io_context& ioc, net::tcp::endpoint at)
        : ioc_(ioc), acceptor_(ioc, at), ping_timer_(ioc) {}
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void start() {
        accept();
        arm_ping();
    }
    std::string join(std::shared_ptr<conn> c) {
        std::string sid = std::to_string(++next_id_);
        sid.insert(0, 20 - sid.size(), 'f'); // 20 characters, as Socket.IO's
        by_sid_[sid] = std::move(c);
        return sid;
    }
    void leave(std::string const& sid) { by_sid_.erase(sid); }
    void broadcast(std::string_view packet) {
        frame_.clear();
        append_frame(frame_, packet); // framed once
        for (auto& [sid, c] : by_sid_)
            c->queue(frame_);
    }
    void to(std::string const& sid, std::string_view packet) {
        auto it = by_sid_.find(sid);
        if (it == by_sid_.end()) return;
        frame_.clear();
        append_frame(frame_, packet);
        it->second->queue(frame_);
    }
    // Called by a connection whose output buffer went from empty to not: flushed after the read.
    void dirty(conn* c) { dirty_.push_back(c->shared_from_this()); }
    void flush_dirty() {
        for (auto& c : dirty_)
            c->flush();
        dirty_.clear();
    }

private:
    void accept() {
        acceptor_.async_accept([this](net::error_code ec, net::tcp::socket s) {
            if (!ec) {
                s.set_option(net::tcp::no_delay(true), ec);
                s.non_blocking(true, ec);
                std::make_shared<conn>(*this, std::move(s))->start();
            }
            accept();
        });
    }
    void arm_ping() {
        ping_timer_.expires_after(std::chrono::seconds(25));
        ping_timer_.async_wait([this](net::error_code ec) {
            if (ec) return;
            broadcast_engine("2");
            arm_ping();
        });
    }
    void broadcast_engine(std::string_view packet) {
        frame_.clear();
        append_frame(frame_, packet);
        for (auto& [sid, c] : by_sid_)
            c->queue(frame_);
        flush_dirty();
    }

    asio::io_context& ioc_;
    net::tcp::acceptor acceptor_;
    asio::steady_timer ping_timer_;
    std::unordered_map<std::string, std::shared_ptr<conn>> by_sid_;
    std::vector<std::shared_ptr<conn>> dirty_;
    std::string frame_;
    std::uint64_t next_id_ = 0;
};

void conn::read() {
    socket_.async_read_some(asio::buffer(buf_),
                            [self = shared_from_this()](net::error_code ec, std::size_t n) {
                                if (ec) return self->close();
                                self->on_read(n);
                            });
}

void conn::on_read(std::size_t n) {
    in_.append(buf_.data(), n);
    bool ok = upgraded_ ? frames() : handshake();
    srv_.flush_dirty(); // everything this read produced, one write per socket
    if (!ok) return close();
    if (!closed_) read();
}

bool conn::handshake() {
    auto end = in_.find("\r\n\r\n");
    if (end == std::string::npos) return in_.size() < 8192;
    auto at = in_.find("Sec-WebSocket-Key: ");
    if (at == std::string::npos || at > end) return false;
    auto key = std::string_view(in_).substr(at + 19);
    key = key.substr(0, key.find("\r\n"));
    std::string reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                        accept_key(key) + "\r\n\r\n";
    in_.erase(0, end + 4);
    upgraded_ = true;
    sid_ = srv_.join(shared_from_this());
    std::string open = "0{\"sid\":\"e" + sid_ +
                       "\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
                       "\"maxPayload\":1000000}";
    append_frame(reply, open);
    queue(reply);
    return frames();
}

bool conn::frames() {
    std::size_t used = 0;
    while (in_.size() - used >= 2) {
        auto* p = reinterpret_cast<unsigned char*>(in_.data() + used);
        std::size_t avail = in_.size() - used;
        std::uint8_t opcode = p[0] & 0x0f;
        if ((p[1] & 0x80) == 0 || (p[0] & 0x80) == 0) return false; // masked, unfragmented
        std::uint64_t len = p[1] & 0x7f;
        std::size_t header = 2;
        if (len == 126) {
            if (avail < 4) break;
            len = (std::uint64_t{p[2]} << 8) | p[3];
            header = 4;
        } else if (len == 127) {
            if (avail < 10) break;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | p[2 + i];
            header = 10;
        }
        if (len > 1'000'000) return false;
        if (avail < header + 4 + len) break;
        unsigned char* key = p + header;
        char* payload = in_.data() + used + header + 4;
        for (std::size_t i = 0; i < len; ++i)
            payload[i] = static_cast<char>(payload[i] ^ static_cast<char>(key[i & 3]));
        used += header + 4 + len;
        if (opcode == 8) return false;
        if (opcode == 1) on_text(std::string_view(payload, len));
        if (closed_) return false;
    }
    in_.erase(0, used);
    return true;
}

void conn::on_text(std::string_view text) {
    if (text == "40") {
        std::string reply;
        append_frame(reply, "40{\"sid\":\"" + sid_ + "\"}");
        return queue(reply);
    }
    if (text.substr(0, 17) == "42[\"chat message\"") return srv_.broadcast(text);
    if (text.substr(0, 7) == "42[\"dm\"") {
        auto at = text.find("\"to\":\"");
        if (at == std::string_view::npos) return;
        auto to = text.substr(at + 6);
        return srv_.to(std::string(to.substr(0, to.find('"'))), text);
    }
    // "3" (pong) and anything else: nothing to do.
}

void conn::queue(std::string_view bytes) {
    if (closed_) return;
    out_.append(bytes);
    if (!dirty_ && !writing_) {
        dirty_ = true;
        srv_.dirty(this);
    }
}

void conn::flush() {
    dirty_ = false;
    if (writing_ || out_.empty() || closed_) return;
    inflight_.swap(out_);
    out_.clear();
    write_some();
}

void conn::write_some() {
    // Now, non-blocking; what the kernel does not take is left to Asio.
    net::error_code ec;
    auto n = socket_.write_some(asio::buffer(inflight_), ec);
    if (ec == asio::error::would_block) ec = {}, n = 0;
    if (ec) return close();
    if (n == inflight_.size()) {
        inflight_.clear();
        return;
    }
    inflight_.erase(0, n);
    writing_ = true;
    asio::async_write(socket_, asio::buffer(inflight_),
                      [self = shared_from_this()](net::error_code e, std::size_t) {
                          self->writing_ = false;
                          self->inflight_.clear();
                          if (e) return self->close();
                          self->flush();
                      });
}

void conn::close() {
    if (closed_) return;
    closed_ = true;
    if (upgraded_) srv_.leave(sid_);
    net::error_code ignored;
    socket_.close(ignored);
}

} // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    int port = 3000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--host") {
            host = argv[i + 1];
        } else if (flag == "--port") {
            port = std::atoi(argv[i + 1]);
        } else {
            std::cerr << "usage: floor-server [--host H] [--port P]\n";
            return 2;
        }
    }
    asio::io_context ioc{1};
    server srv(ioc,
               net::tcp::endpoint(asio::ip::make_address(host), static_cast<std::uint16_t>(port)));
    srv.start();
    std::cout << "listening on http://" << host << ":" << srv.port() << std::endl;
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](net::error_code, int) { ioc.stop(); });
    ioc.run();
    return 0;
}
