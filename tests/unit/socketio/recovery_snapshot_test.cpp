// Connection state recovery across a restart: memory_adapter::export_recovery and
// import_recovery with driven clocks (the steady epoch of the second adapter differs, as a new
// process's does), and the server's snapshot round trip with a real client session.
#include "harness.hpp"

#include <kibitz/socketio/adapter.hpp>
#include <kibitz/socketio/server.hpp>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

using namespace kibitz;
using namespace kibitz::socketio;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t unix_t0 = 1'800'000'000'000; // the Unix ms of the first process's `now`

// A memory_adapter with a clock the test sets; deliveries are not looked at.
struct node {
    util::time_point now;
    memory_adapter adapter;

    explicit node(util::time_point start, std::optional<recovery_options> recovery)
        : now(start), adapter(make_context(std::move(recovery))) {}

    adapter_context make_context(std::optional<recovery_options> recovery) {
        adapter_context ctx;
        ctx.nsp = "/";
        ctx.recovery = std::move(recovery);
        ctx.clock = [this] { return now; };
        ctx.deliver = [](std::string const&, frames const&, bool) {};
        ctx.socket_by_id = [](std::string const&) { return socket_ptr{}; };
        return ctx;
    }

    void emit(std::string const& text, std::set<std::string> rooms) {
        broadcast_options o;
        o.rooms = std::move(rooms);
        adapter.broadcast(packet{packet_type::event, "/", std::nullopt, json::array({"e", text})},
                          o);
    }
    void disconnect(std::string const& sid, std::set<std::string> rooms) {
        adapter.persist_session({sid, "pid-" + sid, std::move(rooms), {{"k", sid}}, now});
    }
};

recovery_options window(util::duration d) {
    recovery_options r;
    r.max_disconnection_duration = d;
    return r;
}

// Two processes: the first's steady clock starts at 1000 s, the second's at 5 s (its own epoch).
node first(util::duration w = 120s) {
    return node(util::time_point(1000s), window(w));
}
node second(util::duration w = 120s) {
    return node(util::time_point(5s), window(w));
}

std::vector<std::string> texts(restored_session const& r) {
    std::vector<std::string> out;
    for (auto const& d : r.missed)
        out.push_back(d.at(1).get<std::string>() + "@" + d.back().get<std::string>());
    return out;
}

// A snapshot of one namespace: a's session (rooms r), "one" before and "two" after its
// disconnect; b stays connected (no session).
json one_namespace() {
    auto n = first();
    n.adapter.add_all("a", {"a", "r"});
    n.emit("one", {"r"});
    n.now += 1s;
    n.disconnect("a", {"a", "r"});
    n.adapter.del_all("a");
    n.emit("two", {"r"});
    n.emit("elsewhere", {"q"});
    return n.adapter.export_recovery(unix_t0 + 1000);
}

} // namespace

TEST(recovery_snapshot, restores_a_session_and_what_it_missed_in_the_next_process) {
    auto part = one_namespace();
    auto n = second();
    auto r = n.adapter.import_recovery(part, unix_t0 + 3000); // two seconds later
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.sessions, 1u);
    EXPECT_EQ(r.packets, 3u);
    EXPECT_EQ(r.expired, 0u);
    auto restored = n.adapter.restore_session("pid-a", "1");
    ASSERT_TRUE(restored);
    EXPECT_EQ(restored->session.sid, "a");
    EXPECT_EQ(restored->session.rooms, (std::set<std::string>{"a", "r"}));
    EXPECT_EQ(restored->session.data, (json{{"k", "a"}}));
    EXPECT_EQ(texts(*restored), std::vector<std::string>{"two@2"});
    EXPECT_FALSE(n.adapter.restore_session("pid-a", "1")) << "once";
}

