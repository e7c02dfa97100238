#include "handshake_hooks.hpp"

#include <kibitz/net/asio.hpp>

#include <chrono>
#include <utility>

namespace conformance {

namespace eio = kibitz::engineio;
namespace sio = kibitz::socketio;
using kibitz::json;

namespace {
// "Name: value" or "Name:value" as a header line.
std::pair<std::string, std::string> split_header(std::string const& line) {
    auto colon = line.find(':');
    auto value = colon == std::string::npos ? std::string() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return {line.substr(0, colon), value};
}

void add_headers(eio::header_list& to, std::vector<std::string> const& lines) {
    for (auto const& line : lines)
        to.push_back(split_header(line));
}
} // namespace

bool parse_hooks_flag(hooks_config& c, std::string const& flag, std::string const& value) {
    if (flag == "--allow-request-delay-ms")
        c.allow_request_delay_ms = std::atol(value.c_str());
    else if (flag == "--allow-request-timeout-ms")
        c.allow_request_timeout_ms = std::atol(value.c_str());
    else if (flag == "--cookie")
        c.cookie = value;
    else if (flag == "--initial-header")
        c.initial_headers.push_back(value);
    else if (flag == "--header")
        c.headers.push_back(value);
    else
        return false;
    return true;
}

void apply_hooks_options(hooks_config const& c, eio::options& opts,
                         kibitz::net::asio::io_context& ioc) {
    if (!c.cookie.empty()) {
        opts.cookie.enabled = true;
        opts.cookie.name = c.cookie;
    }
    opts.allow_request_timeout = std::chrono::milliseconds(c.allow_request_timeout_ms);
    if (c.allow_request_delay_ms < 0) return;
    auto delay = std::chrono::milliseconds(c.allow_request_delay_ms);
    opts.allow_request_async = [&ioc, delay](eio::http_request const& req,
                                             eio::allow_request_answer answer) {
        if (req.query_param("hang")) return; // the deadline answers
        auto deny = req.query_param("deny");
        // As a database check would: the answer comes from the loop, later.
        auto timer = std::make_shared<kibitz::net::asio::steady_timer>(ioc, delay);
        timer->async_wait([timer, answer, deny](kibitz::net::error_code) {
            if (deny)
                answer(*deny);
            else
                answer(std::nullopt);
        });
    };
}

void install_hooks(hooks_config const& c, eio::server& engine,
                   std::shared_ptr<std::deque<json>> errors) {
    engine.on_connection_error([errors](eio::connection_error const& e) {
        errors->push_back({{"code", static_cast<int>(e.code)},
                           {"message", std::string(e.message)},
                           {"status", e.status},
                           {"url", e.req.target}});
        if (errors->size() > 100) errors->pop_front();
    });
    if (!c.initial_headers.empty())
        engine.on_initial_headers(
            [lines = c.initial_headers](eio::header_list& h, eio::http_request const&) {
                add_headers(h, lines);
            });
    if (!c.headers.empty())
        engine.on_headers([lines = c.headers](eio::header_list& h, eio::http_request const&) {
            add_headers(h, lines);
        });
}

void install_hook_events(sio::server& io, std::shared_ptr<std::deque<json>> errors) {
    io.on_connection([errors](sio::socket_ptr s) {
        s->on("connection-errors", [errors](sio::socket&, json&, sio::ack_callback ack) {
            json list = json::array();
            for (auto const& e : *errors)
                list.push_back(e);
            if (ack) ack(json::array({list}));
        });
        s->on("handshake", [](sio::socket& self, json&, sio::ack_callback ack) {
            auto const& hs = self.handshake();
            if (ack)
                ack(json::array({{{"time", hs.time},
                                  {"issued", hs.issued},
                                  {"xdomain", hs.xdomain},
                                  {"secure", hs.secure},
                                  {"address", hs.address},
                                  {"url", hs.url}}}));
        });
    });
}

} // namespace conformance
