#include <kibitz/admin/event_buffer.hpp>

#include <gtest/gtest.h>

using namespace kibitz;
using namespace kibitz::admin;

TEST(event_buffer, counts_events_per_whole_second_type_and_sub_type) {
    event_buffer b;
    b.push(1'700'000'000'123, event_raw_connection);
    b.push(1'700'000'000'999, event_raw_connection);
    b.push(1'700'000'001'000, event_raw_connection);
    b.push(1'700'000'000'500, event_raw_disconnection, "transport close");
    b.push(1'700'000'000'600, event_raw_disconnection, "ping timeout");
    b.push(1'700'000'000'700, event_raw_disconnection, "transport close");
    b.push(1'700'000'000'800, event_bytes_in, {}, 42);
    b.push(1'700'000'000'900, event_bytes_in, {}, 0); // nothing
    auto got = b.take();
    std::vector<aggregated_event> want = {
        {1'700'000'000'000, "rawConnection", "", 2},
        {1'700'000'001'000, "rawConnection", "", 1},
        {1'700'000'000'000, "rawDisconnection", "transport close", 2},
        {1'700'000'000'000, "rawDisconnection", "ping timeout", 1},
        {1'700'000'000'000, "bytesIn", "", 42},
    };
    EXPECT_EQ(got, want);
    EXPECT_EQ(b.size(), 0u);
    EXPECT_TRUE(b.take().empty());
}

TEST(event_buffer, floors_times_before_the_epoch_to_their_second) {
    event_buffer b;
    b.push(-1, event_packets_in);
    EXPECT_EQ(b.take().at(0).timestamp, -1000);
}

TEST(event_buffer, drops_new_keys_past_its_limit_and_counts_them) {
    event_buffer b(2);
    b.push(1000, event_packets_in);
    b.push(2000, event_packets_in);
    b.push(3000, event_packets_in, {}, 5); // a third key: dropped
    b.push(2500, event_packets_in);        // an existing key still counts
    auto got = b.take();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].count, 2u);
    EXPECT_EQ(b.dropped(), 5u);
}

TEST(event_buffer, writes_sub_type_only_when_there_is_one) {
    EXPECT_EQ(to_json(aggregated_event{1000, "packetsOut", "", 3}),
              (json{{"timestamp", 1000}, {"type", "packetsOut"}, {"count", 3}}));
    EXPECT_EQ(to_json(aggregated_event{1000, "rawDisconnection", "ping timeout", 1}),
              (json{{"timestamp", 1000},
                    {"type", "rawDisconnection"},
                    {"subType", "ping timeout"},
                    {"count", 1}}));
}