TEST(recovery_snapshot, keeps_the_disconnect_time_across_the_restart) {
    // Disconnected at unix_t0 + 1000 with a 120 s window: restorable until unix_t0 + 121000.
    auto part = one_namespace();
    auto n = second();
    ASSERT_TRUE(n.adapter.import_recovery(part, unix_t0 + 21000).ok()); // 20 s after
    n.now += 100s;                                                      // the window's end
    EXPECT_TRUE(n.adapter.restore_session("pid-a", "1"));
    auto late = second();
    ASSERT_TRUE(late.adapter.import_recovery(part, unix_t0 + 21000).ok());
    late.now += 100s + 1ms;
    EXPECT_FALSE(late.adapter.restore_session("pid-a", "1"));
}

TEST(recovery_snapshot, drops_what_the_window_has_passed_on_import) {
    auto part = one_namespace(); // packet "one" at unix_t0, the session and the rest at +1000
    auto n = second();
    auto r = n.adapter.import_recovery(part, unix_t0 + 120500);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.expired, 1u) << "only the first packet is past the window";
    EXPECT_EQ(r.sessions, 1u);
    EXPECT_EQ(n.adapter.stored_packets(), 2u);
    EXPECT_FALSE(n.adapter.restore_session("pid-a", "1")) << "its offset is gone";
    auto gone = second();
    auto all = gone.adapter.import_recovery(part, unix_t0 + 121001);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all.expired, 4u);
    EXPECT_EQ(gone.adapter.stored_sessions(), 0u);
    EXPECT_EQ(gone.adapter.stored_packets(), 0u);
}

TEST(recovery_snapshot, a_time_after_now_counts_as_now) {
    // The wall clock went back 1 h between the processes: the window still starts at most now.
    auto part = one_namespace();
    auto n = second(10s);
    ASSERT_TRUE(n.adapter.import_recovery(part, unix_t0 - 3'600'000).ok());
    EXPECT_EQ(n.adapter.stored_sessions(), 1u);
    n.now += 10s + 1ms;
    EXPECT_FALSE(n.adapter.restore_session("pid-a", "1"));
}

TEST(recovery_snapshot, continues_the_offsets_of_the_snapshot) {
    auto part = one_namespace();
    auto n = second();
    ASSERT_TRUE(n.adapter.import_recovery(part, unix_t0 + 2000).ok());
    n.adapter.add_all("c", {"c", "r"});
    n.emit("new", {"r"});
    n.now += 1s;
    n.disconnect("c", {"c", "r"});
    n.adapter.del_all("c");
    n.emit("after", {"r"});
    // Offsets 1..3 came from the snapshot: the new ones are 4 and 5, and an old one is found.
    auto c = n.adapter.restore_session("pid-c", "4");
    ASSERT_TRUE(c);
    EXPECT_EQ(texts(*c), std::vector<std::string>{"after@5"});
    auto a = n.adapter.restore_session("pid-a", "1");
    ASSERT_TRUE(a);
    EXPECT_EQ(texts(*a), (std::vector<std::string>{"two@2", "new@4", "after@5"}));
}

TEST(recovery_snapshot, survives_a_second_restart) {
    auto part = one_namespace();
    auto n = second();
    ASSERT_TRUE(n.adapter.import_recovery(part, unix_t0 + 2000).ok());
    auto again = n.adapter.export_recovery(unix_t0 + 2000);
    auto third = node(util::time_point(77s), window(120s));
    ASSERT_TRUE(third.adapter.import_recovery(again, unix_t0 + 4000).ok());
    third.now += 2s;
    EXPECT_EQ(again, third.adapter.export_recovery(unix_t0 + 6000)) << "the same times, as Unix ms";
    auto a = third.adapter.restore_session("pid-a", "1");
    ASSERT_TRUE(a);
    EXPECT_EQ(texts(*a), std::vector<std::string>{"two@2"});
}

TEST(recovery_snapshot, keeps_a_session_already_kept) {
    auto part = one_namespace();
    auto n = second();
    n.adapter.persist_session({"a2", "pid-a", {"x"}, json(), n.now});
    auto r = n.adapter.import_recovery(part, unix_t0 + 2000);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.sessions, 0u);
    auto kept = n.adapter.restore_session("pid-a", "1");
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->session.sid, "a2");
}

