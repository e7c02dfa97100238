#include <kibitz/redis/command.hpp>
#include <kibitz/redis/parser.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace kibitz::redis;

TEST(command, is_an_array_of_bulk_strings) {
    EXPECT_EQ(command({"PING"}), "*1\r\n$4\r\nPING\r\n");
    static constexpr char publish[] =
        "*3\r\n$7\r\nPUBLISH\r\n$12\r\nsocket.io#/#\r\n$2\r\n\x93\x00\r\n";
    EXPECT_EQ(command({"PUBLISH", "socket.io#/#", std::string_view("\x93\x00", 2)}),
              std::string(publish, sizeof publish - 1));
    EXPECT_EQ(command({}), "*0\r\n");
}

TEST(command, appends_so_commands_can_be_pipelined) {
    std::string out;
    append_command(out, {"SUBSCRIBE", "a"});
    std::vector<std::string_view> const args{"PSUBSCRIBE", "b*"};
    append_command(out, args);
    EXPECT_EQ(out, "*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n*2\r\n$10\r\nPSUBSCRIBE\r\n$2\r\nb*\r\n");
}

TEST(command, parses_back_as_the_same_strings) {
    std::string const big(100'000, '\r');
    parser p;
    ASSERT_FALSE(p.feed(command({"SET", big, ""})));
    parse_result const r = p.next();
    ASSERT_TRUE(r.has_reply());
    EXPECT_EQ(r.reply, value::array({value::bulk("SET"), value::bulk(big), value::bulk("")}));
}

} // namespace
