#include "session_machine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace kibitz;
using namespace kibitz::engineio;
using namespace kibitz::engineio::detail;
using namespace std::chrono_literals;

namespace {

// Time is an input: every instant is t0 plus the milliseconds a step gives.
util::time_point const t0{std::chrono::hours(10)};

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

std::string show_ms(util::time_point t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t - t0).count());
}

std::string show_batch(std::vector<outgoing_ptr> const& batch) {
    std::string s;
    for (auto const& p : batch)
        s += (s.empty() ? "" : "|") + std::string(p->payload());
    return s;
}

// One action as text: "answer 200", "poll 4a|4b" ('\x1e' shown as '|'), "arm 25000" (ms).
std::string show(session_action const& a) {
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
        return std::string(a.binary ? "deliver binary " : "deliver ") + a.body;
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
            last_send = m.send(make_message(s.data), false, ws_busy);
            return;
        case ev::send_volatile:
            last_send = m.send(make_message(s.data), true, ws_busy);
            return;
        case ev::close:
            return m.close(now);
        case ev::posted:
            return m.posted(last_post, ws_busy);
        case ev::terminate:
            return m.terminate("server shutting down", "");
        }
    }

    // Feeds every step and checks the actions each one produces, in order.
    void play(std::vector<step> const& table) {
        for (std::size_t i = 0; i < table.size(); ++i) {
            SCOPED_TRACE("step " + std::to_string(i) + " (" + table[i].data + ")");
            feed(table[i]);
            EXPECT_EQ(take(), table[i].actions);
        }
    }
};

std::vector<step> const started = {{ev::start, "", 0, {"arm 25000"}}};

std::vector<step> operator+(std::vector<step> a, std::vector<step> const& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Polling up to the probe's answer: one poll pending when the probe opens.
std::vector<step> const probed =
    started + std::vector<step>{
                  {ev::get, "", 0, {"hold"}},
                  {ev::probe_open, "", 1000, {"arm 11000"}},
                  {ev::probe_msg, "2probe", 1100, {"probe 3probe", "poll 6"}},
              };

} // namespace

// ---- polling ----

TEST_F(session_machine_test, a_pending_poll_carries_what_is_sent_in_one_payload) {
    play(started + std::vector<step>{
                       {ev::get, "", 0, {"hold"}},
                       {ev::send, "a", 10, {"schedule"}},
                       {ev::send, "b", 10, {}},
                       {ev::flush, "", 10, {"poll 4a|4b"}},
                       {ev::flush, "", 10, {}},
                   });
}

TEST_F(session_machine_test, what_is_sent_without_a_poll_waits_for_the_next_get) {
    play(started + std::vector<step>{
                       {ev::send, "a", 10, {"schedule"}},
                       {ev::flush, "", 10, {}},
                       {ev::get, "", 20, {"hold", "schedule"}},
                       {ev::flush, "", 20, {"poll 4a"}},
                   });
}

TEST_F(session_machine_test, a_second_get_overlapping_the_first_ends_the_session) {
    play(started +
         std::vector<step>{
             {ev::get, "", 0, {"hold"}},
             {ev::get,
              "",
              5,
              {"answer 400", "cancel", "poll 1", "closed transport error: overlap from client"}},
             {ev::send, "a", 6, {}},
         });
    EXPECT_FALSE(last_send);
    EXPECT_TRUE(m.is_closed());
}

TEST_F(session_machine_test, posts_overlapping_a_pending_get_are_answered_and_delivered) {
    play(started +
         std::vector<step>{
             {ev::get, "", 0, {"hold"}},
             {ev::post,
              "4one\x1e"
              "4two",
              1,
              {"answer 200", "deliver one", "deliver two"}},
             {ev::post, "bAAE=", 2, {"answer 200", std::string("deliver binary ") + '\0' + '\1'}},
             {ev::post, "6", 3, {"answer 200"}},
             {ev::send, "x", 4, {"schedule"}},
             {ev::flush, "", 4, {"poll 4x"}},
         });
}

TEST_F(session_machine_test, refused_posts_end_the_session_and_release_the_poll) {
    play(started +
         std::vector<step>{
             {ev::get, "", 0, {"hold"}},
             {ev::post_large,
              "",
              1,
              {"answer 413", "cancel", "poll 1", "closed transport error: payload too large"}},
         });
}

