#include <kibitz/socketio/handshake.hpp>

#include <gtest/gtest.h>

using namespace kibitz::socketio;

TEST(js_date_string, spells_a_time_as_javascripts_date_in_utc) {
    // new Date(0) + "" and new Date(1796199000123) + "" with TZ=UTC in Node.
    EXPECT_EQ(js_date_string(0), "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)");
    EXPECT_EQ(js_date_string(1796199000123),
              "Wed Dec 02 2026 08:10:00 GMT+0000 (Coordinated Universal Time)");
    EXPECT_EQ(js_date_string(-1), "Wed Dec 31 1969 23:59:59 GMT+0000 (Coordinated Universal Time)");
}
