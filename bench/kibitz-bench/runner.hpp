#pragma once

#include "connection.hpp"
#include "options.hpp"

#include <kibitz/net/asio.hpp>
#include <kibitz/util/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kibitz::bench {

// One benchmark run: opens the connections, drives the scenario's load on one thread, and
// returns the figures as one JSON object. Phases: connect (at most `concurrency` at once), then
// warm-up, the measured window, and a drain while the last messages arrive (fanout, private),
// or a hold of the idle connections (connections).
class runner : public connection_events {
public:
    explicit runner(options opts);
    ~runner() override;
    nlohmann::ordered_json run();

    void on_ready(connection& c) override;
    void on_event(connection& c, std::string_view args, std::int64_t now_ns) override;
    void on_closed(connection& c, std::string_view why) override;

private:
    ssl_ctx_st* tls_ctx_ = nullptr; // --tls: the client context of every connection
    struct snapshot {
        std::int64_t at_ns = 0;
        double self_cpu = 0;
        double server_cpu = 0;
        double self_wait = 0;
        double server_wait = -1;
        double server_allocs = -1; // under bench/profile/count_malloc.so only
    };

    snapshot take_snapshot() const;
    void start_connections();
    void on_connect_settled();
    void begin_load();
    void begin_window();
    void end_window();
    void check_drained();
    void send_broadcast();
    void send_dm(connection& from);
    void schedule_open_loop();
    void after(double seconds, void (runner::*step)());
    nlohmann::ordered_json report();
    // connections: the heartbeats the held connections saw (pings on time, late ones).
    void heartbeats_json(nlohmann::ordered_json& j) const;

    options opts_;
    net::asio::io_context ioc_{1};
    net::asio::steady_timer timer_{ioc_};
    net::asio::steady_timer load_timer_{ioc_};
    std::vector<std::unique_ptr<connection>> conns_;
    std::size_t started_ = 0, ready_ = 0, failed_ = 0, closed_during_load_ = 0;
    std::string first_error_;
    bool connecting_ = true, sending_ = false, measuring_ = false, finished_ = false;
    std::uint64_t rng_;

    // Load and results.
    std::string packet_;
    std::uint64_t sent_ = 0, received_ = 0, window_received_ = 0, bad_payloads_ = 0;
    std::size_t in_flight_ = 0;
    std::vector<std::int32_t> remaining_; // fanout: deliveries still due, per broadcast
    std::vector<std::uint32_t> latencies_us_;
    std::int64_t load_start_ns_ = 0, drain_deadline_ns_ = 0;
    std::uint64_t open_loop_sent_ = 0;
    snapshot connect_start_, connect_end_, window_start_, window_end_;
    long rss_before_ = -1, rss_after_ = -1;
};

} // namespace kibitz::bench
