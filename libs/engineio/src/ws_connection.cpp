#include "ws_connection.hpp"

#include <kibitz/net/readiness.hpp>
#include <kibitz/net/tls.hpp>

#include <cstring>
#include <type_traits>

namespace kibitz::engineio::detail {

namespace {
// One read buffer for every connection of the thread: reads never overlap on one thread.
constexpr std::size_t shared_read_size = 64 * 1024;
thread_local std::vector<char> shared_read_buffer(shared_read_size);
// One write buffer for every connection of the thread: a batch of several frames is copied
// into it and leaves in one piece (one segment for the kernel to copy, not one per frame).
thread_local std::string shared_write_buffer;
// Batches up to this size are copied; larger ones go as a gather write of the shared frames.
constexpr std::size_t coalesce_limit = 256 * 1024;
// A buffer kept by a connection between writes is released past this capacity.
constexpr std::size_t kept_buffer_limit = 16 * 1024;

bool would_block(net::error_code const& ec) {
    return ec == net::asio::error::would_block || ec == net::asio::error::try_again;
}

// Removes the first `n` bytes from a buffer sequence.
void drop_prefix(std::vector<net::asio::const_buffer>& buffers, std::size_t n) {
    std::size_t whole = 0;
    while (whole < buffers.size() && n >= buffers[whole].size())
        n -= buffers[whole++].size();
    buffers.erase(buffers.begin(), buffers.begin() + static_cast<std::ptrdiff_t>(whole));
    if (n > 0 && !buffers.empty()) buffers.front() += n;
}

using tls_holder = std::shared_ptr<net::tls_socket>;

// The stream a connection reads and writes, and the TCP socket under it.
net::tcp::socket& stream_of(net::tcp::socket& s) {
    return s;
}
net::tls_stream& stream_of(tls_holder& s) {
    return s->stream;
}
net::tcp::socket& lowest_of(net::tcp::socket& s) {
    return s;
}
net::tcp::socket& lowest_of(tls_holder& s) {
    return s->stream.next_layer();
}

// A peer that went away: end of stream, or over TLS a close without close_notify.
bool peer_closed(net::error_code const& ec) {
    return ec == net::asio::error::eof || ec == net::ssl::error::stream_truncated;
}

template<class Holder>
class basic_ws_connection final : public ws_connection,
                                  public net::readable,
                                  public std::enable_shared_from_this<basic_ws_connection<Holder>> {
    static constexpr bool is_tls = std::is_same_v<Holder, tls_holder>;

public:
    basic_ws_connection(Holder socket, ws_limits const& limits, http::connection_slot slot)
        : socket_(std::move(socket)), limits_(limits), slot_(std::move(slot)),
          reader_(limits.max_message_size, limits.max_frames_per_message, limits.deflate) {}

    void start(ws_owner* owner, std::string leftover) override;
    void write(std::vector<outgoing_ptr>& batch) override;
    void close(std::uint16_t code, std::string_view reason = {}) override;
    void on_readable() override { read_now({}); }

private:
    void do_wait();
    void stop_watching(bool closing_fd);
    void read_now(net::error_code ec);
    bool consume(char* data, std::size_t size, std::size_t& used);
    bool handle(ws_event const& ev);
    void write_pong(std::string_view payload);
    bool over_queue_limit();
    void arm_write_deadline();
    void start_write();
    void write_plain();
    net::error_code write_copied();
    net::error_code write_gathered();
    void write_tls();
    void on_write(net::error_code ec);
    void on_written_now();
    void release_write_buffers();
    void fail(bool error, std::string_view description);
    void linger();
    void discard();
    void shutdown();

    Holder socket_;
    ws_limits limits_;
    http::connection_slot slot_;
    ws_reader reader_;
    std::string partial_; // bytes of a frame not yet complete
    std::vector<outgoing_ptr> pending_;
    std::vector<outgoing_ptr> inflight_;
    std::vector<net::asio::const_buffer> buffers_;
    // What a connection needs only now and then, allocated the first time (an idle
    // connection whose writes the kernel takes at once never does): ~140 bytes less each.
    struct cold_state {
        std::string pong_pending; // the latest ping's answer, not yet written
        std::string pong_inflight;
        // The batch in flight in one piece: over TLS always; over TCP only the part of a
        // copied batch the kernel did not take at once. Released after the write when large.
        std::string out_copy;
        std::string close_frame;
        std::unique_ptr<net::asio::steady_timer> linger_timer; // only while closing
        std::unique_ptr<net::asio::steady_timer> write_timer;  // once a write had to wait
    };
    cold_state& cold() {
        if (!cold_) cold_ = std::make_unique<cold_state>();
        return *cold_;
    }
    bool pong_waiting() const { return cold_ && !cold_->pong_pending.empty(); }
    std::unique_ptr<cold_state> cold_;
    net::readiness* readiness_ = nullptr; // set while watched
    net::readiness::token watch_{};
    unsigned write_generation_ = 0;
    bool close_sent_ = false;
    bool closing_ = false; // a close frame is queued or sent: read nothing more
    bool closed_ = false;
};

template<class Holder>
void basic_ws_connection<Holder>::start(ws_owner* owner, std::string leftover) {
    owner_ = owner;
    net::error_code ec;
    lowest_of(socket_).non_blocking(true, ec);
    lowest_of(socket_).set_option(net::tcp::no_delay(true), ec);
    // Frames that came with the handshake are handled before waiting for more.
    if (!leftover.empty()) {
        std::size_t used = 0;
        partial_ = std::move(leftover);
        auto self = this->shared_from_this();
        net::asio::post(lowest_of(socket_).get_executor(), [self, used]() mutable {
            if (self->closed_ || self->closing_) return;
            if (!self->consume(self->partial_.data(), self->partial_.size(), used)) return;
            self->partial_.erase(0, used);
            // Over TLS the stream may hold records the HTTP side read past the request.
            if constexpr (is_tls) return self->read_now({});
            self->do_wait();
        });
        return;
    }
    if constexpr (is_tls) {
        net::asio::post(lowest_of(socket_).get_executor(),
                        [self = this->shared_from_this()] { self->read_now({}); });
        return;
    }
    do_wait();
}

template<class Holder>
void basic_ws_connection<Holder>::do_wait() {
    // Watched once, edge-triggered: every read after this one costs no system call to re-arm
    // (net/readiness.hpp). The watch keeps the connection alive until it stops reading.
    if (readiness_ || closed_ || closing_) return;
    auto& r = net::readiness::of(lowest_of(socket_).get_executor());
    net::error_code ec;
    auto token = r.watch(lowest_of(socket_).native_handle(), this->shared_from_this(), ec);
    if (!token) return fail(true, ec.message());
    readiness_ = &r;
    watch_ = *token;
}

template<class Holder>
void basic_ws_connection<Holder>::stop_watching(bool closing_fd) {
    if (!readiness_) return;
    auto* r = std::exchange(readiness_, nullptr);
    r->unwatch(watch_, closing_fd ? -1 : lowest_of(socket_).native_handle());
}

template<class Holder>
void basic_ws_connection<Holder>::read_now(net::error_code ec) {
    if (closed_ || closing_) return;
    if (ec) return fail(true, ec.message());
    auto& buf = shared_read_buffer;
    // Read what is there (bounded, so one busy client cannot starve the others). Over TLS a
    // read returns one record at most, and the stream may keep decrypted bytes the socket no
    // longer signals: read until the socket would block, and come back by a post, not a wait,
    // when the rounds run out.
    // Edge-triggered: a read shorter than the buffer emptied the socket (a new edge comes with
    // the next bytes), and so did one that would block.
    for (int rounds = 0; rounds < 16; ++rounds) {
        std::size_t n = stream_of(socket_).read_some(net::asio::buffer(buf), ec);
        if (ec == net::asio::error::would_block) return do_wait();
        if (peer_closed(ec)) return fail(false, "connection closed");
        if (ec) return fail(true, ec.message());
        std::size_t used = 0;
        if (partial_.empty()) {
            if (!consume(buf.data(), n, used)) return;
            partial_.assign(buf.data() + used, n - used);
        } else {
            partial_.append(buf.data(), n);
            if (!consume(partial_.data(), partial_.size(), used)) return;
            partial_.erase(0, used);
        }
        if (partial_.empty() && partial_.capacity() > 4096) std::string().swap(partial_);
        if (!is_tls && n < buf.size()) return do_wait();
    }
    // The rounds ran out with bytes left: the rest is read after the others had their turn.
    net::asio::post(lowest_of(socket_).get_executor(),
                    [self = this->shared_from_this()] { self->read_now({}); });
}

template<class Holder>
bool basic_ws_connection<Holder>::consume(char* data, std::size_t size, std::size_t& used) {
    // Handles every complete frame; returns false when the connection must stop reading.
    used = 0;
    while (used < size) {
        std::size_t n = 0;
        auto ev = reader_.next(data + used, size - used, n);
        used += n;
        if (ev.what == ws_event::kind::need_more && n == 0) break;
        if (!handle(ev)) return false;
        if (closed_ || closing_) return false;
    }
    return true;
}

template<class Holder>
bool basic_ws_connection<Holder>::handle(ws_event const& ev) {
    using kind = ws_event::kind;
    switch (ev.what) {
    case kind::need_more:
    case kind::pong:
        return true;
    case kind::text:
    case kind::binary:
        if (owner_) owner_->on_ws_message(*this, message{ev.what == kind::binary, ev.data});
        return true;
    case kind::ping:
        write_pong(ev.data);
        return !closed_;
    case kind::close: {
        // Echo the close (section 5.5.1), then the connection is done.
        std::uint16_t code = ev.code == ws_close_code::no_status ? ws_close_code::normal : ev.code;
        auto owner = owner_;
        owner_ = nullptr;
        close(code);
        if (owner) owner->on_ws_closed(*this, false, "client closed the connection");
        return false;
    }
    case kind::error: {
        auto owner = owner_;
        owner_ = nullptr;
        close(ev.code);
        if (owner) owner->on_ws_closed(*this, true, "websocket protocol error");
        return false;
    }
    }
    return true;
}

template<class Holder>
void basic_ws_connection<Holder>::write(std::vector<outgoing_ptr>& batch) {
    if (closed_ || closing_) return batch.clear();
    for (auto& p : batch) {
        queued_bytes_ += p->size();
        pending_.push_back(std::move(p));
    }
    batch.clear();
    if (over_queue_limit()) return;
    if (!writing_) start_write();
}

template<class Holder>
void basic_ws_connection<Holder>::write_pong(std::string_view payload) {
    // Section 5.5.3: only the latest ping needs its pong; an unwritten one is replaced.
    // Rewritten in place: a ping flood reuses one buffer instead of allocating per ping.
    auto& pong = cold().pong_pending;
    queued_bytes_ -= pong.size();
    pong.assign(ws_frame_header(ws_opcode::pong, payload.size()));
    pong.append(payload);
    queued_bytes_ += pong.size();
    if (over_queue_limit()) return;
    if (!writing_) start_write();
}

template<class Holder>
bool basic_ws_connection<Holder>::over_queue_limit() {
    if (queued_bytes_ <= limits_.max_queue_bytes) return false;
    // The peer does not read what it is sent (or asks for more than it reads): close.
    auto self = this->shared_from_this();
    fail(true, "send queue limit exceeded");
    return true;
}

template<class Holder>
void basic_ws_connection<Holder>::arm_write_deadline() {
    auto& timer = cold().write_timer;
    if (!timer)
        timer = std::make_unique<net::asio::steady_timer>(lowest_of(socket_).get_executor());
    unsigned generation = ++write_generation_;
    timer->expires_after(limits_.write_timeout);
    timer->async_wait([self = this->shared_from_this(), generation](net::error_code ec) {
        if (ec || generation != self->write_generation_ || !self->writing_) return;
        // The peer has not taken the bytes within the write timeout: free the descriptor.
        self->fail(true, "write timeout");
    });
}

template<class Holder>
void basic_ws_connection<Holder>::start_write() {
    bool send_close = closing_ && !close_sent_;
    bool const pong = pong_waiting();
    if (pending_.empty() && !pong && !send_close) return;
    writing_ = true;
    inflight_.swap(pending_);
    queued_bytes_ = 0;
    buffers_.clear();
    // Control frames first: a pong must not wait behind a long batch.
    if (pong) {
        cold_->pong_inflight.swap(cold_->pong_pending); // it was cleared, keeping its buffer
        cold_->pong_pending.clear();
        buffers_.push_back(net::asio::buffer(cold_->pong_inflight));
    }
    for (auto const& p : inflight_) {
        auto frame =
            limits_.deflate ? p->ws_frame_deflated(limits_.deflate_threshold) : p->ws_frame();
        buffers_.push_back(net::asio::buffer(frame.data(), frame.size()));
    }
    // The close frame goes last, after everything queued before close().
    if (send_close) {
        close_sent_ = true;
        buffers_.push_back(net::asio::buffer(cold().close_frame));
    }
    if constexpr (is_tls) {
        write_tls();
    } else {
        write_plain();
    }
}

template<class Holder>
void basic_ws_connection<Holder>::write_plain() {
    // Write now: the socket is non-blocking, and most batches leave in this one call with no
    // asynchronous operation to set up and complete. A batch of several frames is copied into
    // the thread's write buffer first: one segment for the kernel instead of one per frame,
    // and no limit of 64 buffers per call. Only what the kernel does not take yet is copied
    // into the connection, and left to Asio.
    std::size_t total = 0;
    for (auto const& b : buffers_)
        total += b.size();
    auto ec = buffers_.size() > 1 && total <= coalesce_limit ? write_copied() : write_gathered();
    if (ec) {
        // Reported from the loop, not from inside the caller's send.
        net::asio::post(lowest_of(socket_).get_executor(),
                        [self = this->shared_from_this(), ec] { self->on_write(ec); });
        return;
    }
    if (buffers_.empty()) return on_written_now();
    arm_write_deadline();
    net::asio::async_write(
        stream_of(socket_), buffers_,
        [self = this->shared_from_this()](net::error_code e, std::size_t) { self->on_write(e); });
}

template<class Holder>
net::error_code basic_ws_connection<Holder>::write_copied() {
    // Leaves in buffers_ what the kernel did not take, copied into the connection.
    auto& out = shared_write_buffer;
    out.clear();
    for (auto const& b : buffers_)
        out.append(static_cast<char const*>(b.data()), b.size());
    net::error_code ec;
    std::size_t written = socket_.write_some(net::asio::buffer(out), ec);
    if (would_block(ec)) {
        ec = {};
        written = 0;
    }
    buffers_.clear();
    if (!ec && written < out.size()) {
        auto& copy = cold().out_copy;
        copy.assign(out, written, std::string::npos);
        buffers_.push_back(net::asio::buffer(copy));
    }
    if (out.capacity() > coalesce_limit) std::string().swap(out);
    return ec;
}

template<class Holder>
net::error_code basic_ws_connection<Holder>::write_gathered() {
    // Leaves in buffers_ the part of the shared frames the kernel did not take.
    net::error_code ec;
    std::size_t written = socket_.write_some(buffers_, ec);
    if (would_block(ec)) {
        ec = {};
        written = 0;
    }
    if (!ec) drop_prefix(buffers_, written);
    return ec;
}

template<class Holder>
void basic_ws_connection<Holder>::write_tls() {
    // TLS writes the first buffer of a sequence per record: the batch goes as one piece, so
    // it leaves in records of up to 16 kB rather than one record and one write per frame. The
    // stream is only written asynchronously (a synchronous TLS write on a non-blocking socket
    // could lose the part the kernel did not take).
    auto& copy = cold().out_copy;
    copy.clear();
    for (auto const& b : buffers_)
        copy.append(static_cast<char const*>(b.data()), b.size());
    arm_write_deadline();
    net::asio::async_write(
        stream_of(socket_), net::asio::buffer(copy),
        [self = this->shared_from_this()](net::error_code e, std::size_t) { self->on_write(e); });
}

template<class Holder>
void basic_ws_connection<Holder>::on_written_now() {
    // Like on_write, without telling the owner: it handed over its whole queue just now.
    writing_ = false;
    inflight_.clear();
    release_write_buffers();
    if (!pending_.empty() || pong_waiting() || (closing_ && !close_sent_)) return start_write();
    if (closing_) linger();
}

template<class Holder>
void basic_ws_connection<Holder>::on_write(net::error_code ec) {
    writing_ = false;
    ++write_generation_;
    if (cold_ && cold_->write_timer) cold_->write_timer->cancel();
    inflight_.clear();
    release_write_buffers();
    if (closed_) return;
    if (ec) return fail(true, ec.message());
    if (!pending_.empty() || pong_waiting() || (closing_ && !close_sent_)) return start_write();
    if (closing_) return linger();
    if (owner_) owner_->on_ws_drained(*this);
}

template<class Holder>
void basic_ws_connection<Holder>::release_write_buffers() {
    // No per-connection reserve: a large batch's copy goes with its write.
    if (!cold_) return;
    cold_->pong_inflight.clear();
    if (cold_->out_copy.capacity() > kept_buffer_limit)
        std::string().swap(cold_->out_copy);
    else
        cold_->out_copy.clear();
}

template<class Holder>
void basic_ws_connection<Holder>::linger() {
    // The close frame is out. Closing now with unread bytes (the rest of an oversized frame)
    // would reset the connection and could destroy the close frame before the peer reads it:
    // end our side, discard what still comes for a moment, then close (RFC 6455 section 7.1.1).
    net::error_code ignored;
    lowest_of(socket_).shutdown(net::tcp::socket::shutdown_send, ignored);
    auto& timer = cold().linger_timer;
    timer = std::make_unique<net::asio::steady_timer>(lowest_of(socket_).get_executor());
    timer->expires_after(std::chrono::seconds(2));
    timer->async_wait([self = this->shared_from_this()](net::error_code ec) {
        if (!ec) self->shutdown();
    });
    discard();
}

template<class Holder>
void basic_ws_connection<Holder>::discard() {
    lowest_of(socket_).async_wait(
        net::tcp::socket::wait_read, [self = this->shared_from_this()](net::error_code ec) {
            if (self->closed_) return;
            if (ec) return self->shutdown();
            auto& buf = shared_read_buffer;
            for (;;) {
                lowest_of(self->socket_).read_some(net::asio::buffer(buf), ec);
                if (ec == net::asio::error::would_block) return self->discard();
                if (ec) return self->shutdown(); // end of stream: the peer is done too
            }
        });
}

template<class Holder>
void basic_ws_connection<Holder>::close(std::uint16_t code, std::string_view reason) {
    if (closed_ || closing_) return;
    closing_ = true;
    owner_ = nullptr;
    stop_watching(false); // nothing more is read but the lingering discard
    cold().close_frame = ws_close_frame(code, reason);
    if (!writing_) start_write();
}

template<class Holder>
void basic_ws_connection<Holder>::fail(bool error, std::string_view description) {
    auto owner = owner_;
    owner_ = nullptr;
    shutdown();
    if (owner) owner->on_ws_closed(*this, error, description);
}

template<class Holder>
void basic_ws_connection<Holder>::shutdown() {
    if (closed_) return;
    closed_ = true;
    stop_watching(true);
    if (cold_) {
        if (cold_->linger_timer) cold_->linger_timer->cancel();
        if (cold_->write_timer) cold_->write_timer->cancel();
        cold_->pong_pending.clear();
    }
    pending_.clear();
    queued_bytes_ = 0;
    net::error_code ignored;
    lowest_of(socket_).shutdown(net::tcp::socket::shutdown_both, ignored);
    lowest_of(socket_).close(ignored);
}
} // namespace

std::shared_ptr<ws_connection> make_ws_connection(net::tcp::socket socket, ws_limits const& limits,
                                                  http::connection_slot slot) {
    return std::make_shared<basic_ws_connection<net::tcp::socket>>(std::move(socket), limits,
                                                                   std::move(slot));
}

std::shared_ptr<ws_connection> make_tls_ws_connection(std::shared_ptr<net::tls_socket> tls,
                                                      ws_limits const& limits,
                                                      http::connection_slot slot) {
    return std::make_shared<basic_ws_connection<tls_holder>>(std::move(tls), limits,
                                                             std::move(slot));
}

} // namespace kibitz::engineio::detail
