#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace kibitz::admin {

// Checks passwords against one bcrypt hash (bcrypt_check) on a thread of its own, so the loop
// never spends a hash's work factor: each answer is handed to `post` (which runs it on the loop)
// in the order asked. At most `max_pending` checks wait; check() refuses one more at once, so a
// flood of logins costs a bounded queue and one core at most. The destructor stops the thread
// after the check in progress; answers not yet handed over are dropped.
class verifier {
public:
    using post_fn = std::function<void(std::function<void()>)>;

    verifier(std::string hash, post_fn post, std::size_t max_pending = 8);
    ~verifier();
    verifier(verifier const&) = delete;
    verifier& operator=(verifier const&) = delete;

    // Queues a check; `done(match)` runs later through `post`. False, and `done` never called,
    // when max_pending checks wait already.
    bool check(std::string password, std::function<void(bool match)> done);

private:
    struct job {
        std::string password;
        std::function<void(bool)> done;
    };
    void run();

    std::string const hash_;
    post_fn const post_;
    std::size_t const max_pending_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<job> jobs_;  // guarded by mutex_
    bool stopping_ = false; // guarded by mutex_
    std::thread thread_;    // last: starts once the rest exists
};

} // namespace kibitz::admin
