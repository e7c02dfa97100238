#pragma once

#include <kibitz/socketio/types.hpp>

#include <concepts>
#include <cstddef>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace kibitz::socketio::detail {

// The shapes socket::on takes for an event handler, tried in this order.
template<class F>
concept full_handler = std::invocable<F&, socket&, json&, ack_callback>;
template<class F>
concept socket_handler = std::invocable<F&, socket&, json&>;
template<class F>
concept args_handler = std::invocable<F&, json&>;
template<class F>
concept untyped_handler = full_handler<F> || socket_handler<F> || args_handler<F>;

// The typed shapes of socket::on<T>, tried in this order: fn(socket&, T, ack_callback),
// fn(socket&, T), fn(T, ack_callback), fn(T).
template<class F, class T>
concept typed_handler = std::invocable<F&, socket&, T, ack_callback> ||
    std::invocable<F&, socket&, T> || std::invocable<F&, T, ack_callback> || std::invocable<F&, T>;

// Any untyped shape as an event_handler: the arguments it does not take are dropped.
template<untyped_handler F>
event_handler adapt_handler(F fn) {
    if constexpr (full_handler<F>) {
        return event_handler(std::move(fn));
    } else if constexpr (socket_handler<F>) {
        return [fn = std::move(fn)](socket& s, json& args, ack_callback) mutable { fn(s, args); };
    } else {
        return [fn = std::move(fn)](socket&, json& args, ack_callback) mutable { fn(args); };
    }
}

// The first event argument as a T (null when there is none), or nullopt when from_json refuses
// it. Client input: whatever the conversion throws is a refusal, never an escape.
template<class T>
std::optional<T> first_argument_as(json const& args) noexcept {
    try {
        json const& first = args.is_array() && !args.empty() ? args[0] : json();
        return first.get<T>();
    } catch (std::exception const&) {
        return std::nullopt;
    }
}

// The ack a typed handler answers when its argument does not convert.
inline json invalid_arguments_ack() {
    return json::array({json{{"error", invalid_arguments_error}}});
}

// A typed handler as an event_handler: converts the first argument, or answers the ack (if
// any) with invalid_arguments_ack() and skips `fn`.
template<class T, class F>
requires typed_handler<F, T> event_handler adapt_typed_handler(F fn) {
    return [fn = std::move(fn)](socket& s, json& args, ack_callback ack) mutable {
        auto value = first_argument_as<T>(args);
        if (!value) {
            if (ack) ack(invalid_arguments_ack());
            return;
        }
        if constexpr (std::invocable<F&, socket&, T, ack_callback>) {
            fn(s, std::move(*value), std::move(ack));
        } else if constexpr (std::invocable<F&, socket&, T>) {
            fn(s, std::move(*value));
        } else if constexpr (std::invocable<F&, T, ack_callback>) {
            fn(std::move(*value), std::move(ack));
        } else {
            fn(std::move(*value));
        }
    };
}

// Event arguments as one JSON array, one to_json conversion per value (an array stays one).
template<class... Args>
json pack_arguments(Args&&... values) {
    json args = json::array();
    (args.push_back(json(std::forward<Args>(values))), ...);
    return args;
}

// Calls fn(json args, last): all of `values` but the last packed as pack_arguments does, and
// the last forwarded (emit_with_ack(event, a, b, ..., done)).
template<class Fn, class Tuple, std::size_t... I>
decltype(auto) apply_last_apart(Fn&& fn, Tuple values, std::index_sequence<I...>) {
    // `values` is a tuple of references (std::forward_as_tuple): moving it forwards each one.
    return std::forward<Fn>(fn)(pack_arguments(std::get<I>(std::move(values))...),
                                std::get<sizeof...(I)>(std::move(values)));
}
template<class Fn, class... Values>
decltype(auto) with_last_apart(Fn&& fn, Values&&... values) {
    static_assert(sizeof...(Values) >= 1, "the last argument is the ack handler");
    return apply_last_apart(std::forward<Fn>(fn),
                            std::forward_as_tuple(std::forward<Values>(values)...),
                            std::make_index_sequence<sizeof...(Values) - 1>{});
}

} // namespace kibitz::socketio::detail
