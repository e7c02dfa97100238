// chat::directory (the cluster's names and per-name flood control as Redis keys, each change one
// Lua script) against a redis-server of its own (Debian's; scripts/deps.sh test installs it),
// started on a free port and killed by pid.
#include "../redis/redis_server.hpp"

#include <kibitz/chat/directory.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/redis/connection.hpp>

#include <kibitz/test/run_until.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace kibitz;
using namespace std::chrono_literals;
using chat::directory;
namespace asio = net::asio;

using kibitz::test::run_until;

class chat_directory : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(server.running()) << "redis-server did not start"; }

    std::unique_ptr<directory> node(std::string id, util::duration ttl = 10s) {
        auto d = std::make_unique<directory>(ioc, *redis::parse_url(server.url()), "t",
                                             std::move(id), ttl);
        d->start({});
        EXPECT_TRUE(run_until(ioc, [&] { return d->connected(); }));
        return d;
    }

    directory::claim_reply claim(directory& d, std::string const& key,
                                 std::vector<std::string> const& skeletons, std::string const& sid,
                                 std::string const& offered = "") {
        std::optional<directory::claim_reply> got;
        d.claim(key, skeletons, sid, offered, [&](std::error_code ec, directory::claim_reply r) {
            EXPECT_FALSE(ec) << ec.message();
            got = r;
        });
        EXPECT_TRUE(run_until(ioc, [&] { return got.has_value(); }));
        return got.value_or(directory::claim_reply{});
    }

    std::vector<std::size_t> refresh(directory& d, std::vector<directory::held> const& names) {
        std::optional<std::vector<std::size_t>> lost;
        d.refresh(names, [&](std::error_code ec, std::vector<std::size_t> l) {
            EXPECT_FALSE(ec) << ec.message();
            lost = std::move(l);
        });
        EXPECT_TRUE(run_until(ioc, [&] { return lost.has_value(); }));
        return lost.value_or(std::vector<std::size_t>{});
    }

    // Runs one raw command (FLUSHALL, GET) on a connection of the test's own.
    redis::value raw(std::vector<std::string> args) {
        redis::connection_options o;
        o.url = *redis::parse_url(server.url());
        redis::connection c(ioc, o);
        c.start();
        EXPECT_TRUE(run_until(ioc, [&] { return c.connected(); }));
        std::optional<redis::value> got;
        c.send(std::move(args), [&](std::error_code, redis::value v) { got = std::move(v); });
        EXPECT_TRUE(run_until(ioc, [&] { return got.has_value(); }));
        return got.value_or(redis::value{});
    }

    asio::io_context ioc;
    redis::test::redis_server server;
};

TEST_F(chat_directory, a_name_is_claimed_once_across_nodes) {
    auto a = node("A");
    auto b = node("B");
    auto r = claim(*a, "ann", {"ann"}, "s1");
    EXPECT_EQ(r.outcome, directory::outcome::created);
    EXPECT_FALSE(r.epoch.empty());
    // Taken for any other claim; a pending name (no token hash yet) cannot be taken over.
    EXPECT_EQ(claim(*b, "ann", {"ann"}, "s2").outcome, directory::outcome::name_taken);
    EXPECT_EQ(claim(*b, "ann", {"ann"}, "s2", "h").outcome, directory::outcome::name_taken);
    // Another name with one of its skeletons is a look-alike.
    EXPECT_EQ(claim(*b, "ann_", {"ann"}, "s3").outcome, directory::outcome::confusable);
    EXPECT_EQ(raw({"GET", "t:kibitz:chat:name:ann"}).text, r.epoch + "|A|s1|");
}

