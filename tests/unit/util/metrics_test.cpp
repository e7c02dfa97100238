#include <kibitz/util/metrics.hpp>

#include <gtest/gtest.h>

namespace kibitz::util {
namespace {

TEST(metrics, renders_nothing_when_nothing_is_registered) {
    metrics m;
    EXPECT_EQ(m.render(), "");
    EXPECT_EQ(m.size(), 0u);
}

TEST(metrics, groups_the_samples_of_one_name_under_one_type_line) {
    metrics m;
    std::int64_t sockets = 3;
    m.gauge("kibitz_uptime_seconds", [] { return 12; });
    m.gauge("kibitz_socketio_sockets", {{"namespace", "/"}}, [] { return 0; });
    m.gauge("kibitz_http_connections", [] { return 5; });
    // Registered later by a module, shown with its family.
    m.gauge("kibitz_socketio_sockets", {{"namespace", "/chat"}}, [&sockets] { return sockets; });
    EXPECT_EQ(m.size(), 4u);
    EXPECT_EQ(m.render(), "# TYPE kibitz_uptime_seconds gauge\n"
                          "kibitz_uptime_seconds 12\n"
                          "# TYPE kibitz_socketio_sockets gauge\n"
                          "kibitz_socketio_sockets{namespace=\"/\"} 0\n"
                          "kibitz_socketio_sockets{namespace=\"/chat\"} 3\n"
                          "# TYPE kibitz_http_connections gauge\n"
                          "kibitz_http_connections 5\n");
}

TEST(metrics, reads_each_gauge_when_rendering) {
    metrics m;
    std::int64_t n = 1;
    m.gauge("g", [&n] { return n; });
    EXPECT_EQ(m.render(), "# TYPE g gauge\ng 1\n");
    n = -7;
    EXPECT_EQ(m.render(), "# TYPE g gauge\ng -7\n");
}

TEST(metrics, escapes_label_values) {
    metrics m;
    m.gauge("g", {{"a", "x\"y\\z\nw"}, {"b", ""}}, [] { return 1; });
    EXPECT_EQ(m.render(), "# TYPE g gauge\ng{a=\"x\\\"y\\\\z\\nw\",b=\"\"} 1\n");
    EXPECT_EQ(escape_label_value("plain/text"), "plain/text");
}

} // namespace
} // namespace kibitz::util
