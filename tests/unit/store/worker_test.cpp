#include "test_support.hpp"

#include <kibitz/store/worker.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace kibitz::store;
using namespace std::chrono_literals;
using kibitz::store::testing::open_or_throw;
using kibitz::store::testing::temp_dir;

namespace {

// The longest any test waits for the worker thread before it fails.
constexpr auto cap = 10s;

// Stands in for the app's io_context: post_back queues here, and the test runs the queued
// callbacks on its own thread.
class test_loop {
public:
    worker::post_function poster() {
        return [this](std::function<void()> f) {
            {
                std::lock_guard lock(mutex_);
                posted_.push_back(std::move(f));
            }
            changed_.notify_all();
        };
    }

    // Waits (up to `cap`) until `n` callbacks were posted in all.
    bool wait_for(std::size_t n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, cap, [&] { return posted_.size() >= n; });
    }

    std::size_t posted() {
        std::lock_guard lock(mutex_);
        return posted_.size();
    }

    // Runs the callbacks posted so far, in order, on the calling thread.
    void run_posted() {
        std::vector<std::function<void()>> batch;
        {
            std::lock_guard lock(mutex_);
            batch.swap(posted_);
        }
        for (auto& f : batch)
            f();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::function<void()>> posted_;
};

} // namespace

TEST(worker, delivers_results_in_job_order_on_the_posting_thread) {
    temp_dir tmp;
    test_loop loop;
    worker w(open_or_throw(tmp.path()), loop.poster());
    std::vector<int> seen;
    std::vector<std::thread::id> job_threads;
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(w.run(
            [i, &job_threads](database&) {
                job_threads.push_back(std::this_thread::get_id());
                return i;
            },
            [&seen](int r) { seen.push_back(r); }));
    }
    ASSERT_TRUE(loop.wait_for(20));
    EXPECT_TRUE(seen.empty()); // nothing runs until the owner runs its queue
    loop.run_posted();
    std::vector<int> expected(20);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(seen, expected);
    w.stop();
    ASSERT_EQ(job_threads.size(), 20U);
    EXPECT_NE(job_threads.front(), std::this_thread::get_id());
}

TEST(worker, runs_store_calls_and_hands_back_their_results) {
    temp_dir tmp;
    test_loop loop;
    worker w(open_or_throw(tmp.path()), loop.poster());
    message_draft d;
    d.room = "lobby";
    d.from_name = "Ann";
    d.from_key = "ann";
    d.text = "hello";
    d.client_id = "c1";
    std::vector<bool> duplicates;
    std::vector<std::string> history;
    for (int i = 0; i < 2; ++i) {
        w.run([d](database& db) { return db.insert_message(d); },
              [&](result<inserted_message> r) {
                  ASSERT_TRUE(r.ok()) << r.error().message;
                  duplicates.push_back(r->duplicate);
              });
    }
    w.run([](database& db) { return db.history("lobby", "ann", std::nullopt, 50); },
          [&](result<std::vector<message_record>> r) {
              ASSERT_TRUE(r.ok());
              for (auto const& m : r.value())
                  history.push_back(m.text);
          });
    ASSERT_TRUE(loop.wait_for(3));
    loop.run_posted();
    EXPECT_EQ(duplicates, (std::vector<bool>{false, true}));
    EXPECT_EQ(history, std::vector<std::string>{"hello"});
}

TEST(worker, stop_runs_every_queued_job_then_refuses_new_ones) {
    temp_dir tmp;
    test_loop loop;
    worker w(open_or_throw(tmp.path()), loop.poster());
    std::promise<void> gate;
    auto opened = gate.get_future().share();
    std::vector<int> seen;
    // The first job holds the thread until the gate opens, so the next ones stay queued.
    w.run([opened](database&) { return opened.wait_for(cap) == std::future_status::ready; },
          [](bool released) { EXPECT_TRUE(released); });
    for (int i = 0; i < 10; ++i) {
        w.run([i](database&) { return i; }, [&seen](int r) { seen.push_back(r); });
    }
    std::thread stopper([&w] { w.stop(); });
    // Once run() refuses, stop() has begun; every job accepted before that must still run.
    int accepted_late = 0;
    auto const deadline = std::chrono::steady_clock::now() + cap;
    while (w.run([](database&) { return 100; }, [&seen](int r) { seen.push_back(r); })) {
        ++accepted_late;
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "stop() never began";
            break;
        }
        std::this_thread::yield();
    }
    gate.set_value();
    stopper.join();
    EXPECT_EQ(w.queued(), 0U);
    EXPECT_EQ(loop.posted(), static_cast<std::size_t>(11 + accepted_late));
    loop.run_posted();
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(10 + accepted_late));
    for (std::size_t i = 0; i < 10; ++i)
        EXPECT_EQ(seen[i], static_cast<int>(i));
    EXPECT_FALSE(w.run([](database&) { return 1; }, [](int) { ADD_FAILURE(); }));
    w.stop();
}

TEST(worker, the_destructor_drains_the_queue) {
    temp_dir tmp;
    test_loop loop;
    {
        worker w(open_or_throw(tmp.path()), loop.poster());
        for (int i = 0; i < 5; ++i)
            w.run([](database&) {}, [] {});
    }
    EXPECT_EQ(loop.posted(), 5U);
}

