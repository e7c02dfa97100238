#pragma once

// The tables that drive session_machine: events with a time, and the actions each must produce.

#include "session_machine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace kibitz::engineio::detail::tables {

using namespace std::chrono_literals;

// Time is an input: every instant is t0 plus the milliseconds a step gives.
inline util::time_point const t0{std::chrono::hours(10)};

// The events a step feeds the machine.
enum class ev {
    start,         // the heartbeat starts
    get,           // a long-poll GET
    post,          // a POST with `data` as its body
    post_large,    // a POST whose body passed max_payload
    post_binary,   // a POST with Content-Type application/octet-stream
    probe_open,    // a WebSocket opened for the upgrade
    probe_msg,     // a text message `data` on the probe
    probe_closed,  // the probe went away
    ws_msg,        // a text message `data` on the WebSocket transport
    ws_bin,        // a binary message `data` on the WebSocket transport
    ws_closed,     // the WebSocket closed in order
    ws_error,      // the WebSocket failed
    drained,       // the WebSocket finished writing
    busy,          // from now on the WebSocket is writing (no event for the machine)
    timer,         // the timer fired
    flush,         // the owner's end-of-turn flush
    send,          // the application sends the message `data`
    send_volatile, // the same, droppable
    close,         // the application closes the session
    posted,        // the deferred work of the last "post" action runs
    terminate,     // the server ends the session (shutting down)
};

struct step {
    ev event;
    std::string data;
    int at = 0; // ms after t0
    std::vector<std::string> actions;
};

inline std::string show_ms(util::time_point t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t - t0).count());
}

inline std::string show_batch(std::vector<outgoing_ptr> const& batch) {
    std::string s;
    for (auto const& p : batch)
        s += (s.empty() ? "" : "|") + std::string(p->payload());
    return s;
}

// One action as text: "answer 200", "poll 4a|4b" ('\x1e' shown as '|'), "arm 25000" (ms).
inline std::string show(session_action const& a) {
    using kind = session_action::kind;
    switch (a.what) {
    case kind::none:
        return "";
    case kind::answer_request:
        return "answer " + std::to_string(a.status);
    case kind::hold_poll:
        return "hold";
    case kind::respond_poll: {
        auto body = a.body;
        for (auto& c : body)
            if (c == '\x1e') c = '|';
        return "poll " + body;
    }
    case kind::write_ws:
        return "ws " + show_batch(a.batch);
    case kind::write_probe:
        return "probe " + show_batch(a.batch);
    case kind::promote_probe:
        return "promote";
    case kind::close_ws:
        return "close ws";
    case kind::close_probe:
        return "close probe";
    case kind::deliver:
        return std::string(a.binary ? "deliver binary " : "deliver ") +
               (a.in_view ? "view " + std::string(a.reason) : a.body);
    case kind::schedule_flush:
        return "schedule";
    case kind::post:
        return a.work == deferred::overflow_close ? "post overflow" : "post drain";
    case kind::arm_timer:
        return "arm " + show_ms(a.at);
    case kind::cancel_timer:
        return "cancel";
    case kind::closed:
        return "closed " + std::string(a.reason) + ": " + a.body;
    }
    return "?";
}

// Every action a machine has for the shell, as text.
inline std::vector<std::string> drain(session_machine& m) {
    std::vector<std::string> out;
    session_action a;
    while (m.next(a))
        out.push_back(show(a));
    return out;
}

struct session_machine_test : ::testing::Test {
    options opts = [] {
        options o;
        o.ping_interval = 25000ms;
        o.ping_timeout = 20000ms;
        o.upgrade_timeout = 10000ms;
        o.max_send_queue_bytes = 100;
        return o;
    }();
    session_machine m{opts, make_packet(packet_type::ping)};
    bool ws_busy = false;
    bool last_send = false;
    deferred last_post = deferred::overflow_close;

    std::vector<std::string> take() {
        std::vector<std::string> out;
        session_action a;
        while (m.next(a)) {
            if (a.what == session_action::kind::post) last_post = a.work;
            if (auto s = show(a); !s.empty()) out.push_back(std::move(s));
        }
        return out;
    }

    void feed(step const& s) {
        auto now = t0 + std::chrono::milliseconds(s.at);
        switch (s.event) {
        case ev::start:
            return m.start(now);
        case ev::get:
            return m.poll_get(now);
        case ev::post:
            return m.poll_post(false, std::nullopt, s.data, now);
        case ev::post_large:
            return m.poll_post(true, std::nullopt, "", now);
        case ev::post_binary:
            return m.poll_post(false, "application/octet-stream", "x", now);
        case ev::probe_open:
            return m.probe_opened(now);
        case ev::probe_msg:
            return m.ws_message(ws_role::probe, false, s.data, false, now);
        case ev::probe_closed:
            return m.ws_closed(ws_role::probe, false, "");
        case ev::ws_msg:
            return m.ws_message(ws_role::transport, false, s.data, ws_busy, now);
        case ev::ws_bin:
            return m.ws_message(ws_role::transport, true, s.data, ws_busy, now);
        case ev::ws_closed:
            return m.ws_closed(ws_role::transport, false, s.data);
        case ev::ws_error:
            return m.ws_closed(ws_role::transport, true, s.data);
        case ev::drained:
            ws_busy = false;
            return m.ws_drained();
        case ev::busy:
            ws_busy = true;
            return;
        case ev::timer:
            return m.timer_fired(now);
        case ev::flush:
            return m.flush_due(ws_busy);
        case ev::send:
            return sent(m.send(make_message(s.data), false, ws_busy));
        case ev::send_volatile:
            return sent(m.send(make_message(s.data), true, ws_busy));
        case ev::close:
            return m.close(now);
        case ev::posted:
            return m.posted(last_post, ws_busy);
        case ev::terminate:
            return m.terminate("server shutting down", "");
        }
    }

    // send() returns its schedule_flush instead of queueing it: the tables show it first.
    bool scheduled = false;
    void sent(send_result r) {
        last_send = r != send_result::dropped;
        scheduled = r == send_result::queued_flush;
    }

    // Feeds every step and checks the actions each one produces, in order.
    void play(std::vector<step> const& table) {
        for (std::size_t i = 0; i < table.size(); ++i) {
            SCOPED_TRACE("step " + std::to_string(i) + " (" + table[i].data + ")");
            scheduled = false;
            feed(table[i]);
            auto got = take();
            if (scheduled) got.insert(got.begin(), "schedule");
            EXPECT_EQ(got, table[i].actions);
        }
    }
};

inline std::vector<step> const started = {{ev::start, "", 0, {"arm 25000"}}};

inline std::vector<step> operator+(std::vector<step> a, std::vector<step> const& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Polling up to the probe's answer: one poll pending when the probe opens.
inline std::vector<step> const probed =
    started + std::vector<step>{
                  {ev::get, "", 0, {"hold"}},
                  {ev::probe_open, "", 1000, {"arm 11000"}},
                  {ev::probe_msg, "2probe", 1100, {"probe 3probe", "poll 6"}},
              };

} // namespace kibitz::engineio::detail::tables
