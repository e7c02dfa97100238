#include "connection.hpp"

#include <kibitz/util/log.hpp>

#include <limits>

namespace kibitz::http::detail {

namespace beast_http = net::http;

connection::connection(net::tcp::socket socket, std::shared_ptr<router> r, limits const& l,
                       connection_slot slot)
    : socket_(std::move(socket)), router_(std::move(r)), limits_(l),
      deadline_(socket_.get_executor()), slot_(std::move(slot)) {
    net::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
}

connection::~connection() {
    // A responder dropped without answering releases the connection: forget it.
    if (!closed_) router_->on_closed(this);
}

void connection::start() {
    net::error_code ec;
    socket_.set_option(net::tcp::no_delay(true), ec);
    do_read();
}

void connection::arm_deadline(util::duration d) {
    // A new generation makes any earlier wait harmless when it completes.
    unsigned generation = ++deadline_generation_;
    deadline_.expires_after(d);
    deadline_.async_wait([self = shared_from_this(), generation](net::error_code ec) {
        self->on_deadline(ec, generation);
    });
}

void connection::on_deadline(net::error_code ec, unsigned generation) {
    if (ec || generation != deadline_generation_ || closed_) return;
    // Slow-loris defence: a request head or body that takes too long closes the connection;
    // so does a response the peer does not read within the write timeout.
    close();
}

void connection::do_read() {
    in_request_ = false;
    // An idle keep-alive connection does not keep the read buffer a large request grew.
    if (buffer_.size() == 0 && buffer_.capacity() > 8192) buffer_.shrink_to_fit();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    // The route's limit is applied once the head is known (on_header). Not boost::none: Beast
    // 1.74 compares the length with the optional, and every length is greater than none.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    arm_deadline(limits_.header_timeout);
    beast_http::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](net::error_code ec, std::size_t) { self->on_header(ec); });
}

void connection::on_header(net::error_code ec) {
    if (ec == beast_http::error::header_limit)
        return fail_request(431, "Request Header Fields Too Large");
    if (ec) return close();
    in_request_ = true;
    auto const& head = parser_->get();
    request_ = request{};
    request_.received_at = util::steady_clock::now();
    request_.remote_address = remote_address_;
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
        socket_, buffer_, *parser_,
        [self = shared_from_this()](net::error_code e, std::size_t) { self->on_body(e); });
}

void connection::on_body(net::error_code ec) {
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

void connection::dispatch() {
    // No deadline while the handler holds the request (a long-poll waits for data).
    ++deadline_generation_;
    deadline_.cancel();
    parser_.reset();
    router_->route(std::move(request_), shared_from_this());
}

void connection::fail_request(int status, std::string_view body) {
    keep_alive_ = false;
    in_request_ = true;
    response r;
    r.status = status;
    r.body = body;
    r.close = true;
    respond(std::move(r));
}

void connection::respond(response r) {
    if (closed_ || !in_request_) return;
    in_request_ = false;
    auto res = std::make_shared<beast_http::response<beast_http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    for (auto const& [name, value] : r.headers)
        res->insert(name, value);
    bool keep_alive = keep_alive_ && !r.close;
    res->keep_alive(keep_alive);
    if (head_) {
        // RFC 9110 section 9.3.2: HEAD gets the GET's headers, Content-Length included.
        if (!r.body.empty() || res->find(beast_http::field::content_length) == res->end())
            res->content_length(r.body.size());
    } else {
        res->body() = std::move(r.body);
        res->prepare_payload();
    }
    response_ = res;
    arm_deadline(limits_.write_timeout);
    beast_http::async_write(
        socket_, *res, [self = shared_from_this(), keep_alive](net::error_code ec, std::size_t) {
            self->on_write(ec, keep_alive);
        });
}

void connection::on_write(net::error_code ec, bool keep_alive) {
    response_.reset();
    if (ec) return close();
    if (!keep_alive) return linger_close();
    do_read();
}

void connection::linger_close() {
    // Closing with unread request bytes would reset the connection and could destroy the
    // response before the client reads it: end our side, drain theirs for a moment, then close.
    net::error_code ignored;
    socket_.shutdown(net::tcp::socket::shutdown_send, ignored);
    arm_deadline(std::chrono::seconds(2));
    drain();
}

void connection::drain() {
    if (closed_) return;
    static thread_local char sink[16 * 1024];
    socket_.async_read_some(net::asio::buffer(sink),
                            [self = shared_from_this()](net::error_code ec, std::size_t) {
                                if (ec) return self->close();
                                self->drain();
                            });
}

void connection::upgrade(response switching, upgrade_handler on_upgraded, std::string first_bytes) {
    if (closed_ || !in_request_) return;
    in_request_ = false;
    // The 101 head is written by hand: no body, no Content-Length.
    auto head = std::make_shared<std::string>("HTTP/1.1 101 Switching Protocols\r\n");
    for (auto const& [name, value] : switching.headers)
        *head += name + ": " + value + "\r\n";
    *head += "\r\n";
    *head += first_bytes;
    arm_deadline(limits_.write_timeout);
    net::asio::async_write(socket_, net::asio::buffer(*head),
                           [self = shared_from_this(), head,
                            on_upgraded = std::move(on_upgraded)](net::error_code ec, std::size_t) {
                               self->on_upgrade_written(ec, on_upgraded);
                           });
}

void connection::on_upgrade_written(net::error_code ec, upgrade_handler const& on_upgraded) {
    if (ec || closed_) return close();
    ++deadline_generation_;
    deadline_.cancel();
    auto data = buffer_.data();
    std::string leftover(static_cast<char const*>(data.data()), data.size());
    // The descriptor leaves the socket open: from here it belongs to the upgraded_socket.
    net::error_code released;
    int fd = socket_.release(released);
    if (released) return close();
    closed_ = true;
    router_->on_closed(this);
    on_upgraded(upgraded_socket(fd, std::move(leftover), std::move(slot_)));
}

void connection::close() {
    if (closed_) return;
    closed_ = true;
    ++deadline_generation_;
    deadline_.cancel();
    net::error_code ignored;
    socket_.close(ignored);
    router_->on_closed(this);
}

} // namespace kibitz::http::detail
