#include <kibitz/util/metrics.hpp>

#include <array>
#include <cstdint>

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

TEST(metrics, renders_a_histogram_cumulative_with_its_sum_and_count) {
    static constexpr std::array<std::uint64_t, 2> bounds = {10, 1000};
    histogram_counts h(bounds);
    for (std::uint64_t v : {1, 10, 11, 5000})
        h.observe(v);
    metrics m;
    m.histogram("t_seconds", {{"op", "x"}}, h, 1e3);
    m.histogram("n", {}, h);
    EXPECT_EQ(m.render(), "# TYPE t_seconds histogram\n"
                          "t_seconds_bucket{op=\"x\",le=\"0.01\"} 2\n"
                          "t_seconds_bucket{op=\"x\",le=\"1\"} 3\n"
                          "t_seconds_bucket{op=\"x\",le=\"+Inf\"} 4\n"
                          "t_seconds_sum{op=\"x\"} 5.0220000000000002\n"
                          "t_seconds_count{op=\"x\"} 4\n"
                          "# TYPE n histogram\n"
                          "n_bucket{le=\"10\"} 2\n"
                          "n_bucket{le=\"1000\"} 3\n"
                          "n_bucket{le=\"+Inf\"} 4\n"
                          "n_sum 5022\n"
                          "n_count 4\n");
}

} // namespace
} // namespace kibitz::util
