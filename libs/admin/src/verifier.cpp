#include <kibitz/admin/bcrypt.hpp>
#include <kibitz/admin/verifier.hpp>

#include <utility>

namespace kibitz::admin {

verifier::verifier(std::string hash, post_fn post, std::size_t max_pending)
    : hash_(std::move(hash)), post_(std::move(post)), max_pending_(max_pending),
      thread_([this] { run(); }) {}

verifier::~verifier() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

bool verifier::check(std::string password, std::function<void(bool match)> done) {
    {
        std::lock_guard lock(mutex_);
        if (jobs_.size() >= max_pending_) return false;
        jobs_.push_back({std::move(password), std::move(done)});
    }
    wake_.notify_one();
    return true;
}

void verifier::run() {
    for (;;) {
        job next;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            next = std::move(jobs_.front());
            jobs_.pop_front();
        }
        bool match = bcrypt_check(next.password, hash_);
        // The password leaves memory as soon as it is checked.
        next.password.assign(next.password.size(), '\0');
        post_([done = std::move(next.done), match] { done(match); });
    }
}

} // namespace kibitz::admin
