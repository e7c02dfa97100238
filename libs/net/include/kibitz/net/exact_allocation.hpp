#pragma once

// A handler whose operation is allocated at its own size (docs/architecture.md, "Memory per
// idle connection"). Asio 1.74 allocates an operation from a per-thread cache of freed blocks
// and hands out any cached block large enough: a wait that lasts as long as a connection (its
// heartbeat) could sit for hours in the ~400-byte block of an HTTP read that ran before it.
// Wrapping its handler here gives the operation a block of exactly its size instead; short
// operations keep the cache, which saves an allocation each.

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace kibitz::net {

// std::allocator under another name: Asio recycles only for std::allocator.
template<class T>
struct exact_allocator {
    using value_type = T;
    exact_allocator() noexcept = default;
    template<class U>
    exact_allocator(exact_allocator<U> const&) noexcept {} // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
    friend bool operator==(exact_allocator, exact_allocator) noexcept { return true; }
    friend bool operator!=(exact_allocator, exact_allocator) noexcept { return false; }
};

template<class Handler>
struct exactly_allocated {
    Handler handler;
    using allocator_type = exact_allocator<void>;
    allocator_type get_allocator() const noexcept { return {}; }
    template<class... Args>
    void operator()(Args&&... args) {
        handler(std::forward<Args>(args)...);
    }
};

// `handler`, with its operation allocated at its own size.
template<class Handler>
exactly_allocated<std::decay_t<Handler>> exactly(Handler&& handler) {
    return {std::forward<Handler>(handler)};
}

} // namespace kibitz::net
