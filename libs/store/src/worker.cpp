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
    auto& q = *queue_;
    {
        std::lock_guard lock(q.mutex);
        if (q.stopping) return submit_status::stopped;
        if (bounded && q.queued >= limits_.max_queued) return submit_status::queue_full;
        auto& l = q.lanes[name];
        if (bounded && l.in_flight >= limits_.max_per_lane) {
            if (l.in_flight == 0) q.lanes.erase(name); // max_per_lane 0: nothing was there
            return submit_status::lane_full;
        }
        if (l.tasks.empty()) q.ready.push_back(name);
        l.tasks.push_back(std::move(t));
        ++l.in_flight;
        ++q.queued;
    }
    q.wake.notify_one();
    return submit_status::queued;
}

void worker::stop() {
    {
        std::lock_guard lock(queue_->mutex);
        queue_->stopping = true;
    }
    queue_->wake.notify_one();
    // Two threads may stop at once (the owner and a destructor): one joins, the other waits.
    std::lock_guard join_lock(join_mutex_);
    // From a job, join() would wait for the thread that is calling it.
    assert(std::this_thread::get_id() != thread_.get_id());
    if (thread_.joinable()) thread_.join();
}

std::size_t worker::queued() const {
    std::lock_guard lock(queue_->mutex);
    return queue_->queued;
}

std::size_t worker::in_flight(std::string const& name) const {
    std::lock_guard lock(queue_->mutex);
    auto it = queue_->lanes.find(name);
    return it == queue_->lanes.end() ? 0 : it->second.in_flight;
}

std::optional<std::pair<std::string, worker::task>> worker::next() {
    auto& q = *queue_;
    std::unique_lock lock(q.mutex);
    q.wake.wait(lock, [&q] { return q.stopping || !q.ready.empty(); });
    // Stopping drains: the loop ends only once the queue is empty.
    if (q.ready.empty()) return std::nullopt;
    std::string name = std::move(q.ready.front());
    q.ready.pop_front();
    auto& l = q.lanes.at(name);
    task t = std::move(l.tasks.front());
    l.tasks.pop_front();
    --q.queued;
    // A lane with more work waits for its next turn behind every other lane.
    if (!l.tasks.empty()) q.ready.push_back(name);
    return std::make_pair(std::move(name), std::move(t));
}

void worker::queue_state::finished(std::string const& name) {
    std::lock_guard lock(mutex);
    auto it = lanes.find(name);
    if (it == lanes.end()) return;
    if (--it->second.in_flight == 0 && it->second.tasks.empty()) lanes.erase(it);
}

void worker::loop() {
    while (auto job = next()) {
        // A job that throws must not take the thread (and every later job) with it; its place
        // in the lane comes back with the task's guard.
        try {
            job->second(db_, job->first);
        } catch (std::exception const& e) {
            util::log(util::log_level::error, "store worker: job threw: ", e.what());
        } catch (...) {
            util::log(util::log_level::error, "store worker: job threw a non-exception");
        }
    }
}

} // namespace kibitz::store
