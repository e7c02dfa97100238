#include <kibitz/util/json.hpp>
#include <kibitz/util/log.hpp>

#include <gtest/gtest.h>

#include <vector>

using namespace kibitz::util;

namespace {
constexpr std::int64_t t0 = 1767323045678; // 2026-01-02T03:04:05.678Z

std::string line(log_format f, std::string_view module, std::string_view msg,
                 std::vector<log_field> fields = {}) {
    return format_log_line(f, t0, log_level::info, module, msg, fields);
}
} // namespace

TEST(log, text_line_is_time_level_text) {
    EXPECT_EQ(line(log_format::text, {}, "kibitz: up"),
              "2026-01-02T03:04:05.678Z info kibitz: up\n");
    EXPECT_EQ(line(log_format::text, "http", "request", {{"method", "GET"}, {"status", "200"}}),
              "2026-01-02T03:04:05.678Z info http: request method=GET status=200\n");
}

TEST(log, json_line_has_time_level_module_msg_and_fields) {
    auto text = line(log_format::json, "http", "request", {{"conn", "7"}, {"status", "404"}});
    ASSERT_EQ(text.back(), '\n');
    auto o = kibitz::json::parse(text);
    EXPECT_EQ(o["time"], "2026-01-02T03:04:05.678Z");
    EXPECT_EQ(o["level"], "info");
    EXPECT_EQ(o["module"], "http");
    EXPECT_EQ(o["msg"], "request");
    EXPECT_EQ(o["conn"], "7");
    EXPECT_EQ(o["status"], "404");
    // One object per line: no newline inside.
    EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(log, json_takes_the_module_from_a_free_text_prefix) {
    auto o = kibitz::json::parse(line(log_format::json, {}, "chat: store failed: disk full"));
    EXPECT_EQ(o["module"], "chat");
    EXPECT_EQ(o["msg"], "store failed: disk full");
    // A prefix with a space or a long one is no module.
    auto p = kibitz::json::parse(line(log_format::json, {}, "store worker: job threw"));
    EXPECT_FALSE(p.contains("module"));
    EXPECT_EQ(p["msg"], "store worker: job threw");
}

TEST(log, secret_fields_are_never_written) {
    std::vector<log_field> fields = {
        {"sid", "S3CRET-SID"},       {"token", "T0KEN"}, {"path", "/x"},
        {"password", "pw"},          {"auth", "a"},      {"cookie", "c"},
        {"authorization", "Basic x"}};
    for (auto f : {log_format::text, log_format::json}) {
        auto text = line(f, "http", "request", fields);
        EXPECT_EQ(text.find("S3CRET"), std::string::npos) << text;
        EXPECT_EQ(text.find("T0KEN"), std::string::npos) << text;
        EXPECT_EQ(text.find("Basic"), std::string::npos) << text;
        EXPECT_NE(text.find("/x"), std::string::npos) << text;
    }
}

TEST(log, json_escapes_and_survives_bad_utf8) {
    auto text = line(log_format::json, "http", "quote \" newline \n bad \xff end");
    auto o = kibitz::json::parse(text);
    EXPECT_EQ(o["msg"], "quote \" newline \n bad \xEF\xBF\xBD end");
    EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(log, a_field_cannot_overwrite_the_fixed_keys) {
    auto o = kibitz::json::parse(
        line(log_format::json, "m", "real", {{"msg", "fake"}, {"level", "error"}}));
    EXPECT_EQ(o["msg"], "real");
    EXPECT_EQ(o["level"], "info");
}

TEST(log, levels_parse_and_name) {
    log_level l{};
    EXPECT_TRUE(parse_log_level("debug", l));
    EXPECT_EQ(l, log_level::debug);
    EXPECT_FALSE(parse_log_level("verbose", l));
    EXPECT_EQ(l, log_level::debug);
    EXPECT_EQ(log_level_name(log_level::warn), "warn");
}
