#include "event.hpp"
#include "guard.hpp"
#include "timer.hpp"

#include <kibitz/socketio/broadcast.hpp>
#include <kibitz/socketio/namespace.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/socket.hpp>

namespace kibitz::socketio {

namespace {

constexpr util::duration default_ack_timeout{5000};
} // namespace

broadcast_operator broadcast_operator::to(std::string room) const {
    auto copy = *this;
    copy.opts_.rooms.insert(std::move(room));
    return copy;
}

broadcast_operator broadcast_operator::except(std::string room) const {
    auto copy = *this;
    copy.opts_.except.insert(std::move(room));
    return copy;
}

broadcast_operator broadcast_operator::local() const {
    auto copy = *this;
    copy.opts_.local = true;
    return copy;
}

broadcast_operator broadcast_operator::volatile_() const {
    auto copy = *this;
    copy.opts_.is_volatile = true;
    return copy;
}

broadcast_operator broadcast_operator::timeout(util::duration d) const {
    auto copy = *this;
    copy.timeout_ = d;
    return copy;
}

void broadcast_operator::emit_args(std::string_view event, json args) const {
    packet p{packet_type::event, nsp_->name(), std::nullopt,
             detail::event_data(event, std::move(args))};
    nsp_->adapter().broadcast(std::move(p), opts_);
}

void broadcast_operator::emit_args_with_ack(std::string_view event, json args,
                                            broadcast_ack_handler done) const {
    // Node's BroadcastOperator.emit with an ack: complete when every counted recipient of
    // every server answered, or when the timeout fires with what has arrived.
    struct state {
        broadcast_ack_handler done;
        std::vector<json> responses;
        std::size_t expected = 0;
        std::size_t servers_expected = 0;
        std::size_t servers_counted = 0;
        bool server_count_known = false;
        bool finished = false;
        // The loop owns the timer (a stopped loop frees it, and this state with it).
        std::weak_ptr<detail::timer> timer;

        void check() {
            if (finished || !server_count_known || servers_counted < servers_expected ||
                responses.size() < expected)
                return;
            finish({});
        }
        void finish(std::error_code ec) {
            if (finished) return;
            finished = true;
            if (auto t = timer.lock()) t->cancel();
            auto handler = std::move(done);
            // However it completes (the last ack, a remote server's answer, the timeout), an
            // exception of the handler stops here.
            if (handler)
                detail::run_guarded("broadcast ack handler", "emit_with_ack",
                                    [&] { handler(ec, std::move(responses)); });
        }
    };
    auto st = std::make_shared<state>();
    st->done = std::move(done);
    auto& srv = nsp_->server();
    auto const timeout = timeout_.value_or(default_ack_timeout);
    st->timer = detail::timer::start_detached(srv.io_context(), timeout, [st] {
        st->finish(std::make_error_code(std::errc::timed_out));
    });
    // Each recipient's pending ack goes when the broadcast's does.
    auto opts = opts_;
    opts.ack_timeout = timeout;
    packet p{packet_type::event, nsp_->name(), nsp_->next_ack_id(),
             detail::event_data(event, std::move(args))};
    nsp_->adapter().broadcast_with_ack(
        std::move(p), opts,
        [st](std::size_t count) {
            st->expected += count;
            ++st->servers_counted;
            st->check();
        },
        [st](json response) {
            st->responses.push_back(std::move(response));
            st->check();
        });
    // Without the count (a cluster adapter cut off from the others), this server alone.
    auto servers = [st](std::error_code ec, std::size_t n) {
        st->servers_expected = ec ? 1 : n;
        st->server_count_known = true;
        st->check();
    };
    if (opts_.local) {
        servers({}, 1);
    } else {
        nsp_->adapter().server_count(servers);
    }
}

void broadcast_operator::fetch_sockets(fetch_sockets_handler done) const {
    nsp_->adapter().fetch_sockets(opts_, std::move(done));
}

void broadcast_operator::fetch_sockets(std::function<void(std::vector<socket_info>)> done) const {
    fetch_sockets([done = std::move(done)](std::error_code, std::vector<socket_info> infos) {
        done(std::move(infos));
    });
}

std::vector<socket_ptr> broadcast_operator::local_sockets() const {
    std::vector<socket_ptr> out;
    for (auto const& sid : nsp_->adapter().local_sids(opts_))
        if (auto s = nsp_->socket_by_id(sid)) out.push_back(std::move(s));
    return out;
}

void broadcast_operator::sockets_join(std::string room) const {
    nsp_->adapter().add_sockets(opts_, {std::move(room)});
}

void broadcast_operator::sockets_leave(std::string room) const {
    nsp_->adapter().del_sockets(opts_, {std::move(room)});
}

void broadcast_operator::disconnect_sockets(bool close) const {
    nsp_->adapter().disconnect_sockets(opts_, close);
}

} // namespace kibitz::socketio