TEST_F(session_machine_test, binary_content_and_bad_payloads_are_refused) {
    play(started + std::vector<step>{
                       {ev::post_binary,
                        "",
                        1,
                        {"answer 400", "cancel", "closed transport error: invalid content"}},
                   });
    session_machine other{opts, make_packet(packet_type::ping)};
    other.start(t0);
    other.poll_post(false, std::nullopt, "4a\x1ezz", t0);
    session_action a;
    std::vector<std::string> out;
    while (other.next(a))
        out.push_back(show(a));
    EXPECT_EQ(out, (std::vector<std::string>{"arm 25000", "answer 200", "cancel",
                                             "closed parse error: invalid payload"}));
}

TEST_F(session_machine_test, a_close_packet_releases_the_pending_poll_with_a_noop) {
    play(started +
         std::vector<step>{
             {ev::get, "", 0, {"hold"}},
             {ev::post,
              "1",
              1,
              {"answer 200", "poll 6", "cancel", "closed transport close: client closed"}},
         });
}

// ---- heartbeat ----

TEST_F(session_machine_test, the_timer_sends_pings_and_a_pong_postpones_the_next) {
    play(started + std::vector<step>{
                       {ev::get, "", 0, {"hold"}},
                       {ev::timer, "", 24999, {"arm 25000"}}, // early: armed again
                       {ev::timer, "", 25000, {"schedule", "arm 45000"}},
                       {ev::flush, "", 25000, {"poll 2"}},
                       {ev::post, "3", 30000, {"answer 200", "arm 55000"}},
                       {ev::timer, "", 55000, {"schedule", "arm 75000"}},
                       {ev::timer, "", 75000, {"cancel", "closed ping timeout: "}},
                   });
}

TEST_F(session_machine_test, heartbeat_deadlines_are_checked_on_requests) {
    play(started +
         std::vector<step>{
             {ev::get, "", 25000, {"hold", "schedule", "arm 45000"}},
             {ev::flush, "", 25000, {"poll 2"}},
             {ev::post, "4late", 45000, {"answer 200", "cancel", "closed ping timeout: "}},
         });
}

TEST_F(session_machine_test, an_unsolicited_pong_postpones_nothing) {
    play(started + std::vector<step>{
                       {ev::post, "3", 1000, {"answer 200"}},
                       {ev::timer, "", 25000, {"schedule", "arm 45000"}},
                   });
}

TEST_F(session_machine_test, a_ping_from_the_client_ends_the_session) {
    play(started +
         std::vector<step>{
             {ev::post,
              "2",
              1,
              {"answer 200", "cancel", "closed transport error: invalid heartbeat direction"}},
         });
}

// ---- upgrade ----

TEST_F(session_machine_test, the_probe_releases_polls_with_noops_and_the_upgrade_completes) {
    EXPECT_TRUE(m.can_upgrade());
    play(probed + std::vector<step>{
                      {ev::get, "", 1200, {"hold", "poll 6"}}, // paused polling: released at once
                      {ev::probe_msg, "5", 1400, {"promote", "arm 25000"}},
                      {ev::send, "hi", 1500, {"schedule"}},
                      {ev::flush, "", 1500, {"ws 4hi"}},
                  });
    EXPECT_TRUE(m.websocket());
    EXPECT_FALSE(m.can_upgrade()); // a second WebSocket after the upgrade is refused
}

TEST_F(session_machine_test, what_is_queued_during_the_probe_goes_on_the_new_websocket) {
    play(started + std::vector<step>{
                       {ev::send, "a", 10, {"schedule"}},
                       {ev::flush, "", 10, {}},
                       {ev::probe_open, "", 20, {"arm 10020"}},
                       {ev::probe_msg, "2probe", 30, {"probe 3probe"}}, // no poll pending
                       {ev::get, "", 40, {"hold", "schedule"}},         // data waits: no noop
                       {ev::probe_msg, "5", 50, {"promote", "poll 6", "arm 25000", "ws 4a"}},
                       {ev::flush, "", 50, {}},
                   });
}

