// kibitz::redis::connection against a real redis-server (Debian's; scripts/deps.sh test
// installs it). Each test starts its own on a free port and kills it by pid.
#include "redis_server.hpp"

#include <kibitz/net/asio.hpp>
#include <kibitz/redis/connection.hpp>
#include <kibitz/redis/glob.hpp>

#include <kibitz/test/run_until.hpp>

#include <gtest/gtest.h>

#include <ostream>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kibitz::redis {
// Failures show the reply as RESP.
inline void PrintTo(value const& v, std::ostream* os) {
    *os << encode(v);
}
} // namespace kibitz::redis

namespace {

using namespace kibitz::redis;
using namespace std::chrono_literals;
namespace asio = kibitz::net::asio;

using kibitz::test::run_until;

connection_options options_for(std::string const& url_text,
                               connection_mode mode = connection_mode::command) {
    connection_options opts;
    opts.url = *parse_url(url_text);
    opts.mode = mode;
    return opts;
}

struct reply_log {
    std::vector<std::error_code> errors;
    std::vector<value> replies;
    reply_handler handler() {
        return [this](std::error_code ec, value v) {
            errors.push_back(ec);
            replies.push_back(std::move(v));
        };
    }
    std::size_t size() const { return replies.size(); }
};

class redis_connection : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(server.running()) << "redis-server did not start"; }

    asio::io_context ioc;
    test::redis_server server;
};

TEST_F(redis_connection, replies_come_back_in_command_order) {
    connection c(ioc, options_for(server.url()));
    c.start();
    ASSERT_TRUE(run_until(ioc, [&] { return c.connected(); }));
    reply_log log;
    c.send({"SET", "k", std::string("v\0\r\n", 4)}, log.handler());
    c.send({"GET", "k"}, log.handler());
    for (int i = 0; i < 3; ++i)
        c.send({"INCR", "n"}, log.handler());
    c.send({"NOSUCHCOMMAND"}, log.handler());
    c.send({"GET", "missing"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 7; }));
    EXPECT_EQ(log.replies[0], value::simple("OK"));
    EXPECT_EQ(log.replies[1], value::bulk(std::string("v\0\r\n", 4)));
    EXPECT_EQ(log.replies[4], value::number(3));
    EXPECT_TRUE(log.replies[5].is_error());
    EXPECT_TRUE(log.replies[6].is_nil());
    for (auto const& ec : log.errors)
        EXPECT_FALSE(ec);
    EXPECT_EQ(c.pending(), 0u);
}

TEST_F(redis_connection, selects_the_database_of_the_url) {
    connection one(ioc, options_for(server.url(1)));
    connection zero(ioc, options_for(server.url()));
    one.start();
    zero.start();
    ASSERT_TRUE(run_until(ioc, [&] { return one.connected() && zero.connected(); }));
    reply_log log;
    one.send({"SET", "only-in-1", "x"}, log.handler());
    one.send({"GET", "only-in-1"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 2; }));
    zero.send({"GET", "only-in-1"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 3; }));
    EXPECT_EQ(log.replies[1], value::bulk("x"));
    EXPECT_TRUE(log.replies[2].is_nil());
}

TEST_F(redis_connection, fails_fast_while_redis_is_down) {
    server.kill();
    connection c(ioc, options_for(server.url()));
    c.start();
    reply_log log;
    c.send({"PING"}, log.handler());
    EXPECT_EQ(log.size(), 0u); // never inside send()
    ASSERT_TRUE(run_until(
        ioc, [&] { return log.size() == 1; }, 1s));
    EXPECT_EQ(log.errors[0], errc::not_connected);
    EXPECT_EQ(c.pending(), 0u);
    // It keeps trying, and serves commands once Redis is there.
    ASSERT_TRUE(server.start());
    ASSERT_TRUE(run_until(ioc, [&] { return c.connected(); }));
    c.send({"PING"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 2; }));
    EXPECT_EQ(log.replies[1], value::simple("PONG"));
}

TEST_F(redis_connection, commands_in_flight_fail_when_redis_dies) {
    connection c(ioc, options_for(server.url()));
    std::vector<bool> states;
    c.on_state([&](bool up) { states.push_back(up); });
    c.start();
    ASSERT_TRUE(run_until(ioc, [&] { return c.connected(); }));
    reply_log log;
    c.send({"BLPOP", "never", "0"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return c.pending() == 1; }));
    server.kill();
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 1; }));
    EXPECT_EQ(log.errors[0], errc::connection_lost);
    EXPECT_EQ(c.pending(), 0u);
    EXPECT_EQ(states, (std::vector<bool>{true, false}));
}

