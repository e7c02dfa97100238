#pragma once

// An in-process Socket.IO client over Engine.IO long-polling: requests go straight to the
// engine's http::handler and responses are read back from a recording exchange, so a test drives
// a real socketio::server with no network and no sleep (the loop is polled, never run).

#include <kibitz/http/handler.hpp>
#include <kibitz/socketio/server.hpp>

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kibitz::socketio::testing {

// Records the one response of a request.
class recording_exchange final : public http::exchange {
public:
    void respond(http::response r) override {
        if (!response) response = std::move(r);
    }
    void upgrade(http::response, http::upgrade_handler, std::string) override {}
    std::optional<http::response> response;
};

inline http::request make_request(std::string method, std::string query, std::string body = {}) {
    http::request req;
    req.method = std::move(method);
    req.path = "/socket.io/";
    req.query = std::move(query);
    req.target = req.path + "?" + req.query;
    req.body = std::move(body);
    req.remote_address = "127.0.0.1";
    req.received_at = util::steady_clock::now();
    if (req.method == "POST") req.headers.emplace_back("Content-Type", "text/plain;charset=UTF-8");
    return req;
}

// One Engine.IO session that speaks Socket.IO text packets ("40", "42[...]", ...).
class polling_client {
public:
    polling_client(boost::asio::io_context& ioc, socketio::server& io) : ioc_(ioc), io_(io) {
        auto ex = request("GET", "EIO=4&transport=polling");
        auto const& body = ex->response->body; // 0{"sid":"...",...}
        sid_ = json::parse(body.substr(1))["sid"].get<std::string>();
    }

    // Sends Socket.IO packets in one POST (the engine's message packet '4' is added).
    void send(std::string const& packet) { request("POST", query(), "4" + packet); }
    // The Socket.IO packets the server has queued (one GET; empty when it holds the poll).
    std::vector<std::string> receive() {
        if (!pending_) pending_ = request("GET", query());
        ioc_.poll();
        if (!pending_->response) return {};
        auto body = std::move(pending_->response->body);
        pending_.reset();
        std::vector<std::string> out;
        std::size_t start = 0;
        while (start <= body.size()) {
            auto end = body.find('\x1e', start);
            if (end == std::string::npos) end = body.size();
            auto part = body.substr(start, end - start);
            if (!part.empty() && part[0] == '4') out.push_back(part.substr(1));
            if (!part.empty() && part[0] == '1') closed_ = true;
            start = end + 1;
        }
        return out;
    }
    // Joins "/" and returns the server's CONNECT answer.
    std::string connect(std::string const& nsp = "/") {
        send(nsp == "/" ? "0" : "0" + nsp + ",");
        auto got = receive();
        return got.empty() ? std::string() : got.front();
    }
    bool closed() const { return closed_; }

private:
    std::string query() const { return "EIO=4&transport=polling&sid=" + sid_; }
    std::shared_ptr<recording_exchange> request(std::string method, std::string q,
                                                std::string body = {}) {
        auto ex = std::make_shared<recording_exchange>();
        io_.engine().handle(make_request(std::move(method), std::move(q), std::move(body)), ex);
        ioc_.poll();
        return ex;
    }

    boost::asio::io_context& ioc_;
    socketio::server& io_;
    std::string sid_;
    std::shared_ptr<recording_exchange> pending_;
    bool closed_ = false;
};

} // namespace kibitz::socketio::testing
