// http::server against a real loopback client: routing to mounted handlers and the fallback,
// HEAD, keep-alive, the header and body caps, the Host check, the per-address connection cap,
// the header deadline, and the upgrade that hands the socket over. The server's loop runs on a
// thread of its own; the client is blocking, with a receive timeout as the safety net.
#include "server_fixture.hpp"

#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <string>
#include <thread>

using namespace kibitz;
namespace beast_http = net::http;

namespace {

using client_response = beast_http::response<beast_http::string_body>;

// A handler that records what it got and answers with `answer` (or keeps the exchange).
struct recording_handler final : http::handler {
    std::size_t limit = 100;
    bool upgrade = false;
    bool drop = false;
    std::promise<http::upgraded_socket> upgraded;
    std::vector<http::request> seen;

    std::size_t body_limit() const override { return limit; }
    void handle(http::request&& req, http::exchange_ptr ex) override {
        seen.push_back(req);
        if (drop) return;
        if (upgrade) {
            http::response switching;
            switching.set("Upgrade", "test");
            ex->upgrade(
                std::move(switching),
                [this](http::upgraded_socket up) { upgraded.set_value(std::move(up)); }, "first");
            return;
        }
        http::response r;
        r.body = req.body_too_large ? "too large" : "mounted " + req.path + " " + req.body;
        ex->respond(std::move(r));
    }
};

class server_test : public test::server_fixture {
protected:
    void start(http::limits l = {}) {
        server_.emplace(ioc_, std::move(l));
        server_->mount("/mounted/", handler_);
        server_->set_fallback([this](http::request const& req, http::responder respond) {
            http::response r;
            r.set("Content-Type", "text/plain");
            r.body = "fallback " + req.method + " " + req.path + " " + req.body;
            if (req.path == "/big") {
                r.body.assign(16u << 20, 'x'); // more than the socket buffers hold
                big_requested_.set_value();
            }
            respond(std::move(r));
        });
        listen();
    }

    static void send(net::tcp::socket& s, std::string const& bytes) {
        net::asio::write(s, net::asio::buffer(bytes));
    }

    // One response, or nullopt when the connection closed (or timed out) first.
    std::optional<client_response> read(net::tcp::socket& s, bool head = false) {
        beast_http::response_parser<beast_http::string_body> parser;
        parser.skip(head);
        net::error_code ec;
        beast_http::read(s, buffer_, parser, ec);
        if (ec) return std::nullopt;
        return parser.release();
    }

    // True when the server closed the connection (EOF or reset) without sending more.
    static bool closed_by_server(net::tcp::socket& s) {
        char byte;
        net::error_code ec;
        auto n = s.read_some(net::asio::buffer(&byte, 1), ec);
        return n == 0 && (ec == net::asio::error::eof || ec == net::asio::error::connection_reset);
    }

    std::optional<client_response> exchange(std::string const& bytes, bool head = false) {
        auto s = connect();
        send(s, bytes);
        return read(s, head);
    }

    recording_handler handler_;
    std::promise<void> big_requested_;
    net::beast::flat_buffer buffer_;
};

std::string get(std::string const& path, std::string const& extra = {}) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

std::string post(std::string const& path, std::string const& body) {
    return "POST " + path +
           " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

} // namespace

TEST_F(server_test, routes_a_prefix_to_its_handler_and_the_rest_to_the_fallback) {
    start();
    auto s = connect();
    send(s, get("/mounted/x?q=1"));
    auto r = read(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body(), "mounted /mounted/x ");
    // Keep-alive: the next request on the same connection.
    send(s, get("/mounted"));
    r = read(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body(), "fallback GET /mounted ");
    auto const seen = on_loop([this] { return handler_.seen; });
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].query, "q=1");
    EXPECT_EQ(seen[0].target, "/mounted/x?q=1");
    EXPECT_EQ(seen[0].header("host"), "localhost");
    EXPECT_EQ(seen[0].remote_address, "127.0.0.1");
}

TEST_F(server_test, answers_head_with_the_length_and_no_body) {
    start();
    auto s = connect();
    send(s, "HEAD /page HTTP/1.1\r\nHost: localhost\r\n\r\n");
    auto r = read(s, true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);
    EXPECT_EQ(r->at(beast_http::field::content_length),
              std::to_string(std::string("fallback HEAD /page ").size()));
    EXPECT_TRUE(r->body().empty());
    // No body bytes were sent: the next response on the connection parses cleanly.
    send(s, get("/after"));
    r = read(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body(), "fallback GET /after ");
}

TEST_F(server_test, reads_bodies_under_the_limit_of_the_route) {
    http::limits l;
    l.max_body_bytes = 10;
    start(l);
    EXPECT_EQ(exchange(post("/other", "0123456789"))->body(), "fallback POST /other 0123456789");
    // The handler's own limit (100) is not the fallback's.
    auto const big = std::string(50, 'b');
    EXPECT_EQ(exchange(post("/mounted/p", big))->body(), "mounted /mounted/p " + big);
    auto s = connect();
    send(s, post("/other", "01234567890"));
    auto r = read(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 413);
    EXPECT_FALSE(r->keep_alive());
    // Over the handler's limit, the handler answers a request marked body_too_large.
    EXPECT_EQ(exchange(post("/mounted/p", std::string(101, 'b')))->body(), "too large");
}

