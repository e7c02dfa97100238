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
#include <thread>
#include <type_traits>
#include <utility>

namespace kibitz::store {

// The asynchronous front of the store (ARCHITECTURE.md rule 2): one background thread owns the
// database and runs jobs on it in the order they were given; each job's result goes back to the
// caller's thread through `post_back`, which the app binds to its io_context:
//
//     store::worker w(std::move(db), [&ioc](std::function<void()> f) {
//         asio::post(ioc, std::move(f));
//     });
//     w.run([draft](store::database& db) { return db.insert_message(draft); },
//           [](store::result<store::inserted_message> r) { ... on the io_context thread ... });
//
// `done` callbacks are handed to post_back in job order, from the worker thread. run() may be
// called from any thread. stop() (and the destructor) refuses new jobs, runs every job already
// queued, hands their results to post_back, then joins the thread: post_back must stay callable
// until then (posting to an io_context that is no longer run is fine: the callbacks never run).
class worker {
public:
    using post_function = std::function<void(std::function<void()>)>;

    // Starts the thread. `post_back` must not be empty.
    worker(database db, post_function post_back);
    worker(worker const&) = delete;
    worker& operator=(worker const&) = delete;
    ~worker();

    // Queues `job` (R(database&)) and, once it has run on the worker thread, posts `done(R)`
    // (or `done()` when R is void). Returns false, dropping both, after stop() began. When the
    // job throws and R is constructible from a failure (a store::result), `done` receives
    // store_error::job_failed; otherwise the exception is logged and `done` is not called.
    // Job and Done must be copyable (they travel in std::function).
    template<class Job, class Done>
    bool run(Job job, Done done);

    // Refuses new jobs, drains the queue, joins the thread. Idempotent. Must not be called from
    // a job (it would wait for itself).
    void stop();

    // Jobs queued and not yet started.
    std::size_t queued() const;

private:
    using task = std::function<void(database&)>;

    template<class R, class Job>
    static R invoke(Job& job, database& db);

    bool enqueue(task t);
    void loop();

    database db_;
    post_function post_back_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<task> tasks_;
    bool stopping_ = false;
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
bool worker::run(Job job, Done done) {
    using R = std::invoke_result_t<Job&, database&>;
    return enqueue([this, job = std::move(job), done = std::move(done)](database& db) mutable {
        if constexpr (std::is_void_v<R>) {
            job(db);
            post_back_([done = std::move(done)]() mutable { done(); });
        } else {
            // shared_ptr: the posted function must be copyable even when R is not.
            auto out = std::make_shared<R>(invoke<R>(job, db));
            post_back_([done = std::move(done), out]() mutable { done(std::move(*out)); });
        }
    });
}

} // namespace kibitz::store
