#include <kibitz/store/worker.hpp>
#include <kibitz/util/log.hpp>

#include <cassert>

namespace kibitz::store {

worker::worker(database db, post_function post_back)
    : db_(std::move(db)), post_back_(std::move(post_back)), thread_([this] { loop(); }) {
    assert(post_back_);
}

worker::~worker() {
    stop();
}

bool worker::enqueue(task t) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        tasks_.push_back(std::move(t));
    }
    wake_.notify_one();
    return true;
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
    return tasks_.size();
}

void worker::loop() {
    for (;;) {
        task t;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
            // Stopping drains: the loop ends only once the queue is empty.
            if (tasks_.empty()) return;
            t = std::move(tasks_.front());
            tasks_.pop_front();
        }
        // A job that throws must not take the thread (and every later job) with it.
        try {
            t(db_);
        } catch (std::exception const& e) {
            util::log(util::log_level::error, "store worker: job threw: ", e.what());
        } catch (...) {
            util::log(util::log_level::error, "store worker: job threw a non-exception");
        }
    }
}

} // namespace kibitz::store
