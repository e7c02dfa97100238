#pragma once

#include <kibitz/engineio/heartbeat.hpp>
#include <kibitz/engineio/options.hpp>
#include <kibitz/engineio/packet.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::engineio::detail {

// Which WebSocket an event comes from: the session's transport, or one being probed.
enum class ws_role { transport, probe };

// Work the shell does later, from the event loop, and then reports with session_machine::posted.
enum class deferred { overflow_close, close_after_drain };

// What send() did with a packet. queued_flush: queued, and the shell asks its owner for the
// end-of-turn flush (the schedule_flush action, returned rather than queued: send is the hottest
// event, one per packet and recipient).
enum class send_result { dropped, queued, queued_flush };

// One thing the shell must do. Actions come out in order and are applied in that order.
struct session_action {
    enum class kind {
        none,           // nothing (a delivery cancelled by a close before it was applied)
        answer_request, // answer this event's request (GET or POST) with `status`
        hold_poll,      // this event's GET is the pending long poll now
        respond_poll,   // answer the pending long poll with `body` and forget it
        write_ws,       // write `batch` to the WebSocket transport
        write_probe,    // write `batch` (the "3probe" answer) to the probe
        promote_probe,  // the probe is the WebSocket transport from now on
        close_ws,       // close the WebSocket transport (close frame after what is written)
        close_probe,    // close the probe and forget it
        deliver,        // hand the message (`binary`, `body`) to the message handler
        schedule_flush, // ask the owner for a flush at the end of this loop turn
        post,           // call session_machine::posted(`work`) from the event loop, later
        arm_timer,      // the one timer fires at `at` (re-arming replaces the previous wait)
        cancel_timer,
        closed, // the session has ended with `reason` and `body` (its description)
    };
    kind what = kind::none;
    int status = 0;   // answer_request: 200 ("ok"), 400, or 413 (and close the connection)
    std::string body; // respond_poll: the payload; deliver: the data; closed: the description
    bool binary = false;
    // deliver: the data is `reason`, a view of the bytes of the ws_message event (stable), not
    // a copy in `body`.
    bool in_view = false;
    std::vector<outgoing_ptr> batch;
    util::time_point at{};
    // closed: an engine.io close reason (a wire.hpp constant); deliver with in_view: the data.
    std::string_view reason;
    deferred work = deferred::overflow_close;
};

// The protocol of one Engine.IO session (spec: "Transports", "Heartbeat", "Upgrade") without
// I/O, timers or clock: every event carries the time it happens at, and what to do comes out as
// session_action values, taken with next(). The shell (session) owns the transports and the
// timer and applies the actions; the machine owns the send queue, the heartbeat and the state.
// Events may arrive while the shell is still applying the actions of another (a handler that
// sends, a write that fails at once): their actions queue behind the others.
class session_machine {
public:
    session_machine(options const& opts, outgoing_ptr ping);

    // Starts the heartbeat (the open packet has gone or is going).
    void start(util::time_point now);
    // The transport is a WebSocket from the start.
    void attach_websocket() { has_ws_ = true; }

    // Events from the polling transport.
    void poll_get(util::time_point now);
    void poll_post(bool body_too_large, std::optional<std::string_view> content_type,
                   std::string_view body, util::time_point now);
    // Events from the WebSockets; `busy`: the connection is still writing.
    bool can_upgrade() const;
    void probe_opened(util::time_point now);
    // `stable`: `data` stays valid until the actions of this event are applied (the shell
    // applies them at once, not from an outer event): a message is then delivered as a view
    // of it, not copied.
    void ws_message(ws_role from, bool binary, std::string_view data, bool busy,
                    util::time_point now, bool stable = false);
    void ws_closed(ws_role from, bool error, std::string_view description);
    // The deliveries not applied yet that view the bytes of a stable ws_message copy them
    // (the shell stops applying before their bytes go: a handler threw).
    void own_views();
    void ws_drained();
    // The timer armed by arm_timer fired (perhaps a little early).
    void timer_fired(util::time_point now);
    void posted(deferred work, bool ws_busy);
    // The owner's end-of-turn flush, or the socket's flush().
    void flush_due(bool ws_busy);
    void flush(bool ws_busy) { flush_queue(ws_busy); }

    // The socket's calls. `ws_busy` matters only for a droppable packet.
    send_result send(outgoing_ptr packet, bool droppable, bool ws_busy);
    void close(util::time_point now);
    void terminate(std::string_view reason, std::string_view description);
    // The server is draining (server::pause_heartbeats): a pong overdue closes nothing (the
    // next ping goes one interval later, so the client's own timer stays content); every
    // other deadline stays. For good: the session ends with the shutdown.
    void pause_heartbeat();

    // The next action to apply; false when none is left.
    bool next(session_action& out);
    bool has_actions() const { return has_first_ || next_ < more_.size(); }
    // Gives back a write_ws or write_probe batch once written: emptied, its capacity becomes
    // the queue's if the queue has less (one allocation fewer per write), up to
    // kept_queue_capacity; a larger one is freed.
    void reuse_batch(std::vector<outgoing_ptr>& batch);
    // The most packets' room the send queue keeps between writes (a burst's is freed after it).
    static constexpr std::size_t kept_queue_capacity = 64;
    std::size_t queue_capacity() const { return queue_.capacity(); }

    bool writable(bool ws_busy) const;
    bool is_open() const { return state_ == state::open; }
    bool is_closed() const { return state_ == state::closed; }
    bool websocket() const { return has_ws_; }
    std::optional<util::duration> rtt() const { return heartbeat_.rtt(); }
    std::size_t buffered_bytes() const { return queued_bytes_; }

private:
    enum class state { open, closing, closed };

    session_action& emit(session_action::kind k);
    void respond_poll(packet_type type);
    bool check(util::time_point now);
    void arm_timer();
    void handle_packet(packet& p, util::time_point now);
    void handle_probe_packet(packet const& p, bool busy);
    void end_probe();
    void flush_queue(bool ws_busy);
    void leave_open();
    void finish_close(std::string_view reason, std::string_view description);

    // What every send and flush touches comes first, on as few cache lines as may be.
    state state_ = state::open;
    bool has_ws_ = false;
    bool has_probe_ = false;
    bool poll_pending_ = false;
    bool upgrading_ = false; // the probe answered: the client is pausing its polling
    bool flush_scheduled_ = false;
    bool overflow_ = false;
    bool heartbeat_paused_ = false;
    bool has_first_ = false;
    std::size_t queued_bytes_ = 0;
    std::vector<outgoing_ptr> queue_;
    // The actions not yet taken, in order: first_ in the machine itself, the rest in a vector
    // that is cleared, not freed, once all are taken. No allocation once warm.
    std::size_t next_ = 0;
    std::vector<session_action> more_;
    options const& opts_;
    outgoing_ptr ping_;
    heartbeat heartbeat_;
    std::optional<util::time_point> armed_; // where the shell's timer is set
    std::optional<util::time_point> upgrade_deadline_;
    std::optional<util::time_point> closing_deadline_;
    session_action first_;
};

} // namespace kibitz::engineio::detail
