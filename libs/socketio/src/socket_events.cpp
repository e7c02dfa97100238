#include "client.hpp"
#include "event.hpp"
#include "socket_extras.hpp"
#include "socket_guard.hpp"
#include "tracker.hpp"

#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>
#include <kibitz/util/log.hpp>

#include <algorithm>
#include <iterator>
#include <optional>

namespace kibitz::socketio {

// An event on its way through the per-packet middlewares; counted by its socket while it lives.
struct socket::incoming_event {
    event_packet packet;
    ack_callback ack;
    std::weak_ptr<socket> owner;

    incoming_event(event_packet p, ack_callback a, std::weak_ptr<socket> o)
        : packet(std::move(p)), ack(std::move(a)), owner(std::move(o)) {
        if (auto s = owner.lock()) ++s->events_in_middleware_;
    }
    incoming_event(incoming_event const&) = delete;
    incoming_event& operator=(incoming_event const&) = delete;
    ~incoming_event() {
        if (auto s = owner.lock()) --s->events_in_middleware_;
    }
};

} // namespace kibitz::socketio

// The listeners of a socket's incoming events, its per-packet middlewares, and their dispatch.
namespace kibitz::socketio {

listener_id socket::add_listener(std::string event, event_handler fn, bool once) {
    auto id = next_listener_++;
    handlers_.emplace_back(std::move(event), listener<event_handler>{id, std::move(fn), once});
    return id;
}

void socket::off(std::string const& event) {
    std::erase_if(handlers_, [&](auto const& h) { return h.first == event; });
}

void socket::off(std::string const& event, listener_id id) {
    std::erase_if(handlers_, [&](auto const& h) { return h.second.id == id && h.first == event; });
}

std::size_t socket::listener_count(std::string const& event) const {
    return static_cast<std::size_t>(std::count_if(handlers_.begin(), handlers_.end(),
                                                  [&](auto const& h) { return h.first == event; }));
}

listener_id socket::on_any(any_handler handler) {
    auto id = next_listener_++;
    more().any.push_back({id, std::move(handler)});
    return id;
}

listener_id socket::prepend_any(any_handler handler) {
    auto id = next_listener_++;
    auto& any = more().any;
    any.insert(any.begin(), {id, std::move(handler)});
    return id;
}

void socket::off_any() {
    if (extras_) extras_->any.clear();
}

void socket::off_any(listener_id id) {
    if (extras_) std::erase_if(extras_->any, [id](auto const& l) { return l.id == id; });
}

listener_id socket::on_any_outgoing(outgoing_handler handler) {
    auto id = next_listener_++;
    auto& outgoing = more().any_outgoing;
    if (outgoing.empty()) ++tracker_->watching_outgoing;
    outgoing.push_back({id, std::move(handler)});
    return id;
}

void socket::off_any_outgoing() {
    if (!extras_ || extras_->any_outgoing.empty()) return;
    --tracker_->watching_outgoing;
    extras_->any_outgoing.clear();
}

void socket::off_any_outgoing(listener_id id) {
    if (!extras_ || extras_->any_outgoing.empty()) return;
    auto& outgoing = extras_->any_outgoing;
    std::erase_if(outgoing, [id](auto const& l) { return l.id == id; });
    if (outgoing.empty()) --tracker_->watching_outgoing;
}

void socket::on_event(packet& p) {
    // The decoder checked that data is an array whose first element is a string.
    std::string event = std::move(p.data[0].get_ref<std::string&>());
    // The arguments are the packet's array less its first element, taken in place (no new
    // array: two allocations per event).
    json args = std::move(p.data);
    auto& list = args.get_ref<json::array_t&>();
    list.erase(list.begin());
    ack_callback ack;
    if (p.id) {
        // The ack goes back once, on the namespace of the event.
        auto weak = std::weak_ptr<socket>(shared_from_this());
        auto sent = std::make_shared<bool>(false);
        ack = [weak, sent, id = *p.id](json ack_args) {
            auto self = weak.lock();
            if (!self || *sent || !self->connected_) return;
            *sent = true;
            if (!ack_args.is_array()) ack_args = json::array({std::move(ack_args)});
            self->client_->send(
                packet{packet_type::ack, self->nsp_->name(), id, std::move(ack_args)});
        };
    }
    // A handler may disconnect this socket, which drops the handlers: call copies.
    auto self = shared_from_this();
    // Listeners take the arguments by reference: what they leave is freed without nlohmann's
    // heap stack (detail::release).
    if (!extras_) {
        call_listeners(event, args, ack);
        return detail::release(args);
    }
    auto any = extras_->any;
    for (auto& l : any) {
        if (!guarded("on_any handler of", event, [&] { l.fn(*this, event, args); })) return;
        if (!connected_) return;
    }
    if (extras_->packet_middlewares.empty()) {
        call_listeners(event, args, ack);
        return detail::release(args);
    }
    if (events_in_middleware_ >= nsp_->server().opts().max_events_in_middleware) {
        util::log(util::log_level::warn, "socket.io: ", events_in_middleware_,
                  " events wait in the per-packet middlewares of a socket; '",
                  detail::printable(event), "' disconnects it");
        return disconnect();
    }
    bool const wants_ack = static_cast<bool>(ack);
    auto in = std::make_shared<incoming_event>(
        event_packet{std::move(event), std::move(args), wants_ack}, std::move(ack), self);
    run_packet_middlewares(std::move(in), 0);
}

void socket::add_packet_middleware(packet_middleware m) {
    more().packet_middlewares.push_back(std::move(m));
}

void socket::on_error(error_handler handler) {
    more().on_error = std::move(handler);
}

void socket::run_packet_middlewares(std::shared_ptr<incoming_event> in, std::size_t index) {
    if (!connected_) return;
    auto const& middlewares = more().packet_middlewares;
    if (index == middlewares.size())
        return call_listeners(in->packet.event, in->packet.args, in->ack);
    auto m = middlewares[index];
    std::weak_ptr<socket> weak = shared_from_this();
    auto called = std::make_shared<bool>(false);
    packet_next next = [weak, in, index, called](std::optional<packet_error> error) {
        // Once; and nothing once the socket is gone or disconnected.
        if (*called) return;
        *called = true;
        auto self = weak.lock();
        if (!self || !self->connected_) return;
        if (error) return self->on_packet_error(*error, in->packet.event);
        self->run_packet_middlewares(in, index + 1);
    };
    auto self = shared_from_this();
    guarded("packet middleware of", in->packet.event,
            [&] { m(*this, in->packet, std::move(next)); });
}

void socket::on_packet_error(packet_error const& error, std::string const& event) {
    if (!extras_ || !extras_->on_error) {
        // Node prints "Missing error handler on `socket`." and the error.
        util::log(util::log_level::warn, "socket.io: a packet middleware refused '",
                  detail::printable(event), "' (", detail::printable(error.message),
                  ") and the socket has no on_error handler");
        return;
    }
    auto handler = extras_->on_error;
    guarded("error handler of", event, [&] { handler(*this, error); });
}

void socket::call_listeners(std::string const& event, json& args, ack_callback const& ack) {
    // Copies of the event's listeners (a listener may add or remove others); most events have
    // one, copied without a list.
    auto matches = [&](auto const& h) { return h.first == event; };
    auto first = std::find_if(handlers_.begin(), handlers_.end(), matches);
    if (first == handlers_.end()) return;
    std::optional<listener<event_handler>> only;
    std::vector<listener<event_handler>> several;
    if (std::find_if(std::next(first), handlers_.end(), matches) == handlers_.end()) {
        only = first->second;
    } else {
        for (auto it = first; it != handlers_.end(); ++it)
            if (matches(*it)) several.push_back(it->second);
    }
    // once: gone before its call, as Node's once.
    std::erase_if(handlers_, [&](auto const& h) { return h.second.once && matches(h); });
    auto call = [&](listener<event_handler>& l) {
        return guarded("handler of", event, [&] { l.fn(*this, args, ack); }) && connected_;
    };
    if (only) {
        call(*only);
        return;
    }
    for (auto& l : several)
        if (!call(l)) return;
}

} // namespace kibitz::socketio