TEST(recovery_snapshot, refuses_when_recovery_is_off_or_offsets_were_handed_out) {
    auto part = one_namespace();
    node off(util::time_point(5s), std::nullopt);
    EXPECT_FALSE(off.adapter.import_recovery(part, unix_t0).ok());
    auto busy = second();
    busy.emit("already", {});
    auto r = busy.adapter.import_recovery(part, unix_t0);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.error.find("handed out"), std::string::npos) << r.error;
    EXPECT_EQ(busy.adapter.stored_sessions(), 0u);
}

// Each change makes a part that is not one the adapter wrote: refused, nothing kept, and the
// same adapter still imports a good part afterwards.
TEST(recovery_snapshot, refuses_bad_input_and_keeps_nothing_of_it) {
    std::vector<std::pair<char const*, std::function<void(json&)>>> const cases = {
        {"not an object", [](json& p) { p = json::array(); }},
        {"no next_offset", [](json& p) { p.erase("next_offset"); }},
        {"negative next_offset", [](json& p) { p["next_offset"] = -1; }},
        {"huge next_offset", [](json& p) { p["next_offset"] = (std::uint64_t{1} << 62) + 1; }},
        {"sessions not a list", [](json& p) { p["sessions"] = json::object(); }},
        {"no packets", [](json& p) { p.erase("packets"); }},
        {"session without pid", [](json& p) { p["sessions"][0].erase("pid"); }},
        {"empty sid", [](json& p) { p["sessions"][0]["sid"] = ""; }},
        {"pid too long", [](json& p) { p["sessions"][0]["pid"] = std::string(257, 'p'); }},
        {"room not a string", [](json& p) { p["sessions"][0]["rooms"] = json::array({1}); }},
        {"time a string", [](json& p) { p["sessions"][0]["disconnected_at"] = "now"; }},
        {"time too large", [](json& p) { p["sessions"][0]["disconnected_at"] = UINT64_MAX; }},
        {"offset 0", [](json& p) { p["packets"][0]["offset"] = "0"; }},
        {"offset 01", [](json& p) { p["packets"][0]["offset"] = "01"; }},
        {"offset a number", [](json& p) { p["packets"][0]["offset"] = 1; }},
        {"offset not digits", [](json& p) { p["packets"][0]["offset"] = "1a"; }},
        {"offsets not increasing", [](json& p) { p["packets"][1] = p["packets"][0]; }},
        {"offset past next", [](json& p) { p["next_offset"] = 2; }},
        {"data not ending in its offset", [](json& p) { p["packets"][1]["data"][2] = "9"; }},
        {"data not an event", [](json& p) { p["packets"][0]["data"] = json::array({"1"}); }},
        {"except not a list", [](json& p) { p["packets"][0]["except"] = "x"; }},
        {"local not a boolean", [](json& p) { p["packets"][0]["local"] = 1; }},
        {"time going back", [](json& p) { p["packets"][2]["emitted_at"] = unix_t0 - 5; }},
    };
    auto const good = one_namespace();
    for (auto const& [what, change] : cases) {
        auto bad = good;
        change(bad);
        auto n = second();
        EXPECT_TRUE(n.adapter.check_recovery(bad).has_value()) << what;
        auto r = n.adapter.import_recovery(bad, unix_t0 + 2000);
        EXPECT_FALSE(r.ok()) << what;
        EXPECT_EQ(r.sessions + r.packets + r.expired, 0u) << what;
        EXPECT_EQ(n.adapter.stored_sessions() + n.adapter.stored_packets(), 0u) << what;
        EXPECT_TRUE(n.adapter.import_recovery(good, unix_t0 + 2000).ok()) << what;
    }
}

namespace {
// A server with recovery whose "/" sockets join room "r" on connection.
struct process {
    boost::asio::io_context ioc;
    server io;
    std::vector<socket_ptr> sockets;

