#include <kibitz/socketio/adapter.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

using namespace kibitz;
using namespace kibitz::socketio;

namespace {

using namespace std::chrono_literals;

// A memory_adapter on a context of its own: a clock the test sets, and a deliver function that
// records what each socket would receive (the Engine.IO text of each packet: "4" + Socket.IO).
struct fixture {
    util::time_point now{};
    std::map<std::string, std::vector<std::string>> received; // sid -> text frames
    std::map<std::string, std::size_t> acks_owed;             // sid -> acks registered
    std::size_t ack_limit = 1000;
    memory_adapter adapter;

    explicit fixture(std::optional<recovery_options> recovery = recovery_options{})
        : adapter(make_context(std::move(recovery))) {}

    adapter_context make_context(std::optional<recovery_options> recovery) {
        adapter_context ctx;
        ctx.nsp = "/";
        ctx.recovery = std::move(recovery);
        ctx.clock = [this] { return now; };
        ctx.deliver = [this](std::string const& sid, frames const& parts, bool) {
            received[sid].emplace_back(parts.at(0)->payload());
        };
        ctx.deliver_with_ack = [this](std::string const& sid, std::uint64_t, frames const& parts,
                                      bool, util::duration, ack_handler) {
            if (acks_owed[sid] >= ack_limit) return false;
            ++acks_owed[sid];
            received[sid].emplace_back(parts.at(0)->payload());
            return true;
        };
        ctx.socket_by_id = [](std::string const&) { return socket_ptr{}; };
        return ctx;
    }

    // A socket as the namespace connects it: in its own room, and in `rooms`.
    void join(std::string const& sid, std::set<std::string> rooms = {}) {
        rooms.insert(sid);
        adapter.add_all(sid, rooms);
    }

    void emit(std::string const& text, broadcast_options opts = {}) {
        adapter.broadcast(packet{packet_type::event, "/", std::nullopt, json::array({"e", text})},
                          opts);
    }

    void persist(std::string const& sid, std::set<std::string> rooms) {
        adapter.persist_session({sid, "pid-" + sid, std::move(rooms), json::object(), now});
    }
};

recovery_options window(util::duration d) {
    recovery_options r;
    r.max_disconnection_duration = d;
    return r;
}

broadcast_options to(std::set<std::string> rooms, std::set<std::string> except = {}) {
    broadcast_options o;
    o.rooms = std::move(rooms);
    o.except = std::move(except);
    return o;
}

} // namespace

TEST(memory_adapter, keeps_the_two_room_maps_in_step) {
    fixture f;
    f.join("a", {"r1", "r2"});
    f.join("b", {"r1"});
    EXPECT_EQ(f.adapter.rooms(), (std::set<std::string>{"a", "b", "r1", "r2"}));
    f.adapter.del("a", "r2");
    EXPECT_EQ(f.adapter.rooms(), (std::set<std::string>{"a", "b", "r1"}));
    EXPECT_EQ(f.adapter.socket_rooms("a"), (std::set<std::string>{"a", "r1"}));
    f.adapter.del_all("a");
    EXPECT_TRUE(f.adapter.socket_rooms("a").empty());
    EXPECT_EQ(f.adapter.rooms(), (std::set<std::string>{"b", "r1"}));
    EXPECT_EQ(f.adapter.local_sids(to({"r1"})), (std::vector<std::string>{"b"}));
}

TEST(memory_adapter, reports_each_room_change_once_after_the_index_is_consistent) {
    std::vector<std::string> changes; // "+room sid" / "-room sid", with the rooms seen then
    fixture f;
    auto ctx = f.make_context(std::nullopt);
    memory_adapter* self = nullptr;
    ctx.room_changed = [&](std::string const& room, std::string const& sid, bool joined) {
        // The index already says what the change says.
        EXPECT_EQ(self->socket_rooms(sid).count(room) == 1, joined);
        changes.push_back((joined ? "+" : "-") + room + " " + sid);
    };
    memory_adapter a(std::move(ctx));
    self = &a;
    a.add_all("s", {"s", "r1"});
    a.add_all("s", {"r1"}); // already in it: no change
    a.del("s", "r2");       // never in it: no change
    a.del("s", "r1");
    a.add_all("s", {"r3"});
    a.del_all("s");
    a.del_all("s"); // gone already
    EXPECT_EQ(changes,
              (std::vector<std::string>{"+r1 s", "+s s", "-r1 s", "+r3 s", "-r3 s", "-s s"}));
}

