#pragma once

#include <kibitz/http/handler.hpp>
#include <kibitz/http/message.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>

#include <memory>
#include <optional>
#include <string>

namespace kibitz::http::detail {

class connection;

// Where a connection sends the requests it reads (implemented by server).
class router {
public:
    virtual ~router() = default;
    // The body limit for a request to `path`.
    virtual std::size_t body_limit(std::string_view path) const = 0;
    virtual void route(request&& req, std::shared_ptr<connection> conn) = 0;
    virtual void on_closed(connection* conn) = 0;
};

// One HTTP/1.1 connection: reads a request, passes it to the router, writes the response that
// comes back (now or later), and reads the next. One request at a time, so a long-poll parks
// the connection until its response is ready.
class connection final : public exchange, public std::enable_shared_from_this<connection> {
public:
    connection(net::tcp::socket socket, std::shared_ptr<router> r, limits const& l,
               connection_slot slot);
    ~connection() override;

    void start();
    // exchange (handler.hpp): the answer to the current request, or the upgrade.
    void respond(response r) override;
    void upgrade(response switching, upgrade_handler on_upgraded, std::string first_bytes) override;
    // Closes the connection now (server shutdown).
    void close();

private:
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

    net::tcp::socket socket_;
    std::shared_ptr<router> router_;
    limits const& limits_;
    net::beast::flat_buffer buffer_;
    std::optional<net::http::request_parser<net::http::string_body>> parser_;
    std::shared_ptr<net::http::response<net::http::string_body>> response_;
    net::asio::steady_timer deadline_;
    unsigned deadline_generation_ = 0;
    request request_;
    std::string remote_address_;
    connection_slot slot_;
    bool head_ = false; // the current request is HEAD
    bool in_request_ = false;
    bool keep_alive_ = true;
    bool closed_ = false;
};

} // namespace kibitz::http::detail
