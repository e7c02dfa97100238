#pragma once

#include <kibitz/store/database.hpp>
#include <kibitz/store/result.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace kibitz::store {

// Bounds of the worker's queue (submit() only; run() is for the app's own, already bounded work).
struct worker_limits {
    // Jobs queued (all lanes) and not yet started; past it, submit() answers queue_full. A chat
    // job holds at most one message (a few KB), so the queue stays within tens of MB.
    std::size_t max_queued = 8192;
    // Jobs of one lane in flight: queued, running, or with their `done` posted and not yet run;
    // past it, submit() answers lane_full for that lane. Round robin keeps a busy lane from
    // delaying others on the worker; this bound also keeps one client's results from piling up
    // in the app's loop ahead of everyone else's (a web client resending its outbox sends a few
    // dozen at once).
    std::size_t max_per_lane = 64;
};

// What submit() did with a job.
enum class submit_status {
    queued,
    lane_full,  // the lane has max_per_lane jobs in flight: try again once some are done
    queue_full, // max_queued jobs wait in all: the store is overloaded
    stopped,    // stop() began
};

// The asynchronous front of the store (docs/architecture.md rule 2): one background thread owns the
// database and runs jobs on it; each job's result goes back to the caller's thread through
// `post_back`, which the app binds to its io_context:
//
//     store::worker w(std::move(db), [&ioc](std::function<void()> f) {
//         asio::post(ioc, std::move(f));
//     });
//     w.run([draft](store::database& db) { return db.insert_message(draft); },
//           [](store::result<store::inserted_message> r) { ... on the io_context thread ... });
//
// Fairness: every job belongs to a lane (submit()'s `lane`, e.g. a connection id; run() uses
// the app's own lane ""). The thread takes one job from each lane with work in turn (round
// robin), so a lane with a thousand jobs delays another lane's job by at most one of its own.
// Jobs of one lane run in the order given. `done` callbacks are handed to post_back in the order
// the jobs ran, from the worker thread, so a result posted after another was also computed after
// it. run() and submit() may be called from any thread. stop() (and the destructor) refuses new
// jobs, runs every job already queued, hands their results to post_back, then joins the thread:
// post_back must stay callable until then (posting to an io_context that is no longer run is
// fine: the callbacks never run).
class worker {
public:
    using post_function = std::function<void(std::function<void()>)>;

    // Starts the thread. `post_back` must not be empty.
    worker(database db, post_function post_back, worker_limits limits = {});
    worker(worker const&) = delete;
    worker& operator=(worker const&) = delete;
    ~worker();

    // Queues `job` (R(database&)) in the app's lane and, once it has run on the worker thread,
    // posts `done(R)` (or `done()` when R is void). Not bounded by worker_limits (the app's
    // own work, bounded by the app). Returns false, dropping both, after stop() began. When the
    // job throws and R is constructible from a failure (a store::result), `done` receives
    // store_error::job_failed; otherwise the exception is logged and `done` is not called.
    // Job and Done must be copyable (they travel in std::function).
    template<class Job, class Done>
    bool run(Job job, Done done);

    // As run(), in `lane` and within worker_limits: anything but queued drops both job and done.
    // Use one lane per client (a connection id) so that no client holds the queue.
    template<class Job, class Done>
    submit_status submit(std::string const& lane, Job job, Done done);

    // Refuses new jobs, drains the queue, joins the thread. Idempotent. Must not be called from
    // a job (it would wait for itself).
    void stop();

    // Jobs queued and not yet started.
    std::size_t queued() const;
    // Jobs of `lane` in flight (see worker_limits::max_per_lane).
    std::size_t in_flight(std::string const& lane) const;
    worker_limits const& limits() const noexcept { return limits_; }

private:
    // A job with the lane it counts in; run() on the worker thread, it posts its `done`.
    using task = std::function<void(database&, std::string const& lane)>;
    struct lane_state {
        std::deque<task> tasks;
        std::size_t in_flight = 0;
    };
    // The queue, shared with the posted callbacks that give a lane's place back.
    struct queue_state {
        mutable std::mutex mutex;
        std::condition_variable wake;
        std::unordered_map<std::string, lane_state> lanes;
        std::deque<std::string> ready; // lanes with queued jobs, in turn order
        std::size_t queued = 0;
        bool stopping = false;
        // The lane's job is done and its callback ran (or will never run).
        void finished(std::string const& lane);
    };

    template<class R, class Job>
    static R invoke(Job& job, database& db);
    template<class Job, class Done>
    task make_task(Job job, Done done);

    submit_status enqueue(std::string const& lane, task t, bool bounded);
    // The next job, round robin over lanes; empty once stopping with nothing queued.
    std::optional<std::pair<std::string, task>> next();
    void loop();

    database db_;
    post_function post_back_;
    worker_limits limits_;
    std::shared_ptr<queue_state> queue_ = std::make_shared<queue_state>();
    std::mutex join_mutex_;
    std::thread thread_; // last: starts after every other member exists
};

template<class R, class Job>
R worker::invoke(Job& job, database& db) {
    if constexpr (std::is_constructible_v<R, failure>) {
        try {
            return job(db);
        } catch (std::exception const& e) {
            return R(failure{store_error::job_failed, e.what()});
        }
    } else {
        return job(db);
    }
}

template<class Job, class Done>
worker::task worker::make_task(Job job, Done done) {
    using R = std::invoke_result_t<Job&, database&>;
    return [this, job = std::move(job), done = std::move(done)](database& db,
                                                                std::string const& lane) mutable {
        // The lane's place comes back once `done` ran, or when the posted callback is dropped
        // unrun (an io_context that stopped): the guard's deleter gives it back.
        std::shared_ptr<void> place(nullptr, [q = queue_, lane](void*) { q->finished(lane); });
        if constexpr (std::is_void_v<R>) {
            job(db);
            post_back_([done = std::move(done), place = std::move(place)]() mutable {
                done();
                place.reset();
            });
        } else {
            // shared_ptr: the posted function must be copyable even when R is not.
            auto out = std::make_shared<R>(invoke<R>(job, db));
            post_back_([done = std::move(done), out, place = std::move(place)]() mutable {
                done(std::move(*out));
                place.reset();
            });
        }
    };
}

template<class Job, class Done>
bool worker::run(Job job, Done done) {
    return enqueue({}, make_task(std::move(job), std::move(done)), false) == submit_status::queued;
}

template<class Job, class Done>
submit_status worker::submit(std::string const& lane, Job job, Done done) {
    return enqueue(lane, make_task(std::move(job), std::move(done)), true);
}

} // namespace kibitz::store
