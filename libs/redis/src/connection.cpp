#include <kibitz/net/asio.hpp>
#include <kibitz/redis/command.hpp>
#include <kibitz/redis/connection.hpp>
#include <kibitz/util/log.hpp>

#include <algorithm>
#include <deque>
#include <random>
#include <set>

namespace kibitz::redis {

namespace {

class connection_category_impl final : public std::error_category {
public:
    char const* name() const noexcept override { return "redis.connection"; }
    std::string message(int e) const override {
        switch (static_cast<errc>(e)) {
        case errc::not_connected:
            return "not connected to Redis";
        case errc::connection_lost:
            return "connection to Redis lost";
        case errc::too_many_pending:
            return "too many commands awaiting replies";
        case errc::write_buffer_full:
            return "too many bytes waiting to be written";
        case errc::subscriber_mode:
            return "commands are refused on a subscriber connection";
        case errc::closed:
            return "connection closed";
        }
        return "unknown Redis connection error";
    }
};

constexpr std::size_t read_size = 64 * 1024;

} // namespace

std::error_category const& connection_category() noexcept {
    static connection_category_impl const category;
    return category;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), connection_category()};
}

struct connection::impl : std::enable_shared_from_this<impl> {
    impl(net::asio::io_context& io, connection_options o)
        : ioc(io), opts(std::move(o)), resolver(io), socket(io), connect_timer(io), retry_timer(io),
          ping_timer(io), reader(opts.limits), read_buffer(read_size), backoff(opts.backoff_min),
          jitter(std::random_device{}()) {}

    bool subscriber() const { return opts.mode == connection_mode::subscriber; }
    std::string where() const { return opts.url.host + ":" + std::to_string(opts.url.port); }

    void connect();
    void connect_next(std::uint64_t g, std::vector<net::tcp::endpoint> endpoints,
                      std::size_t index);
    void on_connected(std::uint64_t g);
    void handshake(std::uint64_t g);
    void ready(std::uint64_t g);
    void lose(std::uint64_t g, std::string_view reason);
    void schedule_retry();
    void do_read(std::uint64_t g);
    void on_read(std::uint64_t g, net::error_code ec, std::size_t n);
    void dispatch(std::uint64_t g, value v);
    void write(std::string_view bytes);
    void flush(std::uint64_t g);
    void arm_ping(std::uint64_t g);
    void on_ping_tick(std::uint64_t g);
    void resubscribe();
    void update(std::set<std::string>& set, std::string name, bool add, std::string_view cmd);
    void fail_later(reply_handler handler, errc e);
    void close();

    net::asio::io_context& ioc;
    connection_options opts;
    net::tcp::resolver resolver;
    net::tcp::socket socket;
    net::asio::steady_timer connect_timer;
    net::asio::steady_timer retry_timer;
    net::asio::steady_timer ping_timer;
    parser reader;
    std::vector<char> read_buffer;
    std::deque<reply_handler> pending;
    std::string writing;
    std::string queued;
    bool write_in_flight = false;
    std::set<std::string> channels;
    std::set<std::string> patterns;
    std::set<std::string> shards;
    push_handler push_cb;
    state_handler state_cb;
    // Bumped by every connect attempt and every loss: completions of an older one are stale.
    std::uint64_t generation = 0;
    bool tcp_up = false; // connected, handshake under way or done
    bool up = false;     // Redis answered the handshake: commands are accepted
    bool started = false;
    bool closed = false;
    bool awaiting_pong = false;
    int missed_pings = 0;
    std::size_t connect_count = 0;
    util::duration backoff;
    std::minstd_rand jitter;
};

void connection::impl::connect() {
    std::uint64_t const g = ++generation;
    auto self = shared_from_this();
    connect_timer.expires_after(opts.connect_timeout);
    connect_timer.async_wait([self, g](net::error_code ec) {
        if (ec || g != self->generation || self->up) return;
        self->lose(g, "connect timeout");
    });
    resolver.async_resolve(opts.url.host, std::to_string(opts.url.port),
                           [self, g](net::error_code ec, net::tcp::resolver::results_type results) {
                               if (g != self->generation) return;
                               if (ec) return self->lose(g, "resolve: " + ec.message());
                               std::vector<net::tcp::endpoint> endpoints;
                               for (auto const& entry : results)
                                   endpoints.push_back(entry.endpoint());
                               self->connect_next(g, std::move(endpoints), 0);
                           });
}

