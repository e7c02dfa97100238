#include "metrics.hpp"

#include <kibitz/util/metrics.hpp>

#include <gtest/gtest.h>

using namespace kibitz;
using namespace kibitz::app;

namespace {
http::request from(std::string address, std::string authorization = {}) {
    http::request r;
    r.method = "GET";
    r.path = "/metrics";
    r.remote_address = std::move(address);
    if (!authorization.empty()) r.headers.emplace_back("Authorization", authorization);
    return r;
}
} // namespace

TEST(metrics_access, serves_loopback_peers_and_refuses_others_unless_public) {
    config cfg;
    EXPECT_FALSE(metrics_refusal(cfg, from("127.0.0.1")));
    EXPECT_FALSE(metrics_refusal(cfg, from("::1")));
    EXPECT_FALSE(metrics_refusal(cfg, from("::ffff:127.0.0.1")));
    auto refused = metrics_refusal(cfg, from("192.0.2.10"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
    cfg.metrics_public = true;
    EXPECT_FALSE(metrics_refusal(cfg, from("192.0.2.10")));
}

TEST(metrics_access, wants_the_bearer_token_when_one_is_set) {
    config cfg;
    cfg.metrics_token = "s3cret";
    auto none = metrics_refusal(cfg, from("127.0.0.1"));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    EXPECT_EQ(metrics_refusal(cfg, from("127.0.0.1", "Bearer wrong"))->status, 401);
    EXPECT_EQ(metrics_refusal(cfg, from("127.0.0.1", "Bearer s3cre"))->status, 401);
    EXPECT_EQ(metrics_refusal(cfg, from("127.0.0.1", "Basic s3cret"))->status, 401);
    EXPECT_FALSE(metrics_refusal(cfg, from("127.0.0.1", "Bearer s3cret")));
    // A token does not open the metrics to the world: --metrics-public still decides.
    EXPECT_EQ(metrics_refusal(cfg, from("192.0.2.10", "Bearer s3cret"))->status, 403);
}

TEST(metrics_render, types_counters_and_prints_integers_as_integers) {
    util::metrics m;
    m.counter("kibitz_x_total", [] { return 3.0; });
    m.gauge("kibitz_y", {{"a", "b"}}, [] { return 0.25; });
    m.gauge("kibitz_z", [] { return 12345678901.0; });
    EXPECT_EQ(m.render(), "# TYPE kibitz_x_total counter\nkibitz_x_total 3\n"
                          "# TYPE kibitz_y gauge\nkibitz_y{a=\"b\"} 0.25\n"
                          "# TYPE kibitz_z gauge\nkibitz_z 12345678901\n");
}
