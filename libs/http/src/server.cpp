#include "connection.hpp"
#include "tls_context.hpp"

#include <kibitz/http/host.hpp>
#include <kibitz/http/server.hpp>
#include <kibitz/util/log.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kibitz::http {

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

struct server::impl : detail::router, std::enable_shared_from_this<impl> {
    struct mount_point {
        std::string prefix;
        handler* target;
    };

    impl(net::asio::io_context& ioc, limits l)
        : ioc_(ioc), limits_(std::move(l)), acceptor_(ioc), backoff_timer_(ioc),
          open_(std::make_shared<std::size_t>(0)) {}
    ~impl() override { release_spare(); }

    handler* mounted_at(std::string_view path) const {
        for (auto const& m : mounts_)
            if (path.starts_with(m.prefix)) return m.target;
        return nullptr;
    }

    std::size_t body_limit(std::string_view path) const override {
        auto* h = mounted_at(path);
        return h ? h->body_limit() : limits_.max_body_bytes;
    }

    // The DNS-rebinding defence: a Host that is not this machine's, nor listed.
    bool refuse_host(request const& req, handler* h, detail::connection& conn) const {
        if (!check_hosts_) return false;
        auto host = req.header("Host");
        if (!host || host_allowed(*host, limits_.allowed_hosts)) return false;
        conn.respond(h ? h->refusal(403, "Host not allowed") : fallback_refusal_);
        return true;
    }

    void route(request&& req, std::shared_ptr<detail::connection> conn) override {
        auto* h = mounted_at(req.path);
        if (refuse_host(req, h, *conn)) return;
        if (h) return h->handle(std::move(req), std::move(conn));
        if (req.body_too_large) return conn->respond({413, {}, "Payload Too Large", true});
        if (!fallback_) return conn->respond({404, {{"Content-Type", "text/plain"}}, "Not Found"});
        // The responder holds the connection until it is called.
        fallback_(req, [conn](response r) { conn->respond(std::move(r)); });
    }

    void on_closed(detail::connection* conn) override { connections_.erase(conn); }
    bool draining() const override { return draining_; }

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
        // Over TLS the connection takes the context current now: a reload changes only the
        // connections accepted after it.
        auto conn =
            tls_ ? detail::make_tls_connection(std::make_shared<net::tls_socket>(
                                                   tls_, net::tls_stream(std::move(socket), *tls_)),
                                               shared_from_this(), limits_, std::move(slot))
                 : detail::make_connection(std::move(socket), shared_from_this(), limits_,
                                           std::move(slot));
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
    limits limits_;
    net::tcp::acceptor acceptor_;
    net::asio::steady_timer backoff_timer_;
    util::duration backoff_{50};
    std::optional<util::time_point> last_accept_log_;
    std::size_t accept_failures_ = 0;
    std::array<int, 2> spare_fds_{-1, -1}; // descriptors kept back for the EMFILE case
    bool check_hosts_ = false;
    bool draining_ = false;
    std::vector<mount_point> mounts_;
    handler_fn fallback_;
    response fallback_refusal_{403, {{"Content-Type", "text/plain"}}, "Host not allowed", false};
    std::unordered_set<detail::connection*> connections_;
    std::shared_ptr<net::ssl::context> tls_; // null: plain HTTP
    std::string tls_cert_file_;
    std::string tls_key_file_;
    std::shared_ptr<std::size_t> open_; // HTTP connections and WebSockets (connection_slot)
    // The same, per remote address; an address leaves it with its last connection.
    std::shared_ptr<address_counts> per_address_ = std::make_shared<address_counts>();
};

server::server(boost::asio::io_context& ioc, limits l)
    : impl_(std::make_shared<impl>(ioc, std::move(l))) {}

server::~server() {
    stop();
}

void server::mount(std::string prefix, handler& h) {
    impl_->mounts_.push_back({std::move(prefix), &h});
}

void server::set_fallback(handler_fn fn) {
    impl_->fallback_ = std::move(fn);
}

void server::use_tls(std::string cert_file, std::string key_file) {
    std::string error;
    auto ctx = detail::make_tls_context(cert_file, key_file, error);
    if (!ctx) throw std::runtime_error(error);
    impl_->tls_ = std::move(ctx);
    impl_->tls_cert_file_ = std::move(cert_file);
    impl_->tls_key_file_ = std::move(key_file);
}

std::optional<std::string> server::reload_tls() {
    if (!impl_->tls_) return "TLS is not on";
    std::string error;
    auto ctx = detail::make_tls_context(impl_->tls_cert_file_, impl_->tls_key_file_, error);
    if (!ctx) return error;
    // Open connections hold the old context (net::tls_socket) for as long as they live.
    impl_->tls_ = std::move(ctx);
    return std::nullopt;
}

bool server::secure() const {
    return impl_->tls_ != nullptr;
}

std::uint16_t server::listen(std::string const& host, std::uint16_t port) {
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

void server::stop() {
    net::error_code ignored;
    impl_->acceptor_.close(ignored);
    impl_->backoff_timer_.cancel();
    // Closing removes the connection from the set: close a copy.
    std::vector<detail::connection*> open(impl_->connections_.begin(), impl_->connections_.end());
    for (auto* conn : open)
        conn->close();
}

void server::drain() {
    net::error_code ignored;
    impl_->draining_ = true;
    impl_->acceptor_.close(ignored);
    impl_->backoff_timer_.cancel();
    std::vector<detail::connection*> open(impl_->connections_.begin(), impl_->connections_.end());
    for (auto* conn : open)
        conn->close_when_idle();
}

std::size_t server::connections_count() const {
    return *impl_->open_;
}

} // namespace kibitz::http