// Tries the resolved addresses in order (a name may give ::1 and 127.0.0.1).
void connection::impl::connect_next(std::uint64_t g, std::vector<net::tcp::endpoint> endpoints,
                                    std::size_t index) {
    if (index >= endpoints.size()) return lose(g, "connect: no address answered");
    net::error_code ignored;
    socket.close(ignored);
    net::tcp::endpoint const target = endpoints[index];
    socket.async_connect(target, [self = shared_from_this(), g, endpoints = std::move(endpoints),
                                  index](net::error_code ec) mutable {
        if (g != self->generation) return;
        if (!ec) return self->on_connected(g);
        if (index + 1 < endpoints.size())
            return self->connect_next(g, std::move(endpoints), index + 1);
        self->lose(g, "connect: " + ec.message());
    });
}

// TCP is up; the connection is not, until Redis answers the handshake's PING: a stopped Redis
// still completes TCP handshakes (the kernel does), and must not count as connected.
void connection::impl::on_connected(std::uint64_t g) {
    net::error_code ignored;
    socket.set_option(net::tcp::no_delay(true), ignored);
    tcp_up = true;
    reader.reset();
    missed_pings = 0;
    awaiting_pong = false;
    handshake(g);
    // Subscriptions go out now, behind the PING; their confirmations come after its answer.
    if (subscriber()) resubscribe();
    do_read(g);
}

// Redis answered: ready for commands; the connect timer (still armed) is done.
void connection::impl::ready(std::uint64_t g) {
    if (g != generation || up) return;
    connect_timer.cancel();
    up = true;
    ++connect_count;
    backoff = opts.backoff_min;
    util::log(util::log_level::info, "redis: connected to ", where());
    arm_ping(g);
    if (state_cb) state_cb(true);
}

// Before anything the caller sends: AUTH, then (command mode) the database of the URL, then a
// PING whose answer (any) makes the connection ready. AUTH's and SELECT's replies are only
// logged: a wrong password shows in the error replies that follow (NOAUTH).
void connection::impl::handshake(std::uint64_t g) {
    auto const& u = opts.url;
    auto const expect_ok = [this](std::string what) {
        return [self = weak_from_this(), what = std::move(what)](std::error_code, value v) {
            auto s = self.lock();
            if (s && v.is_error()) {
                util::log(util::log_level::error, "redis: ", s->where(), " ", what, ": ", v.text);
            }
        };
    };
    if (!u.password.empty()) {
        if (!subscriber()) pending.push_back(expect_ok("AUTH"));
        write(u.username.empty() ? command({"AUTH", u.password})
                                 : command({"AUTH", u.username, u.password}));
    }
    if (!subscriber() && u.db != 0) {
        pending.push_back(expect_ok("SELECT"));
        write(command({"SELECT", std::to_string(u.db)}));
    }
    // Subscriber mode: dispatch() takes the first PONG as this answer.
    if (!subscriber()) {
        pending.push_back([self = weak_from_this(), g](std::error_code ec, value) {
            if (auto s = self.lock(); s && !ec) s->ready(g);
        });
    }
    write(command({"PING"}));
}

// The one exit of a live or half-made connection: fail what waits, then retry later.
void connection::impl::lose(std::uint64_t g, std::string_view reason) {
    if (g != generation) return;
    ++generation;
    bool const was_up = up;
    up = false;
    tcp_up = false;
    net::error_code ignored;
    resolver.cancel();
    socket.close(ignored);
    connect_timer.cancel();
    ping_timer.cancel();
    writing.clear();
    queued.clear();
    write_in_flight = false;
    reader.reset();
    auto failed = std::move(pending);
    pending.clear();
    util::log(was_up ? util::log_level::warn : util::log_level::debug, "redis: ", where(),
              was_up ? " lost: " : " unreachable: ", reason);
    if (!closed) schedule_retry();
    for (auto& handler : failed)
        handler(errc::connection_lost, value{});
    if (was_up && state_cb && !closed) state_cb(false);
}

