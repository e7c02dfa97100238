#include "session_machine_tables.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace kibitz;
using namespace kibitz::engineio;
using namespace kibitz::engineio::detail;
using namespace kibitz::engineio::detail::tables;

// Polling, the heartbeat and the send queue.

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
    EXPECT_EQ(drain(other), (std::vector<std::string>{"arm 25000", "answer 200", "cancel",
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

// ---- send queue ----

TEST_F(session_machine_test, the_send_queue_limit_closes_the_session_later) {
    std::string big(120, 'x');
    play(started + std::vector<step>{
                       {ev::send, "a", 0, {"schedule"}},
                       {ev::send, big, 0, {"post overflow"}},
                   });
    auto const queued = m.buffered_bytes();
    // Dropped: the close is on its way, and nothing more is kept for a client that is not reading.
    play({{ev::send, big, 0, {}}});
    EXPECT_FALSE(last_send);
    EXPECT_EQ(m.buffered_bytes(), queued);
    play({
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

// A burst to a slow reader (here 1000 frames in one write or one poll) does not stay allocated
// at its high-water mark; an ordinary batch's room is kept for the next queue.
TEST(session_machine_queue, a_burst_is_not_kept_at_its_high_water_mark) {
    options o;
    o.max_send_queue_bytes = 1 << 20;
    for (bool const ws : {true, false}) {
        SCOPED_TRACE(ws ? "websocket" : "polling");
        session_machine m{o, make_packet(packet_type::ping)};
        if (ws) m.attach_websocket();
        m.start(t0);
        auto burst = [&](int n) {
            if (!ws) m.poll_get(t0);
            for (int i = 0; i < n; ++i)
                m.send(make_message("x"), false, false);
            m.flush_due(false);
            std::size_t frames = 0;
            session_action a;
            while (m.next(a)) {
                if (a.what == session_action::kind::write_ws) {
                    frames = a.batch.size();
                    m.reuse_batch(a.batch);
                    EXPECT_LE(a.batch.capacity(), session_machine::kept_queue_capacity);
                }
                if (a.what == session_action::kind::respond_poll)
                    frames =
                        static_cast<std::size_t>(std::count(a.body.begin(), a.body.end(), '\x1e')) +
                        1;
            }
            return frames;
        };
        EXPECT_EQ(burst(3), 3u);
        EXPECT_GE(m.queue_capacity(), 3u); // kept: the next write allocates nothing
        EXPECT_EQ(burst(1000), 1000u);
        EXPECT_LE(m.queue_capacity(), session_machine::kept_queue_capacity);
        EXPECT_EQ(burst(5), 5u); // and the session goes on
    }
}