    process() : io(ioc, options()) {
        io.on_connection([this](socket_ptr s) {
            s->join("r");
            sockets.push_back(s);
        });
    }
    static server_options options() {
        server_options o;
        o.connection_state_recovery = recovery_options{};
        return o;
    }
};

// The JSON of a Socket.IO packet's text after its type digit ("0{...}", "2[...]").
json body(std::string const& packet) {
    return json::parse(packet.substr(1));
}
} // namespace

TEST(recovery_snapshot, a_client_recovers_on_a_new_server_from_the_snapshot) {
    json snapshot;
    std::string sid, pid, offset;
    {
        process old;
        kibitz::socketio::testing::polling_client c(old.ioc, old.io);
        auto hello = body(c.connect());
        sid = hello["sid"].get<std::string>();
        pid = hello["pid"].get<std::string>();
        old.io.to("r").emit("before", 1);
        auto got = c.receive();
        ASSERT_EQ(got.size(), 1u);
        offset = body(got[0]).back().get<std::string>();
        old.io.close(); // "server shutting down": kept
        old.io.to("r").emit("missed", 2);
        snapshot = old.io.export_recovery(unix_t0);
    }
    process fresh;
    fresh.io.of("/other"); // exists here, not in the snapshot: nothing to do
    auto r = fresh.io.import_recovery(snapshot, unix_t0 + 500);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.sessions, 1u);
    EXPECT_EQ(r.packets, 2u);
    kibitz::socketio::testing::polling_client c(fresh.ioc, fresh.io);
    c.send("0" + json{{"pid", pid}, {"offset", offset}}.dump());
    auto got = c.receive();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(body(got[0])["sid"], sid) << got[0];
    EXPECT_EQ(body(got[1]), (json::array({"missed", 2, std::to_string(std::stoi(offset) + 1)})));
    ASSERT_EQ(fresh.sockets.size(), 1u);
    EXPECT_TRUE(fresh.sockets[0]->recovered());
    EXPECT_TRUE(fresh.sockets[0]->rooms().count("r"));
}

TEST(recovery_snapshot, a_server_imports_a_snapshot_whole_or_not_at_all) {
    process old;
    old.io.of("/chat");
    auto snapshot = old.io.export_recovery(unix_t0);
    ASSERT_TRUE(snapshot["namespaces"].contains("/chat"));

    process foreign;
    EXPECT_EQ(foreign.io.import_recovery(json{{"format", "other"}}, unix_t0).error,
              "not a kibitz recovery snapshot");
    auto future = snapshot;
    future["version"] = 2;
    EXPECT_FALSE(foreign.io.import_recovery(future, unix_t0).ok());
    EXPECT_FALSE(foreign.io.import_recovery(json("text"), unix_t0).ok());

    // "/" is good, "/chat" is not: nothing is imported, "/" included.
    auto half = snapshot;
    half["namespaces"]["/"]["sessions"] = json::array(
        {{{"sid", "s"}, {"pid", "p"}, {"rooms", json::array()}, {"disconnected_at", unix_t0}}});
    half["namespaces"]["/chat"]["packets"] = 7;
    process target;
    target.io.of("/chat");
    auto r = target.io.import_recovery(half, unix_t0);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.error.find("/chat"), std::string::npos) << r.error;
    EXPECT_EQ(dynamic_cast<memory_adapter&>(target.io.sockets().adapter()).stored_sessions(), 0u);

    // A namespace this server does not have is skipped; the rest imports.
    process without_chat;
    auto skipped = without_chat.io.import_recovery(snapshot, unix_t0);
    ASSERT_TRUE(skipped.ok()) << skipped.error;
    EXPECT_EQ(skipped.skipped_namespaces, 1u);

    boost::asio::io_context ioc;
    server off(ioc);
    EXPECT_FALSE(off.import_recovery(snapshot, unix_t0).ok());
}
