#include <kibitz/redis/value.hpp>

#include <gtest/gtest.h>

namespace {

using namespace kibitz::redis;

value strings(std::initializer_list<char const*> items) {
    std::vector<value> e;
    for (auto const* s : items)
        e.push_back(value::bulk(s));
    return value::array(std::move(e));
}

TEST(encode, writes_every_type_as_redis_does) {
    EXPECT_EQ(encode(value::simple("OK")), "+OK\r\n");
    EXPECT_EQ(encode(value::err("ERR x")), "-ERR x\r\n");
    EXPECT_EQ(encode(value::number(-3)), ":-3\r\n");
    EXPECT_EQ(encode(value::bulk("ab")), "$2\r\nab\r\n");
    EXPECT_EQ(encode(value{}), "$-1\r\n");
    EXPECT_EQ(encode(value{type::null_array, {}, 0, {}}), "*-1\r\n");
    EXPECT_EQ(encode(value::array({value::number(1), value::array({})})), "*2\r\n:1\r\n*0\r\n");
}

TEST(as_push, reads_messages_of_the_three_kinds) {
    auto const m = as_push(strings({"message", "ch", "data"}));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, push_kind::message);
    EXPECT_EQ(m->channel, "ch");
    EXPECT_EQ(m->payload, "data");
    auto const p = as_push(strings({"pmessage", "socket.io#/#*", "socket.io#/#r#", "x"}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->kind, push_kind::pmessage);
    EXPECT_EQ(p->pattern, "socket.io#/#*");
    EXPECT_EQ(p->channel, "socket.io#/#r#");
    auto const s = as_push(strings({"smessage", "socket.io#/#", "y"}));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->kind, push_kind::smessage);
}

TEST(as_push, reads_confirmations_and_the_subscribed_pong) {
    auto const c =
        as_push(value::array({value::bulk("ssubscribe"), value::bulk("c"), value::number(2)}));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->kind, push_kind::ssubscribe);
    EXPECT_EQ(c->count, 2);
    auto const none =
        as_push(value::array({value::bulk("unsubscribe"), value{}, value::number(0)}));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->channel, "");
    auto const pong = as_push(strings({"pong", ""}));
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->kind, push_kind::pong);
}

TEST(as_push, refuses_other_shapes) {
    EXPECT_FALSE(as_push(value::simple("PONG")));
    EXPECT_FALSE(as_push(strings({"message", "ch"})));
    EXPECT_FALSE(as_push(strings({"MESSAGE", "ch", "x"})));
    EXPECT_FALSE(
        as_push(value::array({value::bulk("message"), value::number(1), value::bulk("x")})));
    EXPECT_FALSE(as_push(strings({"subscribe", "c", "1"})));
    EXPECT_FALSE(as_push(value::array({})));
    EXPECT_FALSE(as_push(value::array({value::number(1)})));
}

} // namespace
