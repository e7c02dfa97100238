#include "session_machine_tables.hpp"

#include <gtest/gtest.h>

using namespace kibitz;
using namespace kibitz::engineio;
using namespace kibitz::engineio::detail;
using namespace kibitz::engineio::detail::tables;

// The upgrade, the WebSocket transport and closing.

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
    EXPECT_EQ(drain(other), (std::vector<std::string>{"arm 25000", "cancel", "close ws",
                                                      "closed parse error: invalid packet"}));
}

TEST_F(session_machine_test, a_stable_websocket_message_is_delivered_as_a_view) {
    // The shell applies the actions at once (stable): no copy of the bytes. Otherwise, and for
    // what is not a message, the machine keeps its own copy.
    m.attach_websocket();
    m.start(t0);
    drain(m);
    std::string bytes = "4hello";
    m.ws_message(ws_role::transport, false, bytes, false, t0, true);
    m.ws_message(ws_role::transport, true, std::string_view("\0\1", 2), false, t0, true);
    m.ws_message(ws_role::transport, false, "4copy", false, t0, false);
    auto actions = drain(m);
    EXPECT_EQ(actions, (std::vector<std::string>{"deliver view hello",
                                                 std::string("deliver binary view ") + '\0' + '\1',
                                                 "deliver copy"}));
    // Bytes still viewed when the shell stops applying are copied.
    m.ws_message(ws_role::transport, false, bytes, false, t0, true);
    m.own_views();
    bytes = "4XXXXX";
    EXPECT_EQ(drain(m), (std::vector<std::string>{"deliver hello"}));
    // A closed session delivers nothing.
    m.ws_message(ws_role::transport, false, "1", false, t0, true);
    drain(m);
    m.ws_message(ws_role::transport, false, "4late", false, t0, true);
    EXPECT_TRUE(drain(m).empty());
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
    EXPECT_EQ(drain(other), (std::vector<std::string>{"arm 25000", "arm 20000", "schedule",
                                                      "cancel", "closed forced close: "}));
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
