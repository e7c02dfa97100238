#include <kibitz/admin/serialize.hpp>

#include <gtest/gtest.h>

#include <memory>

using namespace kibitz;
using namespace kibitz::admin;

namespace {
socketio::socket_info sample(http::header_list headers) {
    socketio::socket_info info;
    info.id = "abc";
    info.handshake.headers =
        socketio::shared_headers(std::make_shared<http::header_list const>(std::move(headers)));
    info.handshake.address = "10.0.0.1";
    info.handshake.query = {{"EIO", "4"}, {"transport", "polling"}};
    info.handshake.url = "/socket.io/?EIO=4&transport=polling";
    info.handshake.issued = 1'700'000'000'123;
    info.rooms = {"abc", "lobby"};
    info.data = {{"name", "ann"}, {"_admin", admin_data("0123456789abcdefXYZ", "websocket")}};
    return info;
}
} // namespace

TEST(serialize, writes_a_socket_as_the_admin_ui_reads_it) {
    auto j = serialize_socket(sample({{"Host", "example.org"}, {"Origin", "https://a.example"}}),
                              "/chat");
    EXPECT_EQ(j["id"], "abc");
    EXPECT_EQ(j["nsp"], "/chat");
    EXPECT_EQ(j["clientId"], "0123456789ab"); // the first 12 characters
    EXPECT_EQ(j["transport"], "websocket");
    EXPECT_EQ(j["data"], (json{{"name", "ann"}})); // without _admin
    EXPECT_EQ(j["rooms"], (json{"abc", "lobby"}));
    auto const& hs = j["handshake"];
    EXPECT_EQ(hs["address"], "10.0.0.1");
    EXPECT_EQ(hs["headers"], (json{{"host", "example.org"}, {"origin", "https://a.example"}}));
    EXPECT_EQ(hs["query"]["transport"], "polling");
    EXPECT_EQ(hs["issued"], 1'700'000'000'123);
    EXPECT_EQ(hs["secure"], false);
    EXPECT_EQ(hs["xdomain"], true); // an Origin header
    EXPECT_EQ(hs["url"], "/socket.io/?EIO=4&transport=polling");
    EXPECT_EQ(hs["time"], "Tue Nov 14 2023 22:13:20 GMT+0000 (Coordinated Universal Time)");
}

TEST(serialize, takes_the_address_from_the_proxy_headers_first) {
    auto j = serialize_socket(sample({{"X-Forwarded-For", "192.0.2.7"}}), "/");
    EXPECT_EQ(j["handshake"]["address"], "192.0.2.7");
    EXPECT_EQ(j["handshake"]["xdomain"], false);
    j = serialize_socket(
        sample({{"X-Forwarded-For", "192.0.2.7"}, {"CF-Connecting-IP", "198.51.100.2"}}), "/");
    EXPECT_EQ(j["handshake"]["address"], "198.51.100.2");
}

TEST(serialize, leaves_out_client_id_and_transport_without_admin_data) {
    auto info = sample({});
    info.data = json::object();
    auto j = serialize_socket(info, "/");
    EXPECT_FALSE(j.contains("clientId"));
    EXPECT_FALSE(j.contains("transport"));
    info.data = 7; // data that is no object is shown as it is
    EXPECT_EQ(serialize_socket(info, "/")["data"], 7);
}

TEST(serialize, joins_repeated_headers_and_lower_cases_names) {
    EXPECT_EQ(headers_json({{"Accept", "a"}, {"ACCEPT", "b"}, {"X-A", "1"}}),
              (json{{"accept", "a, b"}, {"x-a", "1"}}));
}

TEST(serialize, writes_times_as_node_does) {
    EXPECT_EQ(iso_time(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(iso_time(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(date_string(0), "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)");
}

TEST(serialize, builds_server_stats_with_every_field_the_ui_reads) {
    stats_input in;
    in.server_id = "node-a";
    in.hostname = "host";
    in.pid = 42;
    in.uptime_seconds = 1.5;
    in.clients_count = 3;
    in.polling_clients_count = 1;
    in.events = {{2000, "rawConnection", "", 3}};
    in.namespaces = {{"/", 2}, {"/admin", 1}};
    auto j = server_stats(in);
    EXPECT_EQ(j,
              (json{{"serverId", "node-a"},
                    {"hostname", "host"},
                    {"pid", 42},
                    {"uptime", 1.5},
                    {"clientsCount", 3},
                    {"pollingClientsCount", 1},
                    {"aggregatedEvents",
                     json::array({{{"timestamp", 2000}, {"type", "rawConnection"}, {"count", 3}}})},
                    {"namespaces", json::array({{{"name", "/"}, {"socketsCount", 2}},
                                                {{"name", "/admin"}, {"socketsCount", 1}}})}}));
}

TEST(serialize, lists_features_by_mode_and_readonly) {
    EXPECT_EQ(supported_features(false, true),
              (json{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT",
                    "AGGREGATED_EVENTS", "ALL_EVENTS"}));
    EXPECT_EQ(supported_features(true, false), (json{"AGGREGATED_EVENTS"}));
}