TEST(worker, a_job_that_throws_gives_job_failed_and_the_next_jobs_still_run) {
    temp_dir tmp;
    test_loop loop;
    worker w(open_or_throw(tmp.path()), loop.poster());
    std::vector<std::string> seen;
    w.run([](database&) -> result<int> { throw std::runtime_error("boom"); },
          [&seen](result<int> r) {
              ASSERT_FALSE(r.ok());
              EXPECT_EQ(r.error().code, store_error::job_failed);
              seen.push_back(r.error().message);
          });
    // A job whose result cannot carry a failure: logged, no callback.
    w.run([](database&) -> int { throw std::runtime_error("lost"); },
          [&seen](int) { seen.push_back("unexpected"); });
    w.run([](database&) { return 2; }, [&seen](int r) { seen.push_back(std::to_string(r)); });
    ASSERT_TRUE(loop.wait_for(2));
    w.stop();
    loop.run_posted();
    EXPECT_EQ(seen, (std::vector<std::string>{"boom", "2"}));
}

namespace {

// Holds the worker thread in a job until open() is called, so that later jobs stay queued.
struct gate {
    std::promise<void> promise;
    std::shared_future<void> opened = promise.get_future().share();
    std::promise<void> started_promise;
    std::future<void> started = started_promise.get_future();
    auto job() {
        return [f = opened, s = &started_promise](database&) {
            s->set_value();
            return f.wait_for(cap) == std::future_status::ready;
        };
    }
    // Waits until the gate job holds the worker thread.
    bool holding() { return started.wait_for(cap) == std::future_status::ready; }
    void open() { promise.set_value(); }
};

} // namespace

TEST(worker, takes_lanes_in_turn_so_a_flood_delays_another_lane_by_one_job) {
    temp_dir tmp;
    test_loop loop;
    worker w(open_or_throw(tmp.path()), loop.poster(), worker_limits{1000, 100});
    gate g;
    ASSERT_EQ(w.submit("gate", g.job(), [](bool) {}), submit_status::queued);
    std::vector<std::string> order;
    for (int i = 0; i < 50; ++i)
        ASSERT_EQ(w.submit(
                      "flood", [](database&) { return std::string("flood"); },
                      [&order](std::string s) { order.push_back(s); }),
                  submit_status::queued);
    ASSERT_EQ(w.submit(
                  "bystander", [](database&) { return std::string("bystander"); },
                  [&order](std::string s) { order.push_back(s); }),
              submit_status::queued);
    g.open();
    ASSERT_TRUE(loop.wait_for(52));
    loop.run_posted();
    ASSERT_EQ(order.size(), 51U);
    // Round robin: one flood job, then the bystander's, although it came 50 jobs later.
    EXPECT_EQ(order[0], "flood");
    EXPECT_EQ(order[1], "bystander");
    w.stop();
}

TEST(worker, keeps_the_order_of_one_lane) {
    temp_dir tmp;
    test_loop loop;
    worker w(open_or_throw(tmp.path()), loop.poster(), worker_limits{1000, 100});
    gate g;
    w.submit("gate", g.job(), [](bool) {});
    std::vector<std::string> order;
    for (int i = 0; i < 5; ++i) {
        for (std::string lane : {"a", "b"})
            w.submit(
                lane, [lane, i](database&) { return lane + std::to_string(i); },
                [&order](std::string s) { order.push_back(s); });
    }
    g.open();
    ASSERT_TRUE(loop.wait_for(11));
    loop.run_posted();
    EXPECT_EQ(order, (std::vector<std::string>{"a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4",
                                               "b4"}));
}

TEST(worker, refuses_a_lane_past_its_jobs_in_flight_and_the_queue_past_its_bound) {
    temp_dir tmp;
    test_loop loop;
    worker w(open_or_throw(tmp.path()), loop.poster(), worker_limits{6, 3});
    gate g;
    ASSERT_EQ(w.submit("gate", g.job(), [](bool) {}), submit_status::queued);
    ASSERT_TRUE(g.holding());
    int done = 0;
    auto count = [&done](int) { ++done; };
    auto job = [](database&) { return 1; };
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(w.submit("a", job, count), submit_status::queued);
    EXPECT_EQ(w.submit("a", job, count), submit_status::lane_full);
    EXPECT_EQ(w.in_flight("a"), 3U);
    // Other lanes still get in, up to the queue's bound (the gate job runs, so 5 wait).
    EXPECT_EQ(w.submit("b", job, count), submit_status::queued);
    EXPECT_EQ(w.submit("c", job, count), submit_status::queued);
    EXPECT_EQ(w.queued(), 5U);
    EXPECT_EQ(w.submit("d", job, count), submit_status::queued);
    EXPECT_EQ(w.submit("e", job, count), submit_status::queue_full);
    // The app's own lane is not bounded.
    EXPECT_TRUE(w.run(job, count));
    g.open();
    ASSERT_TRUE(loop.wait_for(8));
    loop.run_posted();
    EXPECT_EQ(done, 7);
    // Done jobs give their places back.
    EXPECT_EQ(w.in_flight("a"), 0U);
    EXPECT_EQ(w.submit("a", job, count), submit_status::queued);
    w.stop();
    EXPECT_EQ(w.submit("a", job, count), submit_status::stopped);
}
