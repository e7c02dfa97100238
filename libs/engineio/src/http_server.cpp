#include "http_connection.hpp"

#include <kibitz/engineio/http_server.hpp>
#include <kibitz/engineio/server.hpp>
#include <kibitz/util/json.hpp>
#include <kibitz/util/log.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <string>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kibitz::engineio {

namespace {
using address_counts = std::unordered_map<std::string, std::size_t>;

// Keeps an open count, in all and for the connection's remote address, while it lives (see
// detail::connection_slot). The address's entry goes when its last connection does.
struct slot_guard {
    slot_guard(std::shared_ptr<std::size_t> c, std::shared_ptr<address_counts> counts,
               std::string remote)
        : count(std::move(c)), per_address(std::move(counts)), address(std::move(remote)) {
        ++*count;
        ++(*per_address)[address];
    }
    ~slot_guard() {
        --*count;
        auto it = per_address->find(address);
        if (it != per_address->end() && --it->second == 0) per_address->erase(it);
    }
    slot_guard(slot_guard const&) = delete;
    slot_guard& operator=(slot_guard const&) = delete;
    std::shared_ptr<std::size_t> count;
    std::shared_ptr<address_counts> per_address;
    std::string address;
};

std::string remote_of(net::tcp::socket const& socket) {
    net::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    return ec ? std::string() : endpoint.address().to_string();
}

bool out_of_descriptors(net::error_code const& ec) {
    return ec == net::asio::error::no_descriptors || ec == net::asio::error::no_buffer_space ||
           ec == net::asio::error::no_memory || ec.value() == ENFILE;
}
} // namespace

struct http_server::impl : detail::http_router, std::enable_shared_from_this<impl> {
    impl(net::asio::io_context& ioc, http_limits l)
        : ioc_(ioc), limits_(std::move(l)), acceptor_(ioc), backoff_timer_(ioc),
          open_(std::make_shared<std::size_t>(0)) {}
    ~impl() override { release_spare(); }

    std::size_t body_limit(std::string_view path) const override {
        for (auto* eio : servers_)
            if (path.starts_with(eio->opts().path)) return eio->opts().max_payload;
        return limits_.max_body_bytes;
    }

    // The DNS-rebinding defence: a Host that is not this machine's, nor listed.
    bool refuse_host(http_request const& request, detail::http_connection& conn) const {
        if (!check_hosts_) return false;
        auto host = request.header("Host");
        if (!host || host_allowed(*host, limits_.allowed_hosts)) return false;
        http_response r{403, {}, "Forbidden", false};
        bool eio = std::any_of(servers_.begin(), servers_.end(),
                               [&](server* s) { return request.path.starts_with(s->opts().path); });
        if (eio) {
            // Engine.IO's error body: {"code":4,"message":...}.
            r.set("Content-Type", "application/json");
            r.body = json{{"code", 4}, {"message", "Host not allowed"}}.dump();
        } else {
            r.set("Content-Type", "text/plain");
            r.body = "Host not allowed";
        }
        conn.respond(std::move(r));
        return true;
    }

    void route(http_request&& request, std::shared_ptr<detail::http_connection> conn) override {
        if (refuse_host(request, *conn)) return;
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
        if (ec) return on_accept_error(ec);
        backoff_ = limits_.accept_backoff;
        auto address = remote_of(socket);
        auto const from_address = per_address_->find(address);
        bool const address_full = limits_.max_connections_per_address &&
                                  from_address != per_address_->end() &&
                                  from_address->second >= limits_.max_connections_per_address;
        if (*open_ >= limits_.max_connections || address_full) {
            net::error_code ignored;
            socket.close(ignored);
            return do_accept();
        }
        auto slot = std::make_shared<slot_guard>(open_, per_address_, std::move(address));
        auto conn = std::make_shared<detail::http_connection>(std::move(socket), shared_from_this(),
                                                              limits_, std::move(slot));
        connections_.insert(conn.get());
        conn->start();
        do_accept();
    }

    void on_accept_error(net::error_code ec) {
        bool exhausted = out_of_descriptors(ec);
        // The spare descriptors go first: what follows (the log line, the sanitizers in a
        // checked build, the handlers of open connections) may need one.
        if (exhausted) release_spare();
        report_accept_failure(ec);
        if (!exhausted) return do_accept();
        // Accept one waiting client and close it at once, rather than leave it in the backlog
        // with no answer; then pause accepting, so the loop does not spin on EMFILE.
        int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) ::close(fd);
        pause_accepting();
    }

    void pause_accepting() {
        backoff_timer_.expires_after(backoff_);
        backoff_ = std::min<util::duration>(backoff_ * 2, std::chrono::seconds(1));
        backoff_timer_.async_wait([self = shared_from_this()](net::error_code e) {
            if (e || !self->acceptor_.is_open()) return;
            // Resume only with the spares back: the process is then below its limit again.
            if (!self->take_spare()) {
                self->release_spare();
                return self->pause_accepting();
            }
            self->do_accept();
        });
    }

    void report_accept_failure(net::error_code const& ec) {
        // At most one line per interval, with the count (formatted without iostreams).
        ++accept_failures_;
        auto now = util::steady_clock::now();
        if (last_accept_log_ && now - *last_accept_log_ < limits_.accept_log_interval) return;
        if (util::log_level::warn < util::log_threshold()) return;
        util::log_line(util::log_level::warn,
                       "accept: " + ec.message() + " (" + std::to_string(accept_failures_) +
                           " failures since the last report); accepting pauses");
        accept_failures_ = 0;
        last_accept_log_ = now;
    }

    bool take_spare() {
        for (auto& fd : spare_fds_)
            if (fd < 0) fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        return std::all_of(spare_fds_.begin(), spare_fds_.end(), [](int fd) { return fd >= 0; });
    }

    void release_spare() {
        for (auto& fd : spare_fds_) {
            if (fd >= 0) ::close(fd);
            fd = -1;
        }
    }

    net::asio::io_context& ioc_;
    http_limits limits_;
    net::tcp::acceptor acceptor_;
    net::asio::steady_timer backoff_timer_;
    util::duration backoff_{50};
    std::optional<util::time_point> last_accept_log_;
    std::size_t accept_failures_ = 0;
    std::array<int, 2> spare_fds_{-1, -1}; // descriptors kept back for the EMFILE case
    bool check_hosts_ = false;
    std::vector<server*> servers_;
    http_handler fallback_;
    std::unordered_set<detail::http_connection*> connections_;
    std::shared_ptr<std::size_t> open_; // HTTP connections and WebSockets (connection_slot)
    // The same, per remote address; an address leaves it with its last connection.
    std::shared_ptr<address_counts> per_address_ = std::make_shared<address_counts>();
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
    a.non_blocking(true); // the EMFILE path accepts one client without waiting
    impl_->check_hosts_ = address.is_loopback() || !impl_->limits_.allowed_hosts.empty();
    impl_->backoff_ = impl_->limits_.accept_backoff;
    impl_->take_spare();
    impl_->do_accept();
    return a.local_endpoint().port();
}

void http_server::stop() {
    net::error_code ignored;
    impl_->acceptor_.close(ignored);
    impl_->backoff_timer_.cancel();
    // Closing removes the connection from the set: close a copy.
    std::vector<detail::http_connection*> open(impl_->connections_.begin(),
                                               impl_->connections_.end());
    for (auto* conn : open)
        conn->close();
}

std::size_t http_server::connections_count() const {
    return *impl_->open_;
}

} // namespace kibitz::engineio
