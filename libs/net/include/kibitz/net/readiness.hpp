#pragma once

// Edge-triggered read readiness for the descriptors of one io_context, with no system call per
// read (docs/architecture.md, "Reads without a system call to re-arm").
//
// Asio 1.74 re-arms a descriptor with epoll_ctl(EPOLL_CTL_MOD) each time an async_wait starts,
// and an async_read_some first tries a read that returns EAGAIN when the data has just been
// read: either way one extra system call per read. Here every watched descriptor is added once,
// edge-triggered, to an epoll set of our own; that set is one descriptor of Asio's loop. When it
// is readable, one epoll_wait collects every ready descriptor and each target is called in turn:
// one wake-up of Asio per loop turn for all the connections that have bytes.

#include <kibitz/net/asio.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace kibitz::net {

// What is told that its descriptor has new bytes (or was closed by the peer, or failed).
// Contract: the edge is reported once; the target reads until a read returns fewer bytes than
// asked (the kernel had no more), or would block, or else asks to be called again
// (a post) to read the rest later.
class readable {
public:
    virtual ~readable() = default;
    virtual void on_readable() = 0;
};

class readiness final : public asio::execution_context::service {
public:
    static asio::execution_context::id id;
    explicit readiness(asio::execution_context& context);
    ~readiness() override;
    readiness(readiness const&) = delete;
    readiness& operator=(readiness const&) = delete;

    // The one readiness of the io_context behind `ex`, made on first use.
    static readiness& of(asio::any_io_executor const& ex);

    struct token {
        std::uint32_t index = 0;
        std::uint32_t generation = 0;
    };

    // Watches `fd` (a non-blocking stream socket) and keeps `target` alive until unwatch().
    // An error (the kernel refused the descriptor) is returned in `ec`, not thrown.
    std::optional<token> watch(int fd, std::shared_ptr<readable> target, error_code& ec);
    // Stops watching. `fd` >= 0: it is removed from the set now (it stays open); -1: the caller
    // is about to close it, which removes it. The target is released after the current
    // dispatch (it may be the caller). A token already unwatched is ignored.
    void unwatch(token t, int fd);

    // Counters for tests and the bench: loop turns with ready descriptors, and edges reported.
    std::uint64_t wakeups() const;
    std::uint64_t edges() const;

private:
    void shutdown() override;
    struct state;
    std::unique_ptr<state> state_;
};

} // namespace kibitz::net
