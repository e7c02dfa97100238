// The heartbeat paused by the graceful shutdown (server::pause_heartbeats): no session is closed
// for a missing pong, however late; pings go on (a client times out a server that stops
// pinging), and everything else works as before.
#include "session_machine_tables.hpp"

#include <gtest/gtest.h>

using namespace kibitz;
using namespace kibitz::engineio;
using namespace kibitz::engineio::detail;
using namespace kibitz::engineio::detail::tables;

TEST_F(session_machine_test, a_paused_heartbeat_times_out_nobody_awaiting_a_pong) {
    // The ping is out at 25 s; its pong is overdue at 45 s.
    play(started + std::vector<step>{{ev::timer, "", 25000, {"schedule", "arm 45000"}}});
    m.pause_heartbeat();
    EXPECT_TRUE(take().empty());
    play({
        // Overdue: forgiven, the next ping one interval later.
        {ev::timer, "", 45000, {"arm 70000"}},
        // The next ping queues behind the first (the client has not polled since).
        {ev::timer, "", 70000, {"arm 90000"}},
        {ev::timer, "", 90000, {"arm 115000"}},
        {ev::post, "4late", 100000, {"answer 200", "deliver late"}},
        {ev::get, "", 100000, {"hold"}},
        {ev::flush, "", 100000, {"poll 2|2"}}, // both pings, unanswered
    });
    EXPECT_TRUE(m.is_open());
}

TEST_F(session_machine_test, a_paused_heartbeat_still_pings_and_hears_pongs) {
    play(started);
    m.pause_heartbeat();
    play({
        {ev::timer, "", 25000, {"schedule", "arm 45000"}},
        {ev::get, "", 25500, {"hold"}},
        {ev::flush, "", 25500, {"poll 2"}},
        {ev::post, "3", 26000, {"answer 200", "arm 51000"}},
        {ev::timer, "", 51000, {"schedule", "arm 71000"}},
    });
    EXPECT_TRUE(m.is_open());
}

TEST_F(session_machine_test, without_the_pause_the_same_silence_ends_the_session) {
    play(started + std::vector<step>{
                       {ev::timer, "", 25000, {"schedule", "arm 45000"}},
                       {ev::timer, "", 45000, {"cancel", "closed ping timeout: "}},
                   });
    EXPECT_TRUE(m.is_closed());
}

TEST_F(session_machine_test, a_paused_session_still_terminates) {
    play(started);
    m.pause_heartbeat();
    play({{ev::terminate, "", 1000, {"cancel", "closed server shutting down: "}}});
    EXPECT_TRUE(m.is_closed());
}
