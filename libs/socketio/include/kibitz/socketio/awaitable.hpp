#pragma once

// Acks awaited with C++20 coroutines on Boost.Asio (1.74): include this header and pass
// boost::asio::use_awaitable as the ack handler:
//
//     json answer = co_await s->timeout(5s).emit_with_ack("ping", 1, boost::asio::use_awaitable);
//
// The co_await yields the client's ack arguments (a JSON array) and throws
// boost::system::system_error on failure: errc::timed_out, no_buffer_space or not_connected, as
// the callback form's error_code (Node's emitWithAck rejects the same way). The coroutine resumes
// through its executor (posted, never inside the library's packet handling). Without a timeout
// and with a client that never answers, it resumes never; it is destroyed with the socket.
// Link kibitz::net (the Asio configuration the library was built with).

#include <utility> // Boost 1.74: before <boost/asio/awaitable.hpp>

#include <kibitz/socketio/socket.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace kibitz::socketio {

namespace detail {
// The library's errors are std::errc values: the same value in Boost's generic category.
inline boost::system::error_code to_boost_error(std::error_code ec) {
    if (!ec) return {};
    return {ec.value(), boost::system::generic_category()};
}
} // namespace detail

template<class Executor>
struct ack_token<boost::asio::use_awaitable_t<Executor>> {
    using token_type = boost::asio::use_awaitable_t<Executor>;
    using signature = void(boost::system::error_code, json);

    static auto initiate(socket_emitter const& emitter, std::string_view event, json args,
                         token_type token) {
        auto start = [emitter, name = std::string(event),
                      args = std::move(args)](auto handler) mutable {
            // ack_handler is copyable; the coroutine's handler is not: share it.
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            emitter.emit_args_with_ack(
                name, std::move(args), [shared](std::error_code ec, json answer) {
                    auto ex = boost::asio::get_associated_executor(*shared);
                    boost::asio::post(ex, [shared, ec, answer = std::move(answer)]() mutable {
                        (*shared)(detail::to_boost_error(ec), std::move(answer));
                    });
                });
        };
        return boost::asio::async_initiate<token_type, signature>(std::move(start), token);
    }
};

} // namespace kibitz::socketio