TEST_F(session_machine_test, an_upgrade_that_times_out_drops_the_probe_and_keeps_polling) {
    play(probed + std::vector<step>{
                      {ev::timer, "", 11000, {"close probe", "arm 25000"}},
                      {ev::probe_msg, "5", 11001, {}},
                      {ev::get, "", 11002, {"hold"}}, // no longer upgrading: the poll is held
                  });
    EXPECT_TRUE(m.can_upgrade());
    EXPECT_FALSE(m.websocket());
}

TEST_F(session_machine_test, the_upgrade_timeout_is_checked_on_requests) {
    play(started + std::vector<step>{
                       {ev::probe_open, "", 1000, {"arm 11000"}},
                       {ev::get, "", 12000, {"hold", "close probe", "arm 25000"}},
                   });
}

TEST_F(session_machine_test, a_probe_ends_on_a_wrong_packet_or_when_it_closes) {
    EXPECT_TRUE(m.can_upgrade());
    play(started +
         std::vector<step>{
             {ev::probe_open, "", 1000, {"arm 11000"}},
             {ev::probe_msg, "5", 1001, {"close probe"}}, // an upgrade before the probe: no
             {ev::probe_open, "", 1002, {"arm 11002"}},
             {ev::probe_msg, "2probe", 1003, {"probe 3probe"}},
             {ev::probe_closed, "", 1004, {"close probe"}},
             {ev::get, "", 1005, {"hold", "arm 25000"}}, // not upgrading any more
         });
    EXPECT_TRUE(m.can_upgrade());
}

TEST_F(session_machine_test, one_probe_at_a_time_and_none_once_closing) {
    m.start(t0);
    m.probe_opened(t0);
    EXPECT_FALSE(m.can_upgrade());
    m.ws_closed(ws_role::probe, true, "gone");
    EXPECT_TRUE(m.can_upgrade());
    m.close(t0);
    EXPECT_FALSE(m.can_upgrade());
}

TEST_F(session_machine_test, a_malformed_packet_on_the_probe_ends_the_session) {
    play(probed + std::vector<step>{
                      {ev::probe_msg,
                       "zz",
                       1200,
                       {"cancel", "close probe", "closed parse error: invalid packet"}},
                  });
}

// ---- WebSocket transport ----

TEST_F(session_machine_test, websocket_messages_are_delivered_and_writes_wait_for_a_drain) {
    m.attach_websocket();
    play(started +
         std::vector<step>{
             {ev::ws_msg, "4hello", 1, {"deliver hello"}},
             {ev::ws_bin, "raw", 2, {"deliver binary raw"}},
             {ev::busy, "", 3, {}},
             {ev::send, "a", 3, {"schedule"}},
             {ev::send_volatile, "v", 3, {}},
             {ev::flush, "", 3, {}},
             {ev::drained, "", 4, {"ws 4a"}},
             {ev::ws_closed, "bye", 5, {"cancel", "close ws", "closed transport close: bye"}},
         });
    EXPECT_FALSE(last_send); // the volatile packet was dropped
}

TEST_F(session_machine_test, a_failed_or_malformed_websocket_ends_the_session) {
    m.attach_websocket();
    play(started + std::vector<step>{
                       {ev::ws_error,
                        "write timeout",
                        1,
                        {"cancel", "close ws", "closed transport error: write timeout"}},
                       {ev::ws_msg, "4late", 2, {}},
                   });
    session_machine other{opts, make_packet(packet_type::ping)};
    other.attach_websocket();
    other.start(t0);
    other.ws_message(ws_role::transport, false, "zz", false, t0);
    session_action a;
    std::vector<std::string> out;
    while (other.next(a))
        out.push_back(show(a));
    EXPECT_EQ(out, (std::vector<std::string>{"arm 25000", "cancel", "close ws",
                                             "closed parse error: invalid packet"}));
}

// ---- close ----

TEST_F(session_machine_test, close_while_a_poll_is_pending_sends_the_close_packet) {
    play(started + std::vector<step>{
                       {ev::get, "", 0, {"hold"}},
                       {ev::close, "", 1000, {"arm 21000", "schedule"}},
                       {ev::send, "late", 1001, {}},
                       {ev::flush, "", 1001, {"poll 1", "cancel", "closed forced close: "}},
                   });
    EXPECT_FALSE(last_send);
}

