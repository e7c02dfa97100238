#pragma once

#include <kibitz/socketio/handler.hpp>
#include <kibitz/socketio/types.hpp>

#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace kibitz::socketio {

// What emit_with_ack does with a last argument that is not an ack handler: a completion token.
// awaitable.hpp defines it for boost::asio::use_awaitable; "incomplete type ack_token<...>"
// means that header is not included.
template<class Token>
struct ack_token;

// Node's socket.timeout(ms) / socket.volatile: one socket and the flags of its next emits,
// returned by socket::timeout() and socket::volatile_(). A value: each call returns a new one.
// It holds the socket; emitting on a disconnected socket drops the event, and an ack then fails
// at once with std::errc::not_connected. Server thread only.
class socket_emitter {
public:
    socket_emitter(std::shared_ptr<socket> s, std::optional<util::duration> timeout,
                   bool is_volatile)
        : socket_(std::move(s)), timeout_(timeout), is_volatile_(is_volatile) {}

    socket_emitter timeout(util::duration d) const { return {socket_, d, is_volatile_}; }
    socket_emitter volatile_() const { return {socket_, timeout_, true}; }

    // Each of `args` is one argument (an array is one), as in socket::emit.
    template<class... Args>
    void emit(std::string_view event, Args&&... args) const {
        emit_args(event, detail::pack_arguments(std::forward<Args>(args)...));
    }
    void emit_args(std::string_view event, json args) const;

    // emit_with_ack(event, a, b, ..., done): the last argument is the ack handler,
    // fn(std::error_code ec, json args), or a completion token (ack_token). `ec` is
    // std::errc::timed_out after timeout() (none set: waits as long as the socket lives),
    // no_buffer_space past server_options::max_pending_acks, not_connected when disconnected.
    template<class... Args>
    auto emit_with_ack(std::string_view event, Args&&... args) const {
        return detail::with_last_apart(
            [this, event]<class Last>(json packed, Last&& last) {
                using last_type = std::remove_cvref_t<Last>;
                if constexpr (std::is_invocable_v<last_type&, std::error_code, json>) {
                    emit_args_with_ack(event, std::move(packed),
                                       ack_handler(std::forward<Last>(last)));
                } else {
                    return ack_token<last_type>::initiate(*this, event, std::move(packed),
                                                          std::forward<Last>(last));
                }
            },
            std::forward<Args>(args)...);
    }
    // The same with the arguments as the elements of one JSON array.
    void emit_args_with_ack(std::string_view event, json args, ack_handler done) const;

    socket& target() const { return *socket_; }
    std::optional<util::duration> ack_timeout() const { return timeout_; }
    bool is_volatile() const { return is_volatile_; }

private:
    std::shared_ptr<socket> socket_;
    std::optional<util::duration> timeout_;
    bool is_volatile_ = false;
};

} // namespace kibitz::socketio
