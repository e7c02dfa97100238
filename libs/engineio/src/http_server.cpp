#include "http_connection.hpp"

#include <kibitz/engineio/http_server.hpp>
#include <kibitz/engineio/server.hpp>
#include <kibitz/util/log.hpp>

#include <system_error>
#include <unordered_set>
#include <vector>

namespace kibitz::engineio {

struct http_server::impl : detail::http_router, std::enable_shared_from_this<impl> {
    impl(net::asio::io_context& ioc, http_limits l) : ioc_(ioc), limits_(l), acceptor_(ioc) {}

    std::size_t body_limit(std::string_view path) const override {
        for (auto* eio : servers_)
            if (path.starts_with(eio->opts().path)) return eio->opts().max_payload;
        return limits_.max_body_bytes;
    }

    void route(http_request&& request, std::shared_ptr<detail::http_connection> conn) override {
        for (auto* eio : servers_) {
            if (request.path.starts_with(eio->opts().path)) {
                eio->handle(std::move(request), std::move(conn));
                return;
            }
        }
        if (request.body_too_large) return conn->respond({413, {}, "Payload Too Large", true});
        if (!fallback_) return conn->respond({404, {{"Content-Type", "text/plain"}}, "Not Found"});
        // The responder holds the connection until it is called.
        fallback_(request, [conn](http_response r) { conn->respond(std::move(r)); });
    }

    void on_closed(detail::http_connection* conn) override { connections_.erase(conn); }

    void do_accept() {
        acceptor_.async_accept(
            [self = shared_from_this()](net::error_code ec, net::tcp::socket socket) {
                self->on_accept(ec, std::move(socket));
            });
    }

    void on_accept(net::error_code ec, net::tcp::socket socket) {
        if (ec == net::asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            // Out of descriptors, for instance: log it and go on accepting.
            util::log(util::log_level::warn, "accept: ", ec.message());
            return do_accept();
        }
        if (connections_.size() >= limits_.max_connections) {
            net::error_code ignored;
            socket.close(ignored);
            return do_accept();
        }
        auto conn = std::make_shared<detail::http_connection>(std::move(socket), shared_from_this(),
                                                              limits_);
        connections_.insert(conn.get());
        conn->start();
        do_accept();
    }

    net::asio::io_context& ioc_;
    http_limits limits_;
    net::tcp::acceptor acceptor_;
    std::vector<server*> servers_;
    http_handler fallback_;
    std::unordered_set<detail::http_connection*> connections_;
};

http_server::http_server(boost::asio::io_context& ioc, http_limits limits)
    : impl_(std::make_shared<impl>(ioc, limits)) {}

http_server::~http_server() {
    stop();
}

void http_server::mount(server& eio) {
    impl_->servers_.push_back(&eio);
}

void http_server::set_fallback(http_handler handler) {
    impl_->fallback_ = std::move(handler);
}

std::uint16_t http_server::listen(std::string const& host, std::uint16_t port) {
    auto address = net::asio::ip::make_address(host);
    net::tcp::endpoint endpoint(address, port);
    auto& a = impl_->acceptor_;
    a.open(endpoint.protocol());
    a.set_option(net::asio::socket_base::reuse_address(true));
    a.bind(endpoint);
    a.listen(net::asio::socket_base::max_listen_connections);
    impl_->do_accept();
    return a.local_endpoint().port();
}

void http_server::stop() {
    net::error_code ignored;
    impl_->acceptor_.close(ignored);
    // Closing removes the connection from the set: close a copy.
    std::vector<detail::http_connection*> open(impl_->connections_.begin(),
                                               impl_->connections_.end());
    for (auto* conn : open)
        conn->close();
}

std::size_t http_server::connections_count() const {
    return impl_->connections_.size();
}

} // namespace kibitz::engineio