TEST(memory_adapter, delivers_once_to_a_socket_in_several_selected_rooms) {
    fixture f(std::nullopt);
    f.join("a", {"r1", "r2"});
    f.join("b", {"r2"});
    f.join("c", {"r3"});
    f.emit("x", to({"r1", "r2"}, {"b"}));
    EXPECT_EQ(f.received["a"], (std::vector<std::string>{R"(42["e","x"])"}));
    EXPECT_TRUE(f.received["b"].empty());
    EXPECT_TRUE(f.received["c"].empty());
}

TEST(memory_adapter, treats_a_socket_s_own_room_as_any_other_room) {
    // The own room is kept as a flag of the socket's entry, not as a room entry: every view of
    // the index must still show it, alone or beside sockets that joined a room of that name.
    fixture f(std::nullopt);
    f.join("a");
    f.join("b", {"a"}); // a room named like socket a
    f.join("c", {"r"});
    EXPECT_EQ(f.adapter.rooms(), (std::set<std::string>{"a", "b", "c", "r"}));
    EXPECT_EQ(f.adapter.socket_rooms("a"), (std::set<std::string>{"a"}));
    EXPECT_EQ(f.adapter.socket_rooms("b"), (std::set<std::string>{"a", "b"}));
    f.emit("to-a", to({"a"}));
    f.emit("not-a", to({}, {"a"}));
    f.emit("c-or-a", to({"c", "a"}, {"b"}));
    EXPECT_EQ(f.received["a"],
              (std::vector<std::string>{R"(42["e","to-a"])", R"(42["e","c-or-a"])"}));
    EXPECT_EQ(f.received["b"], (std::vector<std::string>{R"(42["e","to-a"])"}));
    EXPECT_EQ(f.received["c"],
              (std::vector<std::string>{R"(42["e","not-a"])", R"(42["e","c-or-a"])"}));
    // Leaving its own room: a is no longer reached through it, b still is.
    f.adapter.del("a", "a");
    EXPECT_EQ(f.adapter.socket_rooms("a"), (std::set<std::string>{}));
    EXPECT_EQ(f.adapter.local_sids(to({"a"})), (std::vector<std::string>{"b"}));
    f.adapter.del("b", "a");
    EXPECT_EQ(f.adapter.rooms(), (std::set<std::string>{"b", "c", "r"}));
    EXPECT_TRUE(f.adapter.local_sids(to({"a"})).empty());
    // Namespace-wide, a socket in no room at all is still reached.
    EXPECT_EQ(f.adapter.local_sids({}).size(), 3u);
    f.adapter.add_all("a", {"a"});
    EXPECT_EQ(f.adapter.local_sids(to({"a"})), (std::vector<std::string>{"a"}));
}

TEST(memory_adapter, without_recovery_adds_no_offset_and_keeps_nothing) {
    fixture f(std::nullopt);
    f.join("a");
    f.emit("x");
    f.persist("a", {"a"});
    EXPECT_EQ(f.received["a"], (std::vector<std::string>{R"(42["e","x"])"}));
    EXPECT_EQ(f.adapter.stored_packets(), 0u);
    EXPECT_EQ(f.adapter.stored_sessions(), 0u);
    EXPECT_FALSE(f.adapter.restore_session("pid-a", "1"));
}