void connection::impl::schedule_retry() {
    // 50 ms doubling to 2 s by default, +-25 % so that nodes do not reconnect in step.
    std::uniform_real_distribution<double> spread(0.75, 1.25);
    auto const delay = std::chrono::duration_cast<util::duration>(backoff * spread(jitter));
    backoff = std::min(backoff * 2, opts.backoff_max);
    retry_timer.expires_after(delay);
    retry_timer.async_wait([self = shared_from_this(), g = generation](net::error_code ec) {
        if (ec || self->closed || g != self->generation) return;
        self->connect();
    });
}

void connection::impl::do_read(std::uint64_t g) {
    socket.async_read_some(net::asio::buffer(read_buffer),
                           [self = shared_from_this(), g](net::error_code ec, std::size_t n) {
                               self->on_read(g, ec, n);
                           });
}

void connection::impl::on_read(std::uint64_t g, net::error_code ec, std::size_t n) {
    if (g != generation) return;
    if (ec) return lose(g, ec == net::asio::error::eof ? "closed by Redis" : ec.message());
    // Bytes arrived: Redis is alive, even if the PING's answer waits behind a long reply.
    missed_pings = 0;
    if (auto fed = reader.feed(std::string_view(read_buffer.data(), n))) {
        return lose(g, fed.message());
    }
    for (;;) {
        parse_result r = reader.next();
        if (r.failed()) return lose(g, make_error_code(r.error).message());
        if (!r.has_reply()) break;
        dispatch(g, std::move(r.reply));
        // A handler may have closed us, or the reply may have been one too many.
        if (g != generation) return;
    }
    do_read(g);
}

void connection::impl::dispatch(std::uint64_t g, value v) {
    if (!subscriber()) {
        if (pending.empty()) return lose(g, "a reply to no command");
        reply_handler handler = std::move(pending.front());
        pending.pop_front();
        return handler({}, std::move(v));
    }
    // Before the first subscription PING is answered +PONG, after it ["pong", ""].
    auto const p = as_push(v);
    if ((p && p->kind == push_kind::pong) || (v.type == type::simple_string && v.text == "PONG")) {
        awaiting_pong = false;
        missed_pings = 0;
        return ready(g);
    }
    if (!p) {
        // AUTH's +OK; or an error (a wrong password, a refused subscription): say so.
        if (v.is_error()) util::log(util::log_level::error, "redis: ", where(), ": ", v.text);
        return;
    }
    if (push_cb) push_cb(*p);
}

void connection::impl::write(std::string_view bytes) {
    queued.append(bytes);
    if (!write_in_flight) flush(generation);
}

// One write in flight; what is sent meanwhile waits in `queued` and goes out next, whole.
void connection::impl::flush(std::uint64_t g) {
    writing.swap(queued);
    queued.clear();
    write_in_flight = true;
    net::asio::async_write(socket, net::asio::buffer(writing),
                           [self = shared_from_this(), g](net::error_code ec, std::size_t) {
                               if (g != self->generation) return;
                               self->write_in_flight = false;
                               if (ec) return self->lose(g, "write: " + ec.message());
                               self->writing.clear();
                               if (!self->queued.empty()) self->flush(g);
                           });
}

void connection::impl::arm_ping(std::uint64_t g) {
    if (opts.ping_interval <= util::duration::zero()) return;
    ping_timer.expires_after(opts.ping_interval);
    ping_timer.async_wait([self = shared_from_this(), g](net::error_code ec) {
        if (ec || g != self->generation) return;
        self->on_ping_tick(g);
    });
}

// Each tick checks the previous PING and sends the next: a Redis from which nothing arrives
// for two ticks while a PING is unanswered is dropped, 2 to 3 intervals after it froze.
void connection::impl::on_ping_tick(std::uint64_t g) {
    if (awaiting_pong && ++missed_pings >= 2) return lose(g, "no answer to PING");
    if (!awaiting_pong) missed_pings = 0;
    awaiting_pong = true;
    if (!subscriber()) {
        pending.push_back([self = weak_from_this()](std::error_code ec, value) {
            auto s = self.lock();
            if (!ec && s) {
                s->awaiting_pong = false;
                s->missed_pings = 0;
            }
        });
    }
    write(command({"PING"}));
    arm_ping(g);
}