TEST_F(redis_connection, refuses_commands_past_max_pending) {
    auto opts = options_for(server.url());
    opts.max_pending = 2;
    connection c(ioc, opts);
    c.start();
    ASSERT_TRUE(run_until(ioc, [&] { return c.connected(); }));
    reply_log log;
    c.send({"BLPOP", "never", "0"}, log.handler());
    c.send({"PING"}, log.handler());
    c.send({"PING"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 1; }));
    EXPECT_EQ(log.errors[0], errc::too_many_pending);
    EXPECT_EQ(c.pending(), 2u);
    c.close();
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 3; }));
    EXPECT_EQ(log.errors[1], errc::closed);
    EXPECT_EQ(log.errors[2], errc::closed);
}

TEST_F(redis_connection, refuses_commands_past_max_write_bytes) {
    auto opts = options_for(server.url());
    opts.max_write_bytes = 1024;
    connection c(ioc, opts);
    c.start();
    ASSERT_TRUE(run_until(ioc, [&] { return c.connected(); }));
    reply_log log;
    c.send({"SET", "big", std::string(2048, 'x')}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 1; }));
    EXPECT_EQ(log.errors[0], errc::write_buffer_full);
}

TEST_F(redis_connection, subscriber_gets_messages_and_resubscribes_after_a_restart) {
    connection pub(ioc, options_for(server.url()));
    connection sub(ioc, options_for(server.url(), connection_mode::subscriber));
    std::vector<push> pushes;
    sub.on_push([&](push const& p) { pushes.push_back(p); });
    sub.subscribe("socket.io-request#/#");
    sub.psubscribe("socket.io#/#*");
    pub.start();
    sub.start();
    auto const confirmed = [&](std::size_t n) {
        std::size_t seen = 0;
        for (auto const& p : pushes) {
            seen += p.kind == push_kind::subscribe || p.kind == push_kind::psubscribe;
        }
        return seen >= n;
    };
    ASSERT_TRUE(run_until(ioc, [&] { return pub.connected() && confirmed(2); }));
    reply_log log;
    pub.send({"PUBLISH", "socket.io#/#room1#", std::string("\x93\x00", 2)}, log.handler());
    pub.send({"PUBLISH", "socket.io-request#/#", "{}"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return pushes.size() == 4; }));
    EXPECT_EQ(pushes[2].kind, push_kind::pmessage);
    EXPECT_EQ(pushes[2].channel, "socket.io#/#room1#");
    EXPECT_EQ(pushes[2].payload, std::string("\x93\x00", 2));
    EXPECT_EQ(pushes[3].kind, push_kind::message);
    EXPECT_EQ(log.replies[0], value::number(1));

    // Redis dies and comes back empty: both reconnect, the subscriber resubscribes by itself.
    server.kill();
    ASSERT_TRUE(run_until(ioc, [&] { return !sub.connected() && !pub.connected(); }));
    ASSERT_TRUE(server.start());
    pushes.clear();
    ASSERT_TRUE(run_until(ioc, [&] { return pub.connected() && confirmed(2); }));
    EXPECT_EQ(sub.connects(), 2u);
    pub.send({"PUBLISH", "socket.io-request#/#", "again"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return pushes.size() == 3; }));
    EXPECT_EQ(pushes[2].payload, "again");
    reply_log numsub;
    pub.send({"PUBSUB", "NUMSUB", "socket.io-request#/#"}, numsub.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return numsub.size() == 1; }));
    EXPECT_EQ(numsub.replies[0].elements.at(1), value::number(1));
}

TEST_F(redis_connection, subscriber_unsubscribes_and_refuses_commands) {
    connection pub(ioc, options_for(server.url()));
    connection sub(ioc, options_for(server.url(), connection_mode::subscriber));
    std::vector<push> pushes;
    sub.on_push([&](push const& p) { pushes.push_back(p); });
    sub.ssubscribe("shard");
    pub.start();
    sub.start();
    ASSERT_TRUE(run_until(ioc, [&] { return pub.connected() && pushes.size() == 1; }));
    EXPECT_EQ(pushes[0].kind, push_kind::ssubscribe);
    reply_log log;
    pub.send({"SPUBLISH", "shard", "s1"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return pushes.size() == 2; }));
    EXPECT_EQ(pushes[1].kind, push_kind::smessage);
    sub.sunsubscribe("shard");
    ASSERT_TRUE(run_until(ioc, [&] { return pushes.size() == 3; }));
    EXPECT_EQ(pushes[2].kind, push_kind::sunsubscribe);
    sub.send({"GET", "x"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 2; }));
    EXPECT_EQ(log.errors[1], errc::subscriber_mode);
}