TEST_F(server_test, refuses_too_many_or_too_large_headers_with_431) {
    http::limits l;
    l.max_header_bytes = 1024;
    l.max_header_count = 5;
    start(l);
    std::string four;
    for (int i = 0; i < 4; ++i)
        four += "X-" + std::to_string(i) + ": v\r\n";
    EXPECT_EQ(exchange(get("/ok", four))->result_int(), 200); // Host and four more: five
    auto s = connect();
    send(s, get("/many", four + "X-5: v\r\n"));
    auto r = read(s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 431);
    EXPECT_TRUE(closed_by_server(s));
    r = exchange(get("/long", "X-Long: " + std::string(1100, 'l') + "\r\n"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 431);
}

TEST_F(server_test, refuses_a_foreign_host_on_loopback_with_the_handler_refusal) {
    http::limits l;
    l.allowed_hosts = {"chat.example"};
    start(l);
    auto r = exchange("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 403);
    EXPECT_EQ(r->body(), "Host not allowed");
    r = exchange("GET /mounted/ HTTP/1.1\r\nHost: evil.example:80\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 403);
    EXPECT_EQ(r->at(beast_http::field::content_type), "text/plain");
    EXPECT_TRUE(on_loop([this] { return handler_.seen.empty(); }));
    EXPECT_EQ(exchange("GET / HTTP/1.1\r\nHost: chat.example\r\n\r\n")->result_int(), 200);
}

TEST_F(server_test, closes_a_connection_over_the_per_address_cap_and_serves_the_others) {
    http::limits l;
    l.max_connections_per_address = 1;
    start(l);
    auto first = connect();
    send(first, get("/one"));
    ASSERT_TRUE(read(first));
    auto second = connect();
    EXPECT_TRUE(closed_by_server(second));
    // The first connection is unaffected.
    send(first, get("/two"));
    auto r = read(first);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body(), "fallback GET /two ");
    EXPECT_EQ(on_loop([this] { return server_->connections_count(); }), 1u);
}

TEST_F(server_test, closes_a_connection_whose_head_does_not_arrive_in_time) {
    http::limits l;
    l.header_timeout = std::chrono::milliseconds(50);
    start(l);
    auto s = connect();
    send(s, "GET /slow HTTP/1.1\r\nHost: loc");
    EXPECT_TRUE(closed_by_server(s));
}

TEST_F(server_test, closes_a_connection_whose_body_does_not_arrive_in_time) {
    http::limits l;
    l.body_timeout = std::chrono::milliseconds(50);
    start(l);
    auto s = connect();
    send(s, "POST /slow HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n012");
    EXPECT_TRUE(closed_by_server(s));
}

TEST_F(server_test, closes_a_connection_that_does_not_read_its_response_in_time) {
    http::limits l;
    l.write_timeout = std::chrono::milliseconds(100);
    start(l);
    auto s = connect(4096);
    send(s, get("/big"));
    // The client reads nothing: the server gives up on the write and frees the connection (its
    // FIN waits behind the unsent bytes, so the client cannot see it). Waited for with a
    // safety net of 5 s; the response never arrives whole.
    ASSERT_EQ(big_requested_.get_future().wait_for(std::chrono::seconds(5)),
              std::future_status::ready);
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (on_loop([this] { return server_->connections_count(); }) != 0u) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the write never timed out";
        std::this_thread::yield();
    }
    std::size_t received = 0;
    for (;;) {
        char chunk[65536];
        net::error_code ec;
        auto n = s.read_some(net::asio::buffer(chunk), ec);
        received += n;
        if (ec) break;
    }
    EXPECT_LT(received, 16u << 20);
}

TEST_F(server_test, closes_the_connection_when_the_handler_drops_the_exchange) {
    start();
    on_loop([this] { return handler_.drop = true; });
    auto s = connect();
    send(s, get("/mounted/dropped"));
    EXPECT_TRUE(closed_by_server(s));
}

TEST_F(server_test, hands_the_socket_over_on_upgrade_with_the_bytes_read_past_the_head) {
    start();
    on_loop([this] { return handler_.upgrade = true; });
    auto s = connect();
    send(s, get("/mounted/ws") + "early");
    auto future = handler_.upgraded.get_future();
    auto up = future.get();
    ASSERT_GE(up.fd, 0);
    EXPECT_EQ(up.leftover, "early");
    // The 101 and the first bytes arrive together; the slot still counts the connection.
    std::string head(64, '\0');
    auto n = s.read_some(net::asio::buffer(head));
    head.resize(n);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 101 Switching Protocols\r\n")) << head;
    EXPECT_NE(head.find("Upgrade: test\r\n"), std::string::npos) << head;
    EXPECT_TRUE(head.ends_with("\r\n\r\nfirst")) << head;
    EXPECT_EQ(on_loop([this] { return server_->connections_count(); }), 1u);
    // The descriptor is the receiver's: it writes on it, and closing it ends the connection.
    ASSERT_EQ(::write(up.fd, "raw", 3), 3);
    std::string raw;
    while (raw.size() < 3) {
        char chunk[3];
        net::error_code ec;
        auto got = s.read_some(net::asio::buffer(chunk, 3 - raw.size()), ec);
        ASSERT_FALSE(ec) << ec.message();
        raw.append(chunk, got);
    }
    EXPECT_EQ(raw, "raw");
    // Dropped on the loop: the slot's count belongs to the loop thread.
    on_loop([&up] {
        auto gone = std::move(up);
        return 0;
    });
    EXPECT_TRUE(closed_by_server(s));
    EXPECT_EQ(on_loop([this] { return server_->connections_count(); }), 0u);
}