TEST(memory_adapter, restores_a_session_with_only_the_events_meant_for_it) {
    fixture f;
    f.join("a", {"r1"});
    f.join("b");
    f.emit("seen");                   // offset 1: the last one "a" got
    f.persist("a", {"a", "r1"});      // "a" went away abnormally
    f.emit("to r1", to({"r1"}));      // 2: missed
    f.emit("to b", to({"b"}));        // 3: not for "a"
    f.emit("not r1", to({}, {"r1"})); // 4: "a" is excluded
    f.emit("all");                    // 5: missed
    auto r = f.adapter.restore_session("pid-a", "1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->session.sid, "a");
    EXPECT_EQ(r->missed, (std::vector<json>{json::array({"e", "to r1", "2"}),
                                            json::array({"e", "all", "5"})}));
    // A session is restored once.
    EXPECT_FALSE(f.adapter.restore_session("pid-a", "1"));
}

TEST(memory_adapter, refuses_an_unknown_offset) {
    fixture f;
    f.join("a");
    f.emit("x");
    f.persist("a", {"a"});
    EXPECT_FALSE(f.adapter.restore_session("pid-a", "99"));
}

TEST(memory_adapter, refuses_a_session_past_its_window_even_before_pruning) {
    fixture f(window(1000ms));
    f.join("a");
    f.emit("x");
    f.persist("a", {"a"});
    f.now += 1001ms;
    EXPECT_FALSE(f.adapter.restore_session("pid-a", "1"));
    EXPECT_EQ(f.adapter.stored_sessions(), 0u);
}

TEST(memory_adapter, restores_a_session_at_the_end_of_its_window) {
    fixture f(window(1000ms));
    f.join("a");
    f.emit("x");
    f.persist("a", {"a"});
    f.now += 1000ms;
    f.adapter.prune(f.now);
    EXPECT_TRUE(f.adapter.restore_session("pid-a", "1"));
}

TEST(memory_adapter, prunes_packets_and_sessions_past_the_recovery_window) {
    fixture f(window(1000ms));
    f.join("a");
    f.join("b");
    f.emit("old");
    f.persist("a", {"a"});
    f.now += 600ms;
    f.emit("new");
    f.persist("b", {"b"});
    EXPECT_EQ(f.adapter.stored_packets(), 2u);
    EXPECT_EQ(f.adapter.stored_sessions(), 2u);

    f.adapter.prune(f.now + 1001ms - 600ms);
    EXPECT_EQ(f.adapter.stored_packets(), 1u);
    EXPECT_EQ(f.adapter.stored_sessions(), 1u);
    // The pruned offset is gone for good; the later one is still known.
    EXPECT_FALSE(f.adapter.restore_session("pid-b", "1"));
    f.persist("b", {"b"});
    EXPECT_TRUE(f.adapter.restore_session("pid-b", "2"));

    f.adapter.prune(f.now + 1001ms);
    EXPECT_EQ(f.adapter.stored_packets(), 0u);
    EXPECT_EQ(f.adapter.stored_sessions(), 0u);
}

TEST(memory_adapter, keeps_offsets_increasing_across_compaction) {
    fixture f(window(10ms));
    f.join("a");
    for (int i = 0; i < 100; ++i) {
        f.emit("x");
        f.now += 1ms;
        f.adapter.prune(f.now);
    }
    EXPECT_LE(f.adapter.stored_packets(), 11u);
    f.persist("a", {"a"});
    f.emit("last");
    auto r = f.adapter.restore_session("pid-a", "100");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->missed, (std::vector<json>{json::array({"e", "last", "101"})}));
}

TEST(memory_adapter, gives_acked_and_volatile_events_no_offset) {
    fixture f;
    f.join("a");
    broadcast_options v;
    v.is_volatile = true;
    f.emit("v", v);
    f.adapter.broadcast(packet{packet_type::event, "/", 7, json::array({"e", "acked"})}, {});
    EXPECT_EQ(f.adapter.stored_packets(), 0u);
    EXPECT_EQ(f.received["a"], (std::vector<std::string>{R"(42["e","v"])", R"(427["e","acked"])"}));
}

TEST(memory_adapter, counts_only_the_recipients_that_take_an_ack) {
    fixture f;
    f.join("a");
    f.join("b");
    f.acks_owed["b"] = f.ack_limit; // "b" owes max_pending_acks already
    std::size_t counted = 99;
    f.adapter.broadcast_with_ack(
        packet{packet_type::event, "/", 3, json::array({"e"})}, {},
        [&](std::size_t n) { counted = n; }, [](json) {});
    EXPECT_EQ(counted, 1u);
    EXPECT_EQ(f.received["a"], (std::vector<std::string>{R"(423["e"])"}));
    EXPECT_TRUE(f.received["b"].empty());
}