// Redis itself matches the escaped pattern of a namespace full of glob characters exactly.
TEST_F(redis_connection, an_escaped_namespace_pattern_matches_only_that_namespace) {
    connection pub(ioc, options_for(server.url()));
    connection sub(ioc, options_for(server.url(), connection_mode::subscriber));
    std::vector<push> pushes;
    sub.on_push([&](push const& p) { pushes.push_back(p); });
    sub.psubscribe(escape_glob("socket.io#/we?rd[ns]*\\#") + "*");
    pub.start();
    sub.start();
    ASSERT_TRUE(run_until(ioc, [&] { return pub.connected() && pushes.size() == 1; }));
    reply_log log;
    for (auto channel : {"socket.io#/weXrdn-\\#r#", "socket.io#/we?rd[ns]*\\#r#"}) {
        pub.send({"PUBLISH", channel, "x"}, log.handler());
    }
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 2; }));
    EXPECT_EQ(log.replies[0], value::number(0));
    EXPECT_EQ(log.replies[1], value::number(1));
    ASSERT_TRUE(run_until(ioc, [&] { return pushes.size() == 2; }));
    EXPECT_EQ(pushes[1].channel, "socket.io#/we?rd[ns]*\\#r#");
}

// A Redis that stops answering without closing (SIGSTOP): the health PING notices it.
TEST_F(redis_connection, drops_a_frozen_redis_after_two_unanswered_pings) {
    auto opts = options_for(server.url(), connection_mode::subscriber);
    opts.ping_interval = 100ms;
    connection sub(ioc, opts);
    opts.mode = connection_mode::command;
    connection cmd(ioc, opts);
    std::vector<bool> sub_states;
    std::vector<bool> cmd_states;
    sub.on_state([&](bool up) { sub_states.push_back(up); });
    cmd.on_state([&](bool up) { cmd_states.push_back(up); });
    sub.subscribe("c");
    sub.start();
    cmd.start();
    ASSERT_TRUE(run_until(ioc, [&] { return sub.connected() && cmd.connected(); }));
    // Answered PINGs keep both up (five intervals here).
    EXPECT_FALSE(run_until(
        ioc, [&] { return sub_states.size() > 1 || cmd_states.size() > 1; }, 500ms));
    server.stop_signal();
    auto const frozen = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_until(ioc, [&] { return sub_states.size() == 2 && cmd_states.size() == 2; }));
    EXPECT_LE(std::chrono::steady_clock::now() - frozen, 1s);
    // The PINGs the frozen Redis never answered are gone with the connection, and the new
    // connections the stopped Redis's kernel accepts do not count as connected.
    EXPECT_FALSE(run_until(
        ioc, [&] { return sub.connected() || cmd.connected() || cmd.pending() > 1; }, 300ms));
    server.cont_signal();
    ASSERT_TRUE(run_until(ioc, [&] { return sub_states.size() == 3 && cmd_states.size() == 3; }));
    EXPECT_EQ(sub_states, (std::vector<bool>{true, false, true}));
    EXPECT_EQ(cmd_states, (std::vector<bool>{true, false, true}));
}

TEST(redis_connection_auth, sends_the_password_of_the_url_first_in_both_modes) {
    test::redis_server server({"--requirepass", "s@cret"});
    ASSERT_TRUE(server.running());
    std::string const authed = "redis://:s%40cret@127.0.0.1:" + std::to_string(server.port());
    asio::io_context ioc;
    connection good(ioc, options_for(authed + "/2"));
    connection bad(ioc, options_for(server.url()));
    connection sub(ioc, options_for(authed, connection_mode::subscriber));
    std::vector<push> pushes;
    sub.on_push([&](push const& p) { pushes.push_back(p); });
    sub.subscribe("c");
    good.start();
    bad.start();
    sub.start();
    ASSERT_TRUE(
        run_until(ioc, [&] { return good.connected() && bad.connected() && pushes.size() == 1; }));
    reply_log good_log;
    reply_log bad_log;
    good.send({"PUBLISH", "c", "hi"}, good_log.handler());
    bad.send({"PING"}, bad_log.handler());
    ASSERT_TRUE(run_until(
        ioc, [&] { return good_log.size() == 1 && bad_log.size() == 1 && pushes.size() == 2; }));
    EXPECT_EQ(good_log.replies[0], value::number(1));
    ASSERT_TRUE(bad_log.replies[0].is_error());
    EXPECT_TRUE(bad_log.replies[0].text.starts_with("NOAUTH")) << bad_log.replies[0].text;
    EXPECT_EQ(pushes[1].payload, "hi");
}

TEST_F(redis_connection, close_fails_what_is_pending_and_stops_reconnecting) {
    connection c(ioc, options_for(server.url()));
    c.start();
    ASSERT_TRUE(run_until(ioc, [&] { return c.connected(); }));
    reply_log log;
    c.send({"BLPOP", "never", "0"}, log.handler());
    c.close();
    EXPECT_FALSE(c.connected());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 1; }));
    EXPECT_EQ(log.errors[0], errc::closed);
    c.send({"PING"}, log.handler());
    ASSERT_TRUE(run_until(ioc, [&] { return log.size() == 2; }));
    EXPECT_EQ(log.errors[1], errc::closed);
}

} // namespace
