#include <kibitz/net/readiness.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace kibitz::net {

asio::execution_context::id readiness::id;

struct readiness::state {
    struct slot {
        std::shared_ptr<readable> target;
        std::uint32_t generation = 1;
    };
    explicit state(asio::any_io_executor ex) : executor(std::move(ex)) {}

    asio::any_io_executor executor;
    int epfd = -1;
    std::optional<asio::posix::stream_descriptor> set; // owns epfd once made
    std::vector<slot> slots;
    std::vector<std::uint32_t> free_slots;
    std::vector<std::shared_ptr<readable>> released; // unwatched: freed after the dispatch
    std::array<epoll_event, 256> events{};
    std::size_t watched = 0;
    std::uint64_t wakeups = 0;
    std::uint64_t edges = 0;
    bool waiting = false;
    bool dispatching = false;
    bool release_posted = false;
    bool stopped = false;

    void arm();
    void on_ready(error_code ec);
    void dispatch();
    void release_later();
};

void readiness::state::arm() {
    if (waiting || stopped || watched == 0) return;
    waiting = true;
    set->async_wait(asio::posix::stream_descriptor::wait_read,
                    [this](error_code ec) { on_ready(ec); });
}

void readiness::state::on_ready(error_code ec) {
    waiting = false;
    if (stopped) return;
    if (!ec) dispatch();
    arm(); // still readable (more than one batch ready): Asio reports it again at once
}

void readiness::state::dispatch() {
    int n = ::epoll_wait(epfd, events.data(), static_cast<int>(events.size()), 0);
    if (n <= 0) return;
    ++wakeups;
    edges += static_cast<std::uint64_t>(n);
    // Cleared however the loop ends: a target that throws leaves the set usable.
    struct guard {
        state& s;
        ~guard() {
            s.dispatching = false;
            s.released.clear();
        }
    } g{*this};
    dispatching = true;
    for (int i = 0; i < n; ++i) {
        auto data = events[static_cast<std::size_t>(i)].data.u64;
        auto index = static_cast<std::uint32_t>(data & 0xffffffffu);
        auto generation = static_cast<std::uint32_t>(data >> 32);
        // A descriptor unwatched earlier in this batch (its slot moved on) is skipped.
        if (index >= slots.size()) continue;
        auto& s = slots[index];
        if (s.generation != generation || !s.target) continue;
        s.target->on_readable();
    }
}

void readiness::state::release_later() {
    if (release_posted) return;
    release_posted = true;
    asio::post(executor, [this] {
        release_posted = false;
        if (!dispatching) released.clear();
    });
}

readiness::readiness(asio::execution_context& context)
    : asio::execution_context::service(context) {}

readiness::~readiness() = default;

readiness& readiness::of(asio::any_io_executor const& ex) {
    auto& r = asio::use_service<readiness>(asio::query(ex, asio::execution::context));
    if (!r.state_) r.state_ = std::make_unique<state>(ex);
    return r;
}

std::optional<readiness::token> readiness::watch(int fd, std::shared_ptr<readable> target,
                                                 error_code& ec) {
    auto& s = *state_;
    ec = {};
    if (s.stopped) {
        ec = asio::error::shut_down;
        return std::nullopt;
    }
    if (s.epfd < 0) {
        int epfd = ::epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0) {
            ec.assign(errno, boost::system::system_category());
            return std::nullopt;
        }
        s.set.emplace(s.executor, epfd);
        s.epfd = epfd;
    }
    std::uint32_t index = 0;
    if (!s.free_slots.empty()) {
        index = s.free_slots.back();
        s.free_slots.pop_back();
    } else {
        index = static_cast<std::uint32_t>(s.slots.size());
        s.slots.emplace_back();
    }
    auto& slot = s.slots[index];
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = (std::uint64_t{slot.generation} << 32) | index;
    if (::epoll_ctl(s.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ec.assign(errno, boost::system::system_category());
        s.free_slots.push_back(index);
        return std::nullopt;
    }
    slot.target = std::move(target);
    ++s.watched;
    s.arm();
    return token{index, slot.generation};
}

void readiness::unwatch(token t, int fd) {
    auto& s = *state_;
    if (t.index >= s.slots.size()) return;
    auto& slot = s.slots[t.index];
    if (slot.generation != t.generation || !slot.target) return;
    if (fd >= 0 && s.epfd >= 0) {
        epoll_event ev{};
        ::epoll_ctl(s.epfd, EPOLL_CTL_DEL, fd, &ev);
    }
    s.released.push_back(std::move(slot.target));
    slot.target.reset();
    ++slot.generation; // events still queued for the old registration are skipped
    s.free_slots.push_back(t.index);
    --s.watched;
    if (!s.dispatching) s.release_later();
    // Nothing left to watch: no wait keeps the io_context running.
    if (s.watched == 0 && s.waiting && s.set) s.set->cancel();
}

std::uint64_t readiness::wakeups() const {
    return state_ ? state_->wakeups : 0;
}

std::uint64_t readiness::edges() const {
    return state_ ? state_->edges : 0;
}

void readiness::shutdown() {
    if (!state_) return;
    state_->stopped = true;
    // The targets (connections) go before the loop's other services.
    state_->slots.clear();
    state_->released.clear();
    // Destroyed now, while the reactor's services (made after this one, so destroyed before
    // it) still exist.
    state_->set.reset();
    state_->epfd = -1;
}

} // namespace kibitz::net
