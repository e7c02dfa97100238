#include "connection.hpp"

#include <kibitz/net/tls.hpp>
#include <kibitz/util/log.hpp>

#include <sys/socket.h>

#include <atomic>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

namespace kibitz::http::detail {

namespace {
namespace beast_http = net::http;
using tls_holder = std::shared_ptr<net::tls_socket>;

// The stream a connection reads and writes, and the TCP socket under it. Plain TCP holds its
// socket; TLS holds the shared TLS socket (handed whole to an upgrade).
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

// Connection ids for the logs: a number per process, never a session id.
std::atomic<std::uint64_t> next_connection_id{1};

// A TLS record starts with its content type; a handshake record (a ClientHello) is 22.
constexpr unsigned char tls_handshake_record = 0x16;
constexpr std::string_view plain_http_refusal =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 33\r\n"
    "Connection: close\r\n\r\nThis port speaks HTTPS, not HTTP\n";

template<class Holder>
class basic_connection final : public connection,
                               public std::enable_shared_from_this<basic_connection<Holder>> {
    static constexpr bool is_tls = std::is_same_v<Holder, tls_holder>;

public:
    basic_connection(Holder socket, std::shared_ptr<router> r, limits const& l,
                     connection_slot slot)
        : socket_(std::move(socket)), router_(std::move(r)), limits_(l),
          deadline_(lowest_of(socket_).get_executor()), slot_(std::move(slot)),
          id_(next_connection_id.fetch_add(1, std::memory_order_relaxed)) {
        net::error_code ec;
        auto endpoint = lowest_of(socket_).remote_endpoint(ec);
        if (!ec) remote_address_ = endpoint.address().to_string();
    }

    ~basic_connection() override {
        // A responder dropped without answering releases the connection: forget it.
        if (!closed_) router_->on_closed(this);
    }

    void start() override {
        net::error_code ec;
        lowest_of(socket_).set_option(net::tcp::no_delay(true), ec);
        if constexpr (is_tls) {
            // The handshake has its own deadline: a client that opens TCP and never speaks TLS
            // is closed like a slow request head.
            arm_deadline(limits_.tls_handshake_timeout);
            lowest_of(socket_).async_wait(
                net::tcp::socket::wait_read,
                [self = this->shared_from_this()](net::error_code e) { self->on_first_bytes(e); });
        } else {
            do_read();
        }
    }

    void respond(response r) override;
    void upgrade(response switching, upgrade_handler on_upgraded, std::string first_bytes) override;
    void close() override;
    void close_when_idle() override {
        if (!in_request_ && !writing_) close();
    }

private:
    void on_first_bytes(net::error_code ec);
    void on_handshake(net::error_code ec);
    void refuse_plain_http();
    void do_read();
    void on_header(net::error_code ec);
    void on_body(net::error_code ec);
    void dispatch();
    void fail_request(int status, std::string_view body);
    void on_write(net::error_code ec, bool keep_alive);
    void on_upgrade_written(net::error_code ec, upgrade_handler const& on_upgraded);
    void linger_close();
    void drain();
    void arm_deadline(util::duration d);
    void on_deadline(net::error_code ec, unsigned generation);
    void log_access(int status, std::size_t bytes);

    Holder socket_;
    std::shared_ptr<router> router_;
    limits const& limits_;
    net::beast::flat_buffer buffer_;
    std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
    std::shared_ptr<beast_http::response<beast_http::string_body>> response_;
    net::asio::steady_timer deadline_;
    unsigned deadline_generation_ = 0;
    request request_;
    std::string remote_address_;
    connection_slot slot_;
    std::uint64_t id_;
    // The access log's view of the request being answered (kept only at debug level).
    std::string access_method_;
    std::string access_path_;
    util::time_point access_start_{};
    bool head_ = false; // the current request is HEAD
    bool in_request_ = false;
    bool keep_alive_ = true;
    bool writing_ = false; // a response or the 101 is being written
    bool closed_ = false;
};

template<class Holder>
void basic_connection<Holder>::on_first_bytes(net::error_code ec) {
    if (ec || closed_) return close();
    // Peek at the first byte: a TLS client opens with a handshake record, a plain HTTP client
    // with a method name. The second gets a readable refusal instead of a failed handshake.
    unsigned char first = 0;
    auto n = ::recv(lowest_of(socket_).native_handle(), &first, 1, MSG_PEEK);
    if (n <= 0) return close();
    if (first != tls_handshake_record) return refuse_plain_http();
    if constexpr (is_tls) {
        socket_->stream.async_handshake(
            net::ssl::stream_base::server,
            [self = this->shared_from_this()](net::error_code e) { self->on_handshake(e); });
    }
}

template<class Holder>
void basic_connection<Holder>::on_handshake(net::error_code ec) {
    // A failed handshake (no common version or cipher, a bad record) ends only this connection.
    if (ec || closed_) return close();
    do_read();
}

template<class Holder>
void basic_connection<Holder>::refuse_plain_http() {
    // Written on the TCP socket, under the handshake deadline; then the connection closes.
    net::asio::async_write(
        lowest_of(socket_), net::asio::buffer(plain_http_refusal),
        [self = this->shared_from_this()](net::error_code ec, std::size_t) {
            if (ec) return self->close();
            // The request was only peeked at: drain it before closing, or
            // the close would reset the connection over the refusal.
            net::error_code ignored;
            lowest_of(self->socket_).shutdown(net::tcp::socket::shutdown_send, ignored);
            self->arm_deadline(std::chrono::seconds(2));
            self->drain();
        });
}

template<class Holder>
void basic_connection<Holder>::arm_deadline(util::duration d) {
    // A new generation makes any earlier wait harmless when it completes.
    unsigned generation = ++deadline_generation_;
    deadline_.expires_after(d);
    deadline_.async_wait([self = this->shared_from_this(), generation](net::error_code ec) {
        self->on_deadline(ec, generation);
    });
}

template<class Holder>
void basic_connection<Holder>::on_deadline(net::error_code ec, unsigned generation) {
    if (ec || generation != deadline_generation_ || closed_) return;
    // Slow-loris defence: a handshake, request head or body that takes too long closes the
    // connection; so does a response the peer does not read within the write timeout.
    close();
}

template<class Holder>
void basic_connection<Holder>::do_read() {
    in_request_ = false;
    // An idle keep-alive connection does not keep the read buffer a large request grew.
    if (buffer_.size() == 0 && buffer_.capacity() > 8192) buffer_.shrink_to_fit();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    // The route's limit is applied once the head is known (on_header). Not boost::none: Beast
    // 1.74 compares the length with the optional, and every length is greater than none.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    arm_deadline(limits_.header_timeout);
    beast_http::async_read_header(stream_of(socket_), buffer_, *parser_,
                                  [self = this->shared_from_this()](
                                      net::error_code ec, std::size_t) { self->on_header(ec); });
}

template<class Holder>
void basic_connection<Holder>::on_header(net::error_code ec) {
    if (ec == beast_http::error::header_limit)
        return fail_request(431, "Request Header Fields Too Large");
    if (ec) return close();
    in_request_ = true;
    auto const& head = parser_->get();
    request_ = request{};
    request_.received_at = util::steady_clock::now();
    request_.remote_address = remote_address_;
    request_.secure = is_tls;
    request_.method = std::string(head.method_string());
    head_ = head.method() == beast_http::verb::head;
    request_.target = std::string(head.target());
    auto q = request_.target.find('?');
    request_.path = request_.target.substr(0, q);
    if (q != std::string::npos) request_.query = request_.target.substr(q + 1);
    std::size_t count = 0;
    for (auto const& field : head) {
        if (++count > limits_.max_header_count)
            return fail_request(431, "Request Header Fields Too Large");
        request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    keep_alive_ = head.keep_alive();
    if (util::log_threshold() <= util::log_level::debug) {
        // The path without the query: a query may hold a session id (Engine.IO's sid).
        access_method_ = request_.method;
        access_path_ = request_.path;
        access_start_ = request_.received_at;
    }
    // Read the body (if any) under the limit of the route it goes to; a declared length over
    // it is refused without reading the body.
    if (parser_->is_done()) return dispatch();
    auto limit = router_->body_limit(request_.path);
    if (auto length = parser_->content_length(); length && *length > limit) {
        request_.body_too_large = true;
        keep_alive_ = false;
        return dispatch();
    }
    parser_->body_limit(limit);
    arm_deadline(limits_.body_timeout);
    beast_http::async_read(
        stream_of(socket_), buffer_, *parser_,
        [self = this->shared_from_this()](net::error_code e, std::size_t) { self->on_body(e); });
}

template<class Holder>
void basic_connection<Holder>::on_body(net::error_code ec) {
    if (ec == beast_http::error::body_limit) {
        // The rest of the body is not read: answer, then close the connection.
        request_.body_too_large = true;
        keep_alive_ = false;
        return dispatch();
    }
    if (ec) return close();
    request_.body = std::move(parser_->get().body());
    dispatch();
}

template<class Holder>
void basic_connection<Holder>::dispatch() {
    // No deadline while the handler holds the request (a long-poll waits for data).
    ++deadline_generation_;
    deadline_.cancel();
    parser_.reset();
    router_->route(std::move(request_), this->shared_from_this());
}

template<class Holder>
void basic_connection<Holder>::fail_request(int status, std::string_view body) {
    keep_alive_ = false;
    in_request_ = true;
    response r;
    r.status = status;
    r.body = body;
    r.close = true;
    respond(std::move(r));
}

template<class Holder>
void basic_connection<Holder>::respond(response r) {
    if (closed_ || !in_request_) return;
    in_request_ = false;
    auto res = std::make_shared<beast_http::response<beast_http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    for (auto const& [name, value] : r.headers)
        res->insert(name, value);
    bool keep_alive = keep_alive_ && !r.close && !router_->draining();
    res->keep_alive(keep_alive);
    if (head_) {
        // RFC 9110 section 9.3.2: HEAD gets the GET's headers, Content-Length included.
        if (!r.body.empty() || res->find(beast_http::field::content_length) == res->end())
            res->content_length(r.body.size());
    } else {
        res->body() = std::move(r.body);
        res->prepare_payload();
    }
    log_access(r.status, res->body().size());
    response_ = res;
    writing_ = true;
    arm_deadline(limits_.write_timeout);
    beast_http::async_write(
        stream_of(socket_), *res,
        [self = this->shared_from_this(), keep_alive](net::error_code ec, std::size_t) {
            self->on_write(ec, keep_alive);
        });
}

template<class Holder>
void basic_connection<Holder>::log_access(int status, std::size_t bytes) {
    // One line per answered request at debug: method, path (no query), status, body bytes, ms.
    if (access_path_.empty() || util::log_threshold() > util::log_level::debug) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(util::steady_clock::now() -
                                                                    access_start_)
                  .count();
    util::log_event(util::log_level::debug, "http", "request",
                    {{"conn", std::to_string(id_)},
                     {"remote", remote_address_},
                     {"method", access_method_},
                     {"path", access_path_},
                     {"status", std::to_string(status)},
                     {"bytes", std::to_string(bytes)},
                     {"ms", std::to_string(ms)},
                     {"tls", is_tls ? "true" : "false"}});
    access_path_.clear();
}

template<class Holder>
void basic_connection<Holder>::on_write(net::error_code ec, bool keep_alive) {
    response_.reset();
    writing_ = false;
    if (ec) return close();
    if (!keep_alive) return linger_close();
    do_read();
}

template<class Holder>
void basic_connection<Holder>::linger_close() {
    // Closing with unread request bytes would reset the connection and could destroy the
    // response before the client reads it: end our side, drain theirs for a moment, then close.
    arm_deadline(std::chrono::seconds(2));
    if constexpr (is_tls) {
        // TLS ends with close_notify both ways; the deadline bounds a peer that never answers.
        socket_->stream.async_shutdown(
            [self = this->shared_from_this()](net::error_code) { self->close(); });
    } else {
        net::error_code ignored;
        socket_.shutdown(net::tcp::socket::shutdown_send, ignored);
        drain();
    }
}

template<class Holder>
void basic_connection<Holder>::drain() {
    if (closed_) return;
    static thread_local char sink[16 * 1024];
    lowest_of(socket_).async_read_some(
        net::asio::buffer(sink),
        [self = this->shared_from_this()](net::error_code ec, std::size_t) {
            if (ec) return self->close();
            self->drain();
        });
}

template<class Holder>
void basic_connection<Holder>::upgrade(response switching, upgrade_handler on_upgraded,
                                       std::string first_bytes) {
    if (closed_ || !in_request_) return;
    in_request_ = false;
    // The 101 head is written by hand: no body, no Content-Length.
    auto head = std::make_shared<std::string>("HTTP/1.1 101 Switching Protocols\r\n");
    for (auto const& [name, value] : switching.headers)
        *head += name + ": " + value + "\r\n";
    *head += "\r\n";
    *head += first_bytes;
    log_access(101, 0);
    writing_ = true;
    arm_deadline(limits_.write_timeout);
    net::asio::async_write(stream_of(socket_), net::asio::buffer(*head),
                           [self = this->shared_from_this(), head,
                            on_upgraded = std::move(on_upgraded)](net::error_code ec, std::size_t) {
                               self->on_upgrade_written(ec, on_upgraded);
                           });
}

template<class Holder>
void basic_connection<Holder>::on_upgrade_written(net::error_code ec,
                                                  upgrade_handler const& on_upgraded) {
    writing_ = false;
    if (ec || closed_) return close();
    ++deadline_generation_;
    deadline_.cancel();
    auto data = buffer_.data();
    std::string leftover(static_cast<char const*>(data.data()), data.size());
    if constexpr (is_tls) {
        // The TLS stream goes whole (its socket and session state) to the upgraded side.
        closed_ = true;
        router_->on_closed(this);
        on_upgraded(upgraded_socket(std::move(socket_), std::move(leftover), std::move(slot_)));
    } else {
        // The descriptor leaves the socket open: from here it belongs to the upgraded_socket.
        net::error_code released;
        int fd = socket_.release(released);
        if (released) return close();
        closed_ = true;
        router_->on_closed(this);
        on_upgraded(upgraded_socket(fd, std::move(leftover), std::move(slot_)));
    }
}

template<class Holder>
void basic_connection<Holder>::close() {
    if (closed_) return;
    closed_ = true;
    ++deadline_generation_;
    deadline_.cancel();
    net::error_code ignored;
    lowest_of(socket_).close(ignored);
    router_->on_closed(this);
}
} // namespace

std::shared_ptr<connection> make_connection(net::tcp::socket socket, std::shared_ptr<router> r,
                                            limits const& l, connection_slot slot) {
    return std::make_shared<basic_connection<net::tcp::socket>>(std::move(socket), std::move(r), l,
                                                                std::move(slot));
}

std::shared_ptr<connection> make_tls_connection(std::shared_ptr<net::tls_socket> tls,
                                                std::shared_ptr<router> r, limits const& l,
                                                connection_slot slot) {
    return std::make_shared<basic_connection<tls_holder>>(std::move(tls), std::move(r), l,
                                                          std::move(slot));
}

} // namespace kibitz::http::detail
