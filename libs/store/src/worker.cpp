#include <kibitz/store/worker.hpp>
#include <kibitz/util/log.hpp>

#include <cassert>

namespace kibitz::store {

worker::worker(database db, post_function post_back, worker_limits limits)
    : db_(std::move(db)), post_back_(std::move(post_back)), limits_(limits),
      thread_([this] { loop(); }) {
    assert(post_back_);
}

worker::~worker() {
    stop();
}

submit_status worker::enqueue(std::string const& name, task t, bool bounded) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return submit_status::stopped;
        if (bounded && queued_ >= limits_.max_queued) return submit_status::queue_full;
        auto& l = lanes_[name];
        if (bounded && l.in_flight >= limits_.max_per_lane) {
            if (l.in_flight == 0) lanes_.erase(name); // max_per_lane 0: nothing was there
            return submit_status::lane_full;
        }
        if (l.tasks.empty()) ready_.push_back(name);
        l.tasks.push_back(std::move(t));
        ++l.in_flight;
        ++queued_;
    }
    wake_.notify_one();
    return submit_status::queued;
}

void worker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    // Two threads may stop at once (the owner and a destructor): one joins, the other waits.
    std::lock_guard join_lock(join_mutex_);
    // From a job, join() would wait for the thread that is calling it.
    assert(std::this_thread::get_id() != thread_.get_id());
    if (thread_.joinable()) thread_.join();
}

std::size_t worker::queued() const {
    std::lock_guard lock(mutex_);
    return queued_;
}

std::size_t worker::in_flight(std::string const& name) const {
    std::lock_guard lock(mutex_);
    auto it = lanes_.find(name);
    return it == lanes_.end() ? 0 : it->second.in_flight;
}

std::optional<std::pair<std::string, worker::task>> worker::next() {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    // Stopping drains: the loop ends only once the queue is empty.
    if (ready_.empty()) return std::nullopt;
    std::string name = std::move(ready_.front());
    ready_.pop_front();
    auto& l = lanes_.at(name);
    task t = std::move(l.tasks.front());
    l.tasks.pop_front();
    --queued_;
    // A lane with more work waits for its next turn behind every other lane.
    if (!l.tasks.empty()) ready_.push_back(name);
    return std::make_pair(std::move(name), std::move(t));
}

void worker::finished(std::string const& name) {
    std::lock_guard lock(mutex_);
    auto it = lanes_.find(name);
    if (it == lanes_.end()) return;
    if (--it->second.in_flight == 0 && it->second.tasks.empty()) lanes_.erase(it);
}

void worker::loop() {
    while (auto job = next()) {
        // A job that throws must not take the thread (and every later job) with it.
        try {
            job->second(db_);
        } catch (std::exception const& e) {
            util::log(util::log_level::error, "store worker: job threw: ", e.what());
        } catch (...) {
            util::log(util::log_level::error, "store worker: job threw a non-exception");
        }
        finished(job->first);
    }
}

} // namespace kibitz::store
