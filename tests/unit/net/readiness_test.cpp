#include <kibitz/net/readiness.hpp>

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <functional>
#include <memory>
#include <string>

using kibitz::net::readable;
using kibitz::net::readiness;
namespace asio = kibitz::net::asio;

namespace {

// A socket pair: `ours` is watched, `peer` writes to it. Closed by the destructor.
struct pair_of_sockets {
    std::array<int, 2> fds{-1, -1};
    pair_of_sockets() {
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()),
                  0);
    }
    ~pair_of_sockets() {
        for (int fd : fds)
            if (fd >= 0) ::close(fd);
    }
    int ours() const { return fds[0]; }
    void send(std::string const& bytes) const {
        EXPECT_EQ(::write(fds[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }
    // Reads what is there, as a target must (until a short read).
    std::string drain() const {
        std::string out;
        std::array<char, 4096> buf{};
        for (;;) {
            auto n = ::read(fds[0], buf.data(), buf.size());
            if (n <= 0) break;
            out.append(buf.data(), static_cast<std::size_t>(n));
        }
        return out;
    }
};

struct target final : readable {
    std::function<void()> on_edge;
    int calls = 0;
    void on_readable() override {
        ++calls;
        if (on_edge) on_edge();
    }
};

} // namespace

TEST(readiness, reports_each_new_arrival_once_and_costs_one_wakeup_for_many) {
    asio::io_context ioc;
    auto& r = readiness::of(ioc.get_executor());
    pair_of_sockets a, b;
    auto ta = std::make_shared<target>();
    auto tb = std::make_shared<target>();
    std::string got_a, got_b;
    ta->on_edge = [&] { got_a += a.drain(); };
    tb->on_edge = [&] { got_b += b.drain(); };
    kibitz::net::error_code ec;
    auto wa = r.watch(a.ours(), ta, ec);
    ASSERT_TRUE(wa) << ec.message();
    auto wb = r.watch(b.ours(), tb, ec);
    ASSERT_TRUE(wb) << ec.message();

    a.send("one");
    b.send("two");
    ioc.poll();
    EXPECT_EQ(got_a, "one");
    EXPECT_EQ(got_b, "two");
    EXPECT_EQ(ta->calls, 1);
    EXPECT_EQ(tb->calls, 1);
    EXPECT_EQ(r.wakeups(), 1u); // both in one batch
    EXPECT_EQ(r.edges(), 2u);

    // Nothing new: no call. New bytes: a new edge, without re-arming anything.
    ioc.poll();
    EXPECT_EQ(ta->calls, 1);
    a.send("three");
    ioc.poll();
    EXPECT_EQ(got_a, "onethree");
    EXPECT_EQ(ta->calls, 2);
    EXPECT_EQ(tb->calls, 1);

    r.unwatch(*wa, a.ours());
    r.unwatch(*wb, b.ours());
    a.send("four");
    ioc.poll();
    EXPECT_EQ(ta->calls, 2);
}

TEST(readiness, a_peer_that_closes_is_reported) {
    asio::io_context ioc;
    auto& r = readiness::of(ioc.get_executor());
    pair_of_sockets a;
    auto t = std::make_shared<target>();
    kibitz::net::error_code ec;
    auto w = r.watch(a.ours(), t, ec);
    ASSERT_TRUE(w);
    ::close(a.fds[1]);
    a.fds[1] = -1;
    ioc.poll();
    EXPECT_EQ(t->calls, 1);
    r.unwatch(*w, a.ours());
}

TEST(readiness, bytes_there_before_the_watch_are_reported) {
    asio::io_context ioc;
    auto& r = readiness::of(ioc.get_executor());
    pair_of_sockets a;
    a.send("early");
    auto t = std::make_shared<target>();
    kibitz::net::error_code ec;
    auto w = r.watch(a.ours(), t, ec);
    ASSERT_TRUE(w);
    ioc.poll();
    EXPECT_EQ(t->calls, 1);
    r.unwatch(*w, a.ours());
}

TEST(readiness, a_target_unwatched_by_another_in_the_same_batch_is_skipped_and_kept_alive) {
    asio::io_context ioc;
    auto& r = readiness::of(ioc.get_executor());
    pair_of_sockets a, b;
    auto ta = std::make_shared<target>();
    auto tb = std::make_shared<target>();
    std::weak_ptr<target> weak_a = ta, weak_b = tb;
    kibitz::net::error_code ec;
    auto wa = r.watch(a.ours(), std::move(ta), ec);
    auto wb = r.watch(b.ours(), std::move(tb), ec);
    ASSERT_TRUE(wa && wb);
    // Whichever runs first unwatches both (itself included): the other is not called, and
    // neither is destroyed while the batch runs.
    int calls = 0;
    auto both = [&] {
        ++calls;
        r.unwatch(*wa, a.ours());
        r.unwatch(*wb, b.ours());
        EXPECT_FALSE(weak_a.expired());
        EXPECT_FALSE(weak_b.expired());
    };
    weak_a.lock()->on_edge = both;
    weak_b.lock()->on_edge = both;
    a.send("x");
    b.send("y");
    ioc.poll();
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(weak_a.expired());
    EXPECT_TRUE(weak_b.expired());
}

TEST(readiness, nothing_watched_leaves_no_work_behind) {
    asio::io_context ioc;
    auto& r = readiness::of(ioc.get_executor());
    pair_of_sockets a;
    auto t = std::make_shared<target>();
    kibitz::net::error_code ec;
    auto w = r.watch(a.ours(), t, ec);
    ASSERT_TRUE(w);
    r.unwatch(*w, -1);
    r.unwatch(*w, -1); // a second time is ignored
    ioc.run();         // returns: the wait was cancelled with the last watch
    SUCCEED();
}

TEST(readiness, an_invalid_descriptor_is_an_error_not_an_exception) {
    asio::io_context ioc;
    auto& r = readiness::of(ioc.get_executor());
    kibitz::net::error_code ec;
    auto w = r.watch(-1, std::make_shared<target>(), ec);
    EXPECT_FALSE(w);
    EXPECT_TRUE(ec);
    ioc.run();
}

TEST(readiness, targets_left_watched_are_freed_with_the_io_context) {
    std::weak_ptr<target> weak;
    pair_of_sockets a;
    {
        asio::io_context ioc;
        auto& r = readiness::of(ioc.get_executor());
        auto t = std::make_shared<target>();
        weak = t;
        kibitz::net::error_code ec;
        ASSERT_TRUE(r.watch(a.ours(), std::move(t), ec));
    }
    EXPECT_TRUE(weak.expired());
}
