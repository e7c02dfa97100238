#include "runner.hpp"
#include "measure.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iostream>

namespace kibitz::bench {

namespace {
std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The integer after `"key":` in a JSON object's text, or -1.
std::int64_t field(std::string_view text, std::string_view key) {
    auto at = text.find(key);
    if (at == std::string_view::npos) return -1;
    std::int64_t value = -1;
    auto start = text.data() + at + key.size();
    std::from_chars(start, text.data() + text.size(), value);
    return value;
}

double seconds_between(std::int64_t from_ns, std::int64_t to_ns) {
    return static_cast<double>(to_ns - from_ns) / 1e9;
}
} // namespace

runner::runner(options opts) : opts_(std::move(opts)), rng_(opts_.seed * 0x9E3779B97F4A7C15ull) {
    if (opts_.tls) {
        // A load tool: the server's certificate is not verified. Partial writes: a short
        // SSL_write returns what went, and the rest is retried from a buffer that may move.
        tls_ctx_ = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(tls_ctx_, SSL_VERIFY_NONE, nullptr);
        SSL_CTX_set_mode(tls_ctx_,
                         SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    conns_.reserve(opts_.clients);
    for (std::size_t i = 0; i < opts_.clients; ++i)
        conns_.push_back(std::make_unique<connection>(ioc_, *this, i));
    if (opts_.window == 0) {
        // Enough in flight to keep every queue busy without unbounded memory.
        opts_.window = opts_.scenario == "private"
                           ? opts_.clients
                           : std::max<std::size_t>(4, 20000 / opts_.clients);
    }
}

runner::~runner() {
    for (auto& c : conns_)
        c->close();
    // Each SSL holds a reference to the context: freeing it here is safe.
    if (tls_ctx_) SSL_CTX_free(tls_ctx_);
}

runner::snapshot runner::take_snapshot() const {
    snapshot s{now_ns(), self_cpu_seconds(), -1, runqueue_wait_seconds(0).value_or(0), -1};
    if (opts_.server_pid > 0) {
        s.server_cpu = process_cpu_seconds(opts_.server_pid).value_or(-1);
        s.server_wait = runqueue_wait_seconds(opts_.server_pid).value_or(-1);
        s.server_allocs = process_allocations(opts_.server_pid).value_or(-1);
    }
    return s;
}

void runner::after(double seconds, void (runner::*step)()) {
    timer_.expires_after(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
    timer_.async_wait([this, step](net::error_code ec) {
        if (!ec) (this->*step)();
    });
}

nlohmann::ordered_json runner::run() {
    if (opts_.server_pid > 0) rss_before_ = process_rss_kib(opts_.server_pid).value_or(-1);
    connect_start_ = take_snapshot();
    start_connections();
    // A run that cannot connect everyone in time goes on with those that did.
    after(opts_.connect_timeout, &runner::on_connect_settled);
    ioc_.run();
    return report();
}

void runner::start_connections() {
    auto server = net::tcp::endpoint(net::asio::ip::make_address(opts_.host), opts_.port);
    bool loopback = server.address().is_v4() && server.address().is_loopback();
    auto host = opts_.host + ":" + std::to_string(opts_.port);
    while (started_ < conns_.size() && started_ - ready_ - failed_ < opts_.concurrency) {
        auto i = started_++;
        net::asio::ip::address source;
        if (loopback && opts_.sources > 1)
            source =
                net::asio::ip::address_v4(0x7f000001u + static_cast<unsigned>(i % opts_.sources));
        conns_[i]->start(server, source, host, tls_ctx_);
    }
}

void runner::on_ready(connection&) {
    ++ready_;
    if (!connecting_) return;
    if (ready_ + failed_ == conns_.size()) return on_connect_settled();
    start_connections();
}

void runner::on_closed(connection&, std::string_view why) {
    if (first_error_.empty()) first_error_ = std::string(why);
    if (!connecting_) {
        ++closed_during_load_;
        return;
    }
    ++failed_;
    if (ready_ + failed_ == conns_.size()) return on_connect_settled();
    start_connections();
}

void runner::on_connect_settled() {
    if (!connecting_) return;
    connecting_ = false;
    connect_end_ = take_snapshot();
    timer_.cancel();
    if (ready_ < 2) {
        finished_ = true;
        return ioc_.stop();
    }
    if (opts_.scenario == "connections") return after(opts_.hold, &runner::end_window);
    begin_load();
}

void runner::begin_load() {
    load_start_ns_ = now_ns();
    sending_ = true;
    if (opts_.scenario == "fanout" && opts_.rate > 0) {
        schedule_open_loop();
    } else if (opts_.scenario == "fanout") {
        for (std::size_t i = 0; i < opts_.window; ++i)
            send_broadcast();
    } else {
        for (std::size_t i = 0; i < opts_.window; ++i)
            send_dm(*conns_[i % conns_.size()]);
    }
    after(opts_.warmup, &runner::begin_window);
}

void runner::begin_window() {
    window_start_ = take_snapshot();
    measuring_ = true;
    after(opts_.duration, &runner::end_window);
}

void runner::end_window() {
    window_end_ = take_snapshot();
    measuring_ = false;
    sending_ = false;
    load_timer_.cancel();
    if (opts_.scenario == "connections") {
        if (opts_.server_pid > 0) rss_after_ = process_rss_kib(opts_.server_pid).value_or(-1);
        finished_ = true;
        return ioc_.stop();
    }
    drain_deadline_ns_ = now_ns() + static_cast<std::int64_t>(opts_.drain * 1e9);
    check_drained();
}

void runner::heartbeats_json(nlohmann::ordered_json& j) const {
    // A ping is late when it came more than a second after pingInterval (from the open packet
    // or the ping before), or is that late now and has not come yet.
    std::int64_t interval_ms = 0, max_gap = 0;
    std::uint64_t pings = 0, late = 0;
    auto now = now_ns();
    for (auto const& c : conns_) {
        if (!c->ready()) continue;
        interval_ms = std::max(interval_ms, c->ping_interval_ms());
        auto allowed = (c->ping_interval_ms() + 1000) * 1'000'000;
        auto gap = std::max(c->max_ping_gap_ns(), now - c->last_ping_ns());
        max_gap = std::max(max_gap, c->max_ping_gap_ns());
        pings += c->pings();
        if (c->ping_interval_ms() > 0 && gap > allowed) ++late;
    }
    j["ping_interval_ms"] = interval_ms;
    j["pings"] = pings;
    j["ping_gap_max_ms"] = static_cast<double>(max_gap) / 1e6;
    j["late_pings"] = late;
}

void runner::check_drained() {
    std::uint64_t due = 0;
    if (opts_.scenario == "fanout") {
        for (auto r : remaining_)
            due += r > 0 ? static_cast<std::uint64_t>(r) : 0;
    } else {
        due = sent_ - received_;
    }
    if (due == 0 || now_ns() >= drain_deadline_ns_) {
        finished_ = true;
        return ioc_.stop();
    }
    after(0.02, &runner::check_drained);
}

void runner::send_broadcast() {
    // Client 0 sends; every connected client, itself included, should receive it.
    auto& sender = *conns_[0];
    if (!sender.ready()) return;
    auto seq = remaining_.size();
    remaining_.push_back(static_cast<std::int32_t>(ready_ - closed_during_load_));
    packet_ = "2[\"chat message\",{\"s\":" + std::to_string(seq) +
              ",\"t\":" + std::to_string(now_ns()) + ",\"m\":\"hello from kibitz-bench\"}]";
    ++sent_;
    ++in_flight_;
    sender.send_packet(packet_);
}

void runner::send_dm(connection& from) {
    if (!from.ready()) return;
    // A random other connected client (xorshift64).
    std::size_t to = from.index();
    for (int tries = 0; tries < 16 && (to == from.index() || !conns_[to]->ready()); ++tries) {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        to = static_cast<std::size_t>(rng_ % conns_.size());
    }
    if (to == from.index()) return;
    packet_ = "2[\"dm\",{\"to\":\"" + conns_[to]->sid() + "\",\"s\":" + std::to_string(sent_) +
              ",\"t\":" + std::to_string(now_ns()) + "}]";
    ++sent_;
    from.send_packet(packet_);
}

void runner::schedule_open_loop() {
    // Broadcast k is due at load start + k / rate; late ticks catch up.
    auto due_ns = load_start_ns_ + static_cast<std::int64_t>(static_cast<double>(open_loop_sent_) *
                                                             1e9 / opts_.rate);
    load_timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(due_ns)));
    load_timer_.async_wait([this](net::error_code ec) {
        if (ec || !sending_) return;
        auto now = now_ns();
        while (load_start_ns_ + static_cast<std::int64_t>(static_cast<double>(open_loop_sent_) *
                                                          1e9 / opts_.rate) <=
               now) {
            ++open_loop_sent_;
            send_broadcast();
        }
        schedule_open_loop();
    });
}

void runner::on_event(connection& c, std::string_view args, std::int64_t now) {
    auto seq = field(args, "\"s\":");
    auto sent_at = field(args, "\"t\":");
    if (seq < 0 || sent_at < 0) {
        ++bad_payloads_;
        return;
    }
    ++received_;
    if (measuring_) {
        ++window_received_;
        latencies_us_.push_back(
            static_cast<std::uint32_t>(std::max<std::int64_t>(0, now - sent_at) / 1000));
    }
    if (opts_.scenario == "private") {
        // Each dm in flight is a chain: whoever gets it sends the next.
        if (sending_) send_dm(c);
        return;
    }
    auto s = static_cast<std::size_t>(seq);
    if (s >= remaining_.size()) {
        ++bad_payloads_;
        return;
    }
    if (--remaining_[s] == 0) {
        --in_flight_;
        if (sending_ && opts_.rate <= 0) send_broadcast();
    }
}

nlohmann::ordered_json runner::report() {
    nlohmann::ordered_json j;
    j["tool"] = "kibitz-bench";
    if (!opts_.case_name.empty()) j["case"] = opts_.case_name;
    j["scenario"] = opts_.scenario;
    j["server"] = opts_.label;
    j["run"] = opts_.run;
    j["clients"] = opts_.clients;
    j["connected"] = ready_;
    j["connect_errors"] = failed_;
    if (!first_error_.empty()) j["first_error"] = first_error_;
    auto connect_s = seconds_between(connect_start_.at_ns, connect_end_.at_ns);
    j["connect_s"] = connect_s;
    j["connects_per_s"] = connect_s > 0 ? static_cast<double>(ready_) / connect_s : 0;
    // The load generator opens connections too: near 100 % here, it (not the server) set the rate.
    j["client_cpu_pct_connect"] =
        connect_s > 0 ? 100 * (connect_end_.self_cpu - connect_start_.self_cpu) / connect_s : 0;
    if (opts_.server_pid > 0 && connect_end_.server_cpu >= 0 && ready_ > 0)
        j["server_cpu_us_per_connect"] = (connect_end_.server_cpu - connect_start_.server_cpu) *
                                         1e6 / static_cast<double>(ready_);
    // Time each side waited for its core while runnable: other work on the machine.
    auto waits = [&](snapshot const& from, snapshot const& to, double seconds) {
        if (seconds <= 0) return;
        j["client_runq_wait_pct"] = 100 * (to.self_wait - from.self_wait) / seconds;
        if (from.server_wait >= 0 && to.server_wait >= 0)
            j["server_runq_wait_pct"] = 100 * (to.server_wait - from.server_wait) / seconds;
    };
    auto window = seconds_between(window_start_.at_ns, window_end_.at_ns);
    if (opts_.scenario == "connections") {
        waits(connect_start_, connect_end_, connect_s);
        window = seconds_between(connect_end_.at_ns, window_end_.at_ns);
        j["rss_before_kib"] = rss_before_;
        j["rss_after_kib"] = rss_after_;
        if (rss_before_ >= 0 && rss_after_ >= 0 && ready_ > 0)
            j["rss_per_conn_bytes"] =
                static_cast<double>(rss_after_ - rss_before_) * 1024 / static_cast<double>(ready_);
        j["closed_during_hold"] = closed_during_load_;
        heartbeats_json(j);
        j["client_cpu_s"] = self_cpu_seconds();
        return j;
    }
    j["mode"] = opts_.rate > 0 ? "open" : "closed";
    if (opts_.rate > 0)
        j["rate"] = opts_.rate;
    else
        j["window"] = opts_.window;
    j["duration_s"] = window;
    j["sent"] = sent_;
    j["received"] = received_;
    j["window_received"] = window_received_;
    j["per_s"] = window > 0 ? static_cast<double>(window_received_) / window : 0;
    std::uint64_t lost = 0;
    if (opts_.scenario == "fanout") {
        for (auto r : remaining_)
            lost += r > 0 ? static_cast<std::uint64_t>(r) : 0;
    } else {
        lost = sent_ - std::min(sent_, received_);
    }
    j["lost"] = lost;
    j["bad_payloads"] = bad_payloads_;
    j["closed_during_load"] = closed_during_load_;
    waits(window_start_, window_end_, window);
    auto lat = summarise(latencies_us_);
    j["latency_ms"] = {{"p50", lat.p50}, {"p90", lat.p90}, {"p99", lat.p99}, {"max", lat.max}};
    auto const n = static_cast<double>(std::max<std::uint64_t>(1, window_received_));
    auto client_cpu = window_end_.self_cpu - window_start_.self_cpu;
    j["client_cpu_pct"] = window > 0 ? 100 * client_cpu / window : 0;
    j["client_cpu_us_per_msg"] = client_cpu * 1e6 / n;
    if (opts_.server_pid > 0 && window_start_.server_cpu >= 0 && window_end_.server_cpu >= 0) {
        auto server_cpu = window_end_.server_cpu - window_start_.server_cpu;
        j["server_cpu_pct"] = window > 0 ? 100 * server_cpu / window : 0;
        j["server_cpu_us_per_msg"] = server_cpu * 1e6 / n;
    }
    if (window_start_.server_allocs >= 0 && window_end_.server_allocs >= 0)
        j["server_allocs_per_msg"] = (window_end_.server_allocs - window_start_.server_allocs) / n;
    return j;
}

} // namespace kibitz::bench
