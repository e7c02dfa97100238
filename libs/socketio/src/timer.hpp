#pragma once

#include "guard.hpp"

#include <kibitz/net/asio.hpp>
#include <kibitz/util/clock.hpp>

#include <functional>
#include <memory>

namespace kibitz::socketio::detail {

// A one-shot timer: runs `fn` on the io_context after `after`, unless cancelled first.
// Dropping the last shared_ptr cancels it too. An exception `fn` throws is logged, never
// reaches the loop.
class timer : public std::enable_shared_from_this<timer> {
public:
    explicit timer(net::asio::io_context& ioc) : timer_(ioc) {}
    ~timer() { cancel(); }

    static std::shared_ptr<timer> start(net::asio::io_context& ioc, util::duration after,
                                        std::function<void()> fn) {
        auto t = std::make_shared<timer>(ioc);
        t->fn_ = std::move(fn);
        t->timer_.expires_after(after);
        std::weak_ptr<timer> weak = t;
        t->timer_.async_wait([weak](net::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || !self->fn_) return;
            auto run = std::move(self->fn_);
            self->fn_ = nullptr;
            run_guarded("timer", "socket.io", run);
        });
        return t;
    }

    // Like start(), but the loop owns the timer until it fires: dropping the returned handle
    // does not cancel it. For timeouts that must fire even when their requester is gone.
    static std::weak_ptr<timer> start_detached(net::asio::io_context& ioc, util::duration after,
                                               std::function<void()> fn) {
        auto t = std::make_shared<timer>(ioc);
        t->fn_ = std::move(fn);
        t->timer_.expires_after(after);
        t->timer_.async_wait([t](net::error_code ec) {
            if (ec || !t->fn_) return;
            auto run = std::move(t->fn_);
            t->fn_ = nullptr;
            run_guarded("timer", "socket.io", run);
        });
        return t;
    }

    void cancel() {
        fn_ = nullptr;
        timer_.cancel();
    }

private:
    net::asio::steady_timer timer_;
    std::function<void()> fn_;
};

} // namespace kibitz::socketio::detail
