#pragma once

#include <kibitz/util/clock.hpp>

#include <optional>

namespace kibitz::socketio::detail {

// When a session that is in no namespace must be closed ("forced server close";
// server_options::connect_timeout, Node's connectTimeout). Pure: the client tells it what
// happened and when, arms its timer at deadline(), and asks expired() when the timer fires.
class connect_deadline {
public:
    explicit connect_deadline(util::duration timeout) : timeout_(timeout) {}

    // The session opened, or its last namespace socket left, at `now`: the wait starts, unless
    // it runs already (a second call keeps the first deadline).
    void on_empty(util::time_point now) {
        if (!deadline_) deadline_ = now + timeout_;
    }
    // A socket joined a namespace, or the session closed: no deadline until the next on_empty().
    void clear() { deadline_.reset(); }

    std::optional<util::time_point> deadline() const { return deadline_; }
    // True once `now` reaches the deadline: the session is to be closed.
    bool expired(util::time_point now) const { return deadline_ && now >= *deadline_; }

private:
    util::duration timeout_;
    // Set exactly while the session is open and in no namespace (sockets still in the
    // middlewares do not count: a middleware that never calls next keeps no session).
    std::optional<util::time_point> deadline_;
};

} // namespace kibitz::socketio::detail