TEST_F(session_machine_test, close_on_polling_drains_the_queue_or_gives_up_after_ping_timeout) {
    play(started + std::vector<step>{
                       {ev::send, "a", 0, {"schedule"}},
                       {ev::close, "", 1000, {"arm 21000"}},
                       {ev::get, "", 1001, {"hold"}},
                       {ev::flush, "", 1001, {"poll 4a|1", "cancel", "closed forced close: "}},
                   });
    session_machine other{opts, make_packet(packet_type::ping)};
    other.start(t0);
    other.close(t0);
    other.timer_fired(t0 + 20000ms);
    session_action a;
    std::vector<std::string> out;
    while (other.next(a))
        out.push_back(show(a));
    EXPECT_EQ(out, (std::vector<std::string>{"arm 25000", "arm 20000", "schedule", "cancel",
                                             "closed forced close: "}));
}

TEST_F(session_machine_test, close_on_a_websocket_waits_for_the_write_in_flight) {
    m.attach_websocket();
    play(started +
         std::vector<step>{
             {ev::busy, "", 0, {}},
             {ev::send, "a", 0, {"schedule"}},
             {ev::flush, "", 0, {}},
             {ev::close, "", 1, {"post drain"}},
             {ev::posted, "", 1, {}},
             {ev::drained, "", 2, {"ws 4a", "cancel", "close ws", "closed forced close: "}},
         });
}

TEST_F(session_machine_test, close_on_an_idle_websocket_ends_at_the_next_turn) {
    m.attach_websocket();
    play(started + std::vector<step>{
                       {ev::close, "", 1, {"post drain"}},
                       {ev::ws_msg, "4ignored", 2, {}},
                       {ev::posted, "", 2, {"cancel", "close ws", "closed forced close: "}},
                   });
}

TEST_F(session_machine_test, deliveries_not_yet_applied_are_cancelled_by_a_close) {
    m.start(t0);
    m.poll_post(false, std::nullopt,
                "4a\x1e"
                "4b",
                t0);
    session_action a;
    std::vector<std::string> out;
    while (m.next(a)) {
        out.push_back(show(a));
        if (a.what == session_action::kind::deliver) m.close(t0); // as a handler may
    }
    EXPECT_EQ(out, (std::vector<std::string>{"arm 25000", "answer 200", "deliver a", "",
                                             "arm 20000", "schedule"}));
}

TEST_F(session_machine_test, terminate_releases_every_transport) {
    play(started + std::vector<step>{
                       {ev::get, "", 0, {"hold"}},
                       {ev::probe_open, "", 1000, {"arm 11000"}},
                       {ev::terminate,
                        "",
                        1400,
                        {"cancel", "poll 1", "close probe", "closed server shutting down: "}},
                       {ev::terminate, "", 1500, {}},
                       {ev::timer, "", 25000, {}},
                   });
}

// ---- send queue ----

TEST_F(session_machine_test, the_send_queue_limit_closes_the_session_later) {
    std::string big(120, 'x');
    play(started +
         std::vector<step>{
             {ev::send, "a", 0, {"schedule"}},
             {ev::send, big, 0, {"post overflow"}},
             {ev::send, big, 0, {}}, // queued: the close is already on its way
             {ev::posted, "", 0, {"cancel", "closed transport error: send queue limit exceeded"}},
             {ev::send, "a", 1, {}},
         });
    EXPECT_FALSE(last_send);
    EXPECT_EQ(m.buffered_bytes(), 0u);
}

TEST_F(session_machine_test, pings_count_against_the_send_queue) {
    play(started + std::vector<step>{
                       {ev::send, std::string(95, 'x'), 0, {"schedule"}},
                       {ev::timer, "", 25000, {"post overflow", "arm 45000"}},
                   });
    EXPECT_GT(m.buffered_bytes(), 100u);
}

TEST_F(session_machine_test, volatile_packets_wait_for_nothing) {
    play(started + std::vector<step>{
                       {ev::send_volatile, "v", 0, {}},
                       {ev::get, "", 1, {"hold"}},
                       {ev::send_volatile, "v", 1, {"schedule"}},
                   });
    EXPECT_TRUE(last_send);
    EXPECT_FALSE(m.writable(false)); // something is queued now
}