TEST_F(chat_directory, the_confirmed_token_takes_a_name_over_from_another_node) {
    auto a = node("A");
    auto b = node("B");
    auto r = claim(*a, "ann", {"ann"}, "s1");
    EXPECT_TRUE(refresh(*a, {{"ann", r.epoch, "s1", "hash1", {"ann"}}}).empty());
    EXPECT_EQ(claim(*b, "ann", {"ann"}, "s2", "wrong").outcome, directory::outcome::name_taken);
    auto over = claim(*b, "ann", {"ann"}, "s2", "hash1");
    ASSERT_EQ(over.outcome, directory::outcome::taken_over);
    EXPECT_EQ(over.previous_node, "A");
    EXPECT_EQ(over.previous_sid, "s1");
    EXPECT_GE(over.epoch, r.epoch);
    // A's write-back finds the name another node's: lost. A's release frees nothing of B's.
    EXPECT_EQ(refresh(*a, {{"ann", r.epoch, "s1", "hash1", {"ann"}}}),
              (std::vector<std::size_t>{0}));
    a->release("ann", r.epoch, {"ann"});
    EXPECT_EQ(raw({"GET", "t:kibitz:chat:name:ann"}).text, over.epoch + "|B|s2|hash1");
    b->release("ann", over.epoch, {"ann"});
    EXPECT_TRUE(raw({"GET", "t:kibitz:chat:name:ann"}).is_nil());
    EXPECT_TRUE(raw({"GET", "t:kibitz:chat:skel:ann"}).is_nil());
}

TEST_F(chat_directory, a_write_back_claims_again_what_an_empty_redis_lost) {
    auto a = node("A");
    auto b = node("B");
    auto r = claim(*a, "ann", {"ann"}, "s1");
    auto other = claim(*a, "bob", {"bob"}, "s2");
    raw({"FLUSHALL"});
    // Meanwhile B claimed a look-alike of bob: A gets ann back and loses bob.
    EXPECT_EQ(claim(*b, "b0b", {"bob"}, "s9").outcome, directory::outcome::created);
    auto lost = refresh(
        *a, {{"ann", r.epoch, "s1", "h", {"ann"}}, {"bob", other.epoch, "s2", "", {"bob"}}});
    EXPECT_EQ(lost, (std::vector<std::size_t>{1}));
    EXPECT_EQ(claim(*b, "ann", {"ann"}, "s3").outcome, directory::outcome::name_taken);
}

TEST_F(chat_directory, names_expire_without_their_write_back) {
    auto a = node("A", 200ms);
    auto b = node("B", 200ms);
    claim(*a, "ann", {"ann"}, "s1");
    // Polled: Redis expires the key on its own clock.
    ASSERT_TRUE(run_until(
        ioc,
        [&] {
            return raw({"GET", "t:kibitz:chat:name:ann"}).is_nil();
        },
        3s));
    EXPECT_EQ(claim(*b, "ann", {"ann"}, "s2").outcome, directory::outcome::created);
}

TEST_F(chat_directory, flood_control_is_one_window_for_every_node) {
    auto a = node("A");
    auto b = node("B");
    auto acquire = [&](directory& d, std::string const& id) {
        std::optional<std::int64_t> wait;
        d.acquire("ann", 2, 60s, id, [&](std::error_code ec, std::int64_t w) {
            EXPECT_FALSE(ec) << ec.message();
            wait = w;
        });
        EXPECT_TRUE(run_until(ioc, [&] { return wait.has_value(); }));
        return wait.value_or(-1);
    };
    EXPECT_EQ(acquire(*a, "e1"), 0);
    EXPECT_EQ(acquire(*b, "e2"), 0);
    auto const wait = acquire(*b, "e3");
    EXPECT_GT(wait, 59000);
    EXPECT_LE(wait, 60000);
    // An event taken back makes room again.
    b->release_event("ann", "e2");
    EXPECT_EQ(acquire(*a, "e4"), 0);
    EXPECT_GT(acquire(*a, "e5"), 0);
}

TEST_F(chat_directory, calls_fail_fast_while_redis_is_down) {
    auto a = node("A");
    server.kill();
    ASSERT_TRUE(run_until(ioc, [&] { return !a->connected(); }));
    std::optional<std::error_code> got;
    a->claim("ann", {}, "s1", "", [&](std::error_code ec, directory::claim_reply) { got = ec; });
    ASSERT_TRUE(run_until(
        ioc, [&] { return got.has_value(); }, 1s));
    EXPECT_TRUE(*got);
}

} // namespace
