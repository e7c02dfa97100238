// http::server with TLS (use_tls) and its graceful drain, against a real loopback client: bad
// certificate files are refused at start-up with the reason, a reload that fails keeps the old
// context, a client that never speaks TLS is closed at the handshake deadline, plain HTTP on
// the TLS port gets a 400 in plain text, and drain() closes idle connections at once while a
// held request still gets its answer (then its connection closes). The certificate is made with
// the openssl command in a temp dir. The client is blocking, with a receive timeout as the
// safety net.
#include "server_fixture.hpp"

#include <kibitz/http/server.hpp>
#include <kibitz/net/asio.hpp>

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <string>
#include <thread>

using namespace kibitz;

namespace {

// A self-signed EC certificate and its key, and a second key that does not match it.
struct test_pki {
    std::filesystem::path dir;
    std::string cert, key, other_key;

    test_pki() {
        dir = std::filesystem::temp_directory_path() /
              ("kibitz-http-tls-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        cert = (dir / "cert.pem").string();
        key = (dir / "key.pem").string();
        other_key = (dir / "other.pem").string();
        auto ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost ";
        std::string make = "openssl req -x509" + std::string(ec) + "-days 1 -keyout " + key +
                           " -out " + cert + " 2>/dev/null";
        std::string other = "openssl req -x509" + std::string(ec) + "-days 1 -keyout " + other_key +
                            " -out " + (dir / "other-cert.pem").string() + " 2>/dev/null";
        ok = std::system(make.c_str()) == 0 && std::system(other.c_str()) == 0;
    }
    ~test_pki() { std::filesystem::remove_all(dir); }
    bool ok = false;
};

class tls_test : public test::server_fixture {
protected:
    void start(http::limits l, bool tls, http::handler_fn fallback = {}) {
        server_.emplace(ioc_, std::move(l));
        if (tls) server_->use_tls(pki_.cert, pki_.key);
        server_->set_fallback(fallback ? std::move(fallback)
                                       : [](http::request const&, http::responder respond) {
                                             respond(http::response{200, {}, "ok", false});
                                         });
        listen();
    }

    // Everything the server sends until it closes (or the safety net).
    static std::string read_all(net::tcp::socket& s) {
        std::string all;
        char chunk[4096];
        for (;;) {
            net::error_code ec;
            auto n = s.read_some(net::asio::buffer(chunk), ec);
            all.append(chunk, n);
            if (ec) return all;
        }
    }

    test_pki pki_;
};

} // namespace

TEST_F(tls_test, refuses_unreadable_or_mismatched_files_with_the_reason) {
    ASSERT_TRUE(pki_.ok);
    http::server s(ioc_);
    try {
        s.use_tls(pki_.cert + ".missing", pki_.key);
        FAIL() << "a missing certificate was accepted";
    } catch (std::runtime_error const& e) {
        EXPECT_NE(std::string(e.what()).find("cannot read the certificate"), std::string::npos);
    }
    EXPECT_THROW(s.use_tls(pki_.cert, pki_.other_key), std::runtime_error);
    EXPECT_FALSE(s.secure());
    s.use_tls(pki_.cert, pki_.key);
    EXPECT_TRUE(s.secure());
    EXPECT_EQ(s.reload_tls(), std::nullopt);
}

TEST_F(tls_test, a_failed_reload_keeps_serving_with_the_old_certificate) {
    ASSERT_TRUE(pki_.ok);
    start({}, true);
    std::ofstream(pki_.key) << "not a key\n";
    auto err = on_loop([this] { return server_->reload_tls(); });
    ASSERT_TRUE(err.has_value());
    EXPECT_NE(err->find("private key"), std::string::npos) << *err;
    EXPECT_TRUE(on_loop([this] { return server_->secure(); }));
}

TEST_F(tls_test, closes_a_client_that_never_speaks_tls_at_the_handshake_deadline) {
    ASSERT_TRUE(pki_.ok);
    http::limits l;
    l.tls_handshake_timeout = std::chrono::milliseconds(50);
    start(l, true);
    auto s = connect();
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(read_all(s), "");
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(50));
    EXPECT_EQ(on_loop([this] { return server_->connections_count(); }), 0u);
}

TEST_F(tls_test, answers_plain_http_on_the_tls_port_with_400_then_closes) {
    ASSERT_TRUE(pki_.ok);
    start({}, true);
    auto s = connect();
    net::asio::write(s,
                     net::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")));
    auto answer = read_all(s);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
    EXPECT_NE(answer.find("This port speaks HTTPS"), std::string::npos);
}

TEST_F(tls_test, drain_closes_idle_connections_and_answers_a_held_request_first) {
    std::promise<void> held;
    std::optional<http::responder> parked;
    start({}, false, [&](http::request const& req, http::responder respond) {
        if (req.path != "/hold") return respond(http::response{200, {}, "ok", false});
        parked = std::move(respond);
        held.set_value();
    });
    auto idle = connect();
    net::asio::write(idle,
                     net::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")));
    auto busy = connect();
    net::asio::write(
        busy, net::asio::buffer(std::string("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n")));
    ASSERT_EQ(held.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
    // The idle one has had its answer and waits for its next request (keep-alive).
    char first[64];
    ASSERT_GT(idle.read_some(net::asio::buffer(first)), 0u);
    on_loop([this] {
        server_->drain();
        return 0;
    });
    EXPECT_EQ(read_all(idle), "");
    on_loop([&] {
        (*parked)(http::response{200, {}, "late", false});
        return 0;
    });
    auto answer = read_all(busy);
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_NE(answer.find("late"), std::string::npos) << answer;
    // Nothing new is accepted.
    net::tcp::socket refused(client_ioc_);
    net::error_code ec;
    refused.connect({net::asio::ip::make_address("127.0.0.1"), port_}, ec);
    EXPECT_TRUE(ec);
}
