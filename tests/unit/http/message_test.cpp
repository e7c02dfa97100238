#include <kibitz/http/host.hpp>
#include <kibitz/http/message.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace kibitz::http;

namespace {

request with_query(std::string query) {
    request r;
    r.query = std::move(query);
    return r;
}

} // namespace

TEST(percent_decode, leaves_plain_text_alone) {
    EXPECT_EQ(percent_decode("hello/world.html"), "hello/world.html");
    EXPECT_EQ(percent_decode(""), "");
}

TEST(percent_decode, decodes_escapes_in_either_case) {
    EXPECT_EQ(percent_decode("a%20b"), "a b");
    EXPECT_EQ(percent_decode("%2F%2f"), "//");
    EXPECT_EQ(percent_decode("%C3%A9"), "\xc3\xa9");
    EXPECT_EQ(percent_decode("%25"), "%");
    EXPECT_EQ(percent_decode("%2541"), "%41");
    EXPECT_EQ(percent_decode("%41%42%43"), "ABC");
}

TEST(percent_decode, decodes_nul_and_high_bytes) {
    EXPECT_EQ(percent_decode("a%00b"), std::string("a\0b", 3));
    EXPECT_EQ(percent_decode("%ff%FF"), "\xff\xff");
}

TEST(percent_decode, keeps_plus_as_plus) {
    EXPECT_EQ(percent_decode("a+b"), "a+b");
}

TEST(percent_decode, rejects_bad_escapes) {
    EXPECT_FALSE(percent_decode("%zz"));
    EXPECT_FALSE(percent_decode("%g0"));
    EXPECT_FALSE(percent_decode("%0g"));
    EXPECT_FALSE(percent_decode("a%-1"));
    EXPECT_FALSE(percent_decode("% 20"));
}

TEST(percent_decode, rejects_a_truncated_escape_at_the_end) {
    EXPECT_FALSE(percent_decode("%"));
    EXPECT_FALSE(percent_decode("abc%"));
    EXPECT_FALSE(percent_decode("abc%4"));
    EXPECT_FALSE(percent_decode("%%"));
}

TEST(query_param, finds_a_parameter_anywhere_in_the_query) {
    auto r = with_query("EIO=4&transport=polling&sid=abc123");
    EXPECT_EQ(r.query_param("EIO"), "4");
    EXPECT_EQ(r.query_param("transport"), "polling");
    EXPECT_EQ(r.query_param("sid"), "abc123");
}

TEST(query_param, returns_nullopt_for_a_missing_parameter) {
    EXPECT_FALSE(with_query("EIO=4").query_param("sid"));
    EXPECT_FALSE(with_query("").query_param("sid"));
    EXPECT_FALSE(with_query("sidx=1&xsid=2").query_param("sid"));
}

TEST(query_param, percent_decodes_the_value) {
    EXPECT_EQ(with_query("name=J%C3%BCrgen%20M").query_param("name"), "J\xc3\xbcrgen M");
    EXPECT_EQ(with_query("a=1%3D2%261").query_param("a"), "1=2&1");
}

TEST(query_param, returns_nullopt_for_a_value_with_a_bad_escape) {
    EXPECT_FALSE(with_query("a=%zz").query_param("a"));
    EXPECT_FALSE(with_query("a=50%").query_param("a"));
}

TEST(query_param, gives_an_empty_value_for_a_bare_name_or_empty_value) {
    EXPECT_EQ(with_query("b64").query_param("b64"), "");
    EXPECT_EQ(with_query("x=1&b64=&y=2").query_param("b64"), "");
}

TEST(query_param, returns_the_first_of_repeated_parameters) {
    EXPECT_EQ(with_query("t=1&t=2").query_param("t"), "1");
}

TEST(query_param, skips_empty_pairs) {
    EXPECT_EQ(with_query("&&a=1&").query_param("a"), "1");
}

TEST(query_param, matches_names_exactly) {
    EXPECT_FALSE(with_query("SID=1").query_param("sid"));
}

TEST(request, finds_headers_ignoring_case) {
    request r;
    r.headers = {
        {"Host", "example.com"}, {"content-type", "text/plain"}, {"X-Two", "1"}, {"x-two", "2"}};
    EXPECT_EQ(r.header("host"), "example.com");
    EXPECT_EQ(r.header("HOST"), "example.com");
    EXPECT_EQ(r.header("Content-Type"), "text/plain");
    EXPECT_EQ(r.header("X-TWO"), "1");
    EXPECT_FALSE(r.header("Origin"));
    EXPECT_FALSE(r.header("Hos"));
}

TEST(header_name_equals, compares_ascii_case_insensitively) {
    EXPECT_TRUE(header_name_equals("Sec-WebSocket-Key", "sec-websocket-key"));
    EXPECT_TRUE(header_name_equals("", ""));
    EXPECT_FALSE(header_name_equals("Upgrade", "Upgrades"));
    EXPECT_FALSE(header_name_equals("a-b", "a_b"));
    EXPECT_FALSE(header_name_equals("\xc3\x89", "\xc3\xa9"));
}

TEST(response, set_adds_a_new_header) {
    response r;
    r.set("Content-Type", "text/plain");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "Content-Type");
    EXPECT_EQ(r.headers[0].second, "text/plain");
}

TEST(response, set_replaces_an_existing_header_of_any_case) {
    response r;
    r.set("Content-Type", "text/plain");
    r.set("X-Other", "1");
    r.set("content-type", "text/html");
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[0].second, "text/html");
    EXPECT_EQ(r.headers[1].first, "X-Other");
}

TEST(is_loopback_host, knows_the_names_and_addresses_of_loopback_with_any_port) {
    for (auto const* host :
         {"localhost", "LOCALHOST:3000", "localhost.", "app.localhost:80", "127.0.0.1",
          "127.0.0.1:8080", "127.255.1.2", "[::1]", "[::1]:3000", "[0:0:0:0:0:0:0:1]:1"})
        EXPECT_TRUE(is_loopback_host(host)) << host;
    for (auto const* host : {"", "example.com", "localhost.example.com", "127.0.0.1.nip.io",
                             "128.0.0.1", "127.0.0", "127.0.0.1.5", "127.0.0.256", "[::2]",
                             "0.0.0.0", "10.0.0.1:80", "1270.0.0.1", "127..0.1"})
        EXPECT_FALSE(is_loopback_host(host)) << host;
}

TEST(host_allowed, admits_loopback_and_listed_names_ignoring_port_and_case) {
    std::vector<std::string> const listed{"chat.example", "Other.Example:443"};
    EXPECT_TRUE(host_allowed("localhost:1", listed));
    EXPECT_TRUE(host_allowed("chat.example", listed));
    EXPECT_TRUE(host_allowed("CHAT.example:8080", listed));
    EXPECT_TRUE(host_allowed("other.example", listed));
    EXPECT_FALSE(host_allowed("evil.example", listed));
    EXPECT_FALSE(host_allowed("chat.example.evil", listed));
    EXPECT_FALSE(host_allowed("evil.example", {}));
    EXPECT_TRUE(host_allowed("anything.example", {"*"}));
}