void connection::impl::resubscribe() {
    auto const all = [this](std::set<std::string> const& names, std::string_view cmd) {
        if (names.empty()) return;
        std::vector<std::string_view> args{cmd};
        args.insert(args.end(), names.begin(), names.end());
        write(command(args));
    };
    all(channels, "SUBSCRIBE");
    all(patterns, "PSUBSCRIBE");
    // One SSUBSCRIBE per channel: in a Redis Cluster each may live in another slot.
    for (auto const& name : shards)
        write(command({"SSUBSCRIBE", name}));
}

void connection::impl::update(std::set<std::string>& set, std::string name, bool add,
                              std::string_view cmd) {
    if (!subscriber()) {
        util::log(util::log_level::error, "redis: ", cmd, " on a command connection ignored");
        return;
    }
    bool const changed = add ? set.insert(name).second : set.erase(name) > 0;
    // From TCP connect on: resubscribe() has sent the set as it was then.
    if (changed && tcp_up) write(command({cmd, name}));
}

void connection::impl::fail_later(reply_handler handler, errc e) {
    net::asio::post(ioc, [handler = std::move(handler), e]() { handler(e, value{}); });
}

void connection::impl::close() {
    if (closed) return;
    closed = true;
    ++generation;
    up = false;
    tcp_up = false;
    net::error_code ignored;
    resolver.cancel();
    socket.close(ignored);
    connect_timer.cancel();
    retry_timer.cancel();
    ping_timer.cancel();
    auto failed = std::move(pending);
    pending.clear();
    for (auto& handler : failed)
        fail_later(std::move(handler), errc::closed);
}

connection::connection(boost::asio::io_context& ioc, connection_options opts)
    : impl_(std::make_shared<impl>(ioc, std::move(opts))) {}

connection::~connection() {
    impl_->close();
}

void connection::on_push(push_handler handler) {
    impl_->push_cb = std::move(handler);
}

void connection::on_state(state_handler handler) {
    impl_->state_cb = std::move(handler);
}

void connection::start() {
    if (impl_->started || impl_->closed) return;
    impl_->started = true;
    impl_->connect();
}

void connection::close() {
    impl_->close();
}

void connection::send(std::vector<std::string> args, reply_handler handler) {
    impl& s = *impl_;
    if (s.closed) return s.fail_later(std::move(handler), errc::closed);
    if (s.subscriber()) return s.fail_later(std::move(handler), errc::subscriber_mode);
    if (!s.up) return s.fail_later(std::move(handler), errc::not_connected);
    if (s.pending.size() >= s.opts.max_pending) {
        return s.fail_later(std::move(handler), errc::too_many_pending);
    }
    std::vector<std::string_view> const views(args.begin(), args.end());
    std::string bytes = command(views);
    if (s.writing.size() + s.queued.size() + bytes.size() > s.opts.max_write_bytes) {
        return s.fail_later(std::move(handler), errc::write_buffer_full);
    }
    s.pending.push_back(std::move(handler));
    s.write(bytes);
}

void connection::subscribe(std::string channel) {
    impl_->update(impl_->channels, std::move(channel), true, "SUBSCRIBE");
}

void connection::unsubscribe(std::string const& channel) {
    impl_->update(impl_->channels, channel, false, "UNSUBSCRIBE");
}

void connection::psubscribe(std::string pattern) {
    impl_->update(impl_->patterns, std::move(pattern), true, "PSUBSCRIBE");
}

void connection::punsubscribe(std::string const& pattern) {
    impl_->update(impl_->patterns, pattern, false, "PUNSUBSCRIBE");
}

void connection::ssubscribe(std::string channel) {
    impl_->update(impl_->shards, std::move(channel), true, "SSUBSCRIBE");
}

void connection::sunsubscribe(std::string const& channel) {
    impl_->update(impl_->shards, channel, false, "SUNSUBSCRIBE");
}

bool connection::connected() const {
    return impl_->up;
}

std::size_t connection::pending() const {
    return impl_->pending.size();
}

std::size_t connection::connects() const {
    return impl_->connect_count;
}

connection_options const& connection::options() const {
    return impl_->opts;
}

} // namespace kibitz::redis
