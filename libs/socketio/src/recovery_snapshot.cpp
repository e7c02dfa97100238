// Connection state recovery across a restart: the snapshot of what the memory adapters keep
// (server::export_recovery, server::import_recovery hold the contract). One JSON document:
//   {"format": "kibitz-recovery", "version": 1, "written_at": <unix ms>,
//    "namespaces": {"/chat": {"next_offset": 42,
//        "sessions": [{"sid", "pid", "rooms": [..], "data", "disconnected_at": <unix ms>}],
//        "packets": [{"offset": "41", "rooms": [..], "except": [..], "local": false,
//                     "data": ["event", args..., "41"], "emitted_at": <unix ms>}]}}}
#include <kibitz/socketio/adapter.hpp>
#include <kibitz/socketio/server.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>

namespace kibitz::socketio {

namespace {

constexpr std::string_view snapshot_format = "kibitz-recovery";
constexpr int snapshot_version = 1;
// Offsets beyond this are not ours (a process would need centuries to hand them out), and
// keeping them far from the top of std::uint64_t means ++next_offset_ never wraps.
constexpr std::uint64_t max_offset = std::uint64_t{1} << 62;
// Socket ids and private ids are 20 and 22 characters; anything this long is not ours.
constexpr std::size_t max_id_length = 256;

std::int64_t to_unix(util::time_point t, util::time_point steady_now, std::int64_t unix_now) {
    using namespace std::chrono;
    return unix_now - duration_cast<milliseconds>(steady_now - t).count();
}

// The steady time of `unix_ms`; a time after `unix_now` counts as now.
util::time_point to_steady(std::int64_t unix_ms, util::time_point steady_now,
                           std::int64_t unix_now) {
    return steady_now - util::duration(unix_now - std::min(unix_ms, unix_now));
}

std::optional<std::int64_t> read_time(json const& j) {
    if (j.is_number_unsigned()) {
        auto v = j.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(v);
    }
    if (j.is_number_integer()) return j.get<std::int64_t>();
    return std::nullopt;
}

std::optional<std::uint64_t> read_offset(json const& j) {
    if (!j.is_string()) return std::nullopt;
    auto const& s = j.get_ref<std::string const&>();
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    // Exactly as the adapter writes them: decimal, no sign, no leading zero.
    if (ec != std::errc{} || end != s.data() + s.size() || v == 0 || v > max_offset ||
        s.front() == '0')
        return std::nullopt;
    return v;
}

std::optional<std::set<std::string>> read_rooms(json const& part, char const* key) {
    auto it = part.find(key);
    if (it == part.end()) return std::set<std::string>{};
    if (!it->is_array()) return std::nullopt;
    std::set<std::string> out;
    for (auto const& room : *it) {
        if (!room.is_string()) return std::nullopt;
        out.insert(room.get<std::string>());
    }
    return out;
}

bool is_id(json const& part, char const* key) {
    auto it = part.find(key);
    return it != part.end() && it->is_string() && !it->get_ref<std::string const&>().empty() &&
           it->get_ref<std::string const&>().size() <= max_id_length;
}

// One namespace's part, checked and read (times still Unix ms).
struct staged_packet {
    std::string offset;
    broadcast_options opts;
    json data;
    std::int64_t emitted_at = 0;
};
struct staged_session {
    session_record record; // disconnected_at set on import
    std::int64_t disconnected_at = 0;
};
struct staged_part {
    std::uint64_t next_offset = 0;
    std::vector<staged_session> sessions;
    std::vector<staged_packet> packets;
};

std::optional<std::string> read_session(json const& j, staged_session& out) {
    if (!j.is_object() || !is_id(j, "sid") || !is_id(j, "pid")) return "no sid or pid";
    auto rooms = read_rooms(j, "rooms");
    if (!rooms) return "rooms is not a list of strings";
    auto at = j.find("disconnected_at");
    auto time = at == j.end() ? std::nullopt : read_time(*at);
    if (!time) return "no disconnected_at";
    out.record.sid = j["sid"].get<std::string>();
    out.record.pid = j["pid"].get<std::string>();
    out.record.rooms = std::move(*rooms);
    out.record.data = j.value("data", json());
    out.disconnected_at = *time;
    return std::nullopt;
}

std::optional<std::string> read_packet(json const& j, staged_packet& out, std::uint64_t& value) {
    if (!j.is_object()) return "not an object";
    auto offset = j.find("offset");
    auto v = offset == j.end() ? std::nullopt : read_offset(*offset);
    if (!v) return "no offset (a decimal string from 1)";
    auto rooms = read_rooms(j, "rooms");
    auto except = read_rooms(j, "except");
    if (!rooms || !except) return "rooms or except is not a list of strings";
    auto local = j.find("local");
    if (local != j.end() && !local->is_boolean()) return "local is not a boolean";
    // An EVENT's data as the client gets it: the event name first, the offset last.
    auto data = j.find("data");
    if (data == j.end() || !data->is_array() || data->size() < 2 || !data->front().is_string() ||
        data->back() != *offset)
        return "data is not [event, ..., offset]";
    auto at = j.find("emitted_at");
    auto time = at == j.end() ? std::nullopt : read_time(*at);
    if (!time) return "no emitted_at";
    value = *v;
    out.offset = offset->get<std::string>();
    out.opts.rooms = std::move(*rooms);
    out.opts.except = std::move(*except);
    out.opts.local = local != j.end() && local->get<bool>();
    out.data = *data;
    out.emitted_at = *time;
    return std::nullopt;
}

std::optional<std::string> read_sessions(json const& list, staged_part& out) {
    if (!list.is_array()) return "sessions is not a list";
    out.sessions.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        staged_session s;
        if (auto err = read_session(list[i], s))
            return "session " + std::to_string(i) + ": " + *err;
        out.sessions.push_back(std::move(s));
    }
    return std::nullopt;
}

std::optional<std::string> read_packets(json const& list, staged_part& out) {
    if (!list.is_array()) return "packets is not a list";
    out.packets.reserve(list.size());
    std::uint64_t last = 0;
    std::int64_t last_time = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i = 0; i < list.size(); ++i) {
        staged_packet p;
        std::uint64_t value = 0;
        auto where = "packet " + std::to_string(i) + ": ";
        if (auto err = read_packet(list[i], p, value)) return where + *err;
        // Oldest first, as the adapter keeps them: its pruning and its lookups rely on it.
        if (value <= last) return where + "offsets do not increase";
        if (value > out.next_offset) return where + "offset past next_offset";
        if (p.emitted_at < last_time) return where + "emitted_at goes back";
        last = value;
        last_time = p.emitted_at;
        out.packets.push_back(std::move(p));
    }
    return std::nullopt;
}

// Reads one namespace's part of a snapshot, or says why it cannot.
std::optional<std::string> read_part(json const& part, staged_part& out) {
    if (!part.is_object()) return "not an object";
    auto next = part.find("next_offset");
    if (next == part.end() || !next->is_number_unsigned() ||
        next->get<std::uint64_t>() > max_offset)
        return "no next_offset";
    out.next_offset = next->get<std::uint64_t>();
    auto sessions = part.find("sessions");
    auto packets = part.find("packets");
    if (sessions == part.end() || packets == part.end()) return "no sessions or packets";
    if (auto err = read_sessions(*sessions, out)) return err;
    return read_packets(*packets, out);
}

} // namespace

json memory_adapter::export_recovery(std::int64_t unix_now) const {
    auto const steady_now = ctx_.clock ? ctx_.clock() : util::steady_clock::now();
    json sessions = json::array();
    for (auto const& [pid, s] : sessions_)
        sessions.push_back({{"sid", s.sid},
                            {"pid", s.pid},
                            {"rooms", s.rooms},
                            {"data", s.data},
                            {"disconnected_at", to_unix(s.disconnected_at, steady_now, unix_now)}});
    json packets = json::array();
    for (auto i = first_packet_; i < packets_.size(); ++i) {
        auto const& p = packets_[i];
        packets.push_back({{"offset", p.offset},
                           {"rooms", p.opts.rooms},
                           {"except", p.opts.except},
                           {"local", p.opts.local},
                           {"data", p.data},
                           {"emitted_at", to_unix(p.emitted_at, steady_now, unix_now)}});
    }
    return {{"next_offset", next_offset_},
            {"sessions", std::move(sessions)},
            {"packets", std::move(packets)}};
}

namespace {
// Why an adapter in this state cannot import (recovery off, offsets handed out), or nullopt.
std::optional<std::string> refuses_import(bool recovery_on, std::uint64_t next_offset) {
    if (!recovery_on) return "connection state recovery is off";
    // Offsets handed out here already would interleave with the snapshot's.
    if (next_offset != 0) return "offsets were handed out already (import before any emit)";
    return std::nullopt;
}
} // namespace

std::optional<std::string> memory_adapter::check_recovery(json const& part) const {
    if (auto err = refuses_import(ctx_.recovery.has_value(), next_offset_)) return err;
    staged_part staged;
    return read_part(part, staged);
}

recovery_import memory_adapter::import_recovery(json const& part, std::int64_t unix_now) {
    recovery_import out;
    staged_part staged;
    auto err = refuses_import(ctx_.recovery.has_value(), next_offset_);
    if (!err) err = read_part(part, staged);
    if (err) {
        out.error = std::move(*err);
        return out;
    }
    auto const steady_now = ctx_.clock();
    auto const window = ctx_.recovery->max_disconnection_duration.count();
    // As prune(): what the window has passed (strictly) is gone.
    auto expired = [&](std::int64_t at) { return at < unix_now - window; };
    for (auto& s : staged.sessions) {
        if (expired(s.disconnected_at)) {
            ++out.expired;
            continue;
        }
        s.record.disconnected_at = to_steady(s.disconnected_at, steady_now, unix_now);
        auto pid = s.record.pid;
        if (sessions_.emplace(std::move(pid), std::move(s.record)).second) ++out.sessions;
    }
    for (auto& p : staged.packets) {
        if (expired(p.emitted_at)) {
            ++out.expired;
            continue;
        }
        packets_.push_back({std::move(p.offset), std::move(p.opts), std::move(p.data),
                            to_steady(p.emitted_at, steady_now, unix_now)});
        ++out.packets;
    }
    next_offset_ = std::max(next_offset_, staged.next_offset);
    return out;
}

json server::export_recovery(std::int64_t unix_now) const {
    json parts = json::object();
    for (auto const& [name, n] : namespaces_)
        if (auto const* memory = dynamic_cast<memory_adapter const*>(&n->adapter()))
            parts[name] = memory->export_recovery(unix_now);
    return {{"format", snapshot_format},
            {"version", snapshot_version},
            {"written_at", unix_now},
            {"namespaces", std::move(parts)}};
}

namespace {
std::optional<std::string> check_envelope(json const& snapshot, bool recovery_on) {
    if (!recovery_on) return "connection state recovery is off";
    if (!snapshot.is_object() || snapshot.value("format", json()) != json(snapshot_format))
        return "not a kibitz recovery snapshot";
    if (snapshot.value("version", json()) != snapshot_version)
        return "snapshot version " + snapshot.value("version", json()).dump() + " is not " +
               std::to_string(snapshot_version);
    auto parts = snapshot.find("namespaces");
    if (parts == snapshot.end() || !parts->is_object()) return "no namespaces";
    return std::nullopt;
}
} // namespace

recovery_import server::import_recovery(json const& snapshot, std::int64_t unix_now) {
    recovery_import out;
    if (auto err = check_envelope(snapshot, opts_.connection_state_recovery.has_value())) {
        out.error = std::move(*err);
        return out;
    }
    auto const& parts = snapshot["namespaces"];
    // Every part first: a snapshot is imported whole or not at all.
    std::vector<std::pair<memory_adapter*, json const*>> targets;
    for (auto const& [name, part] : parts.items()) {
        auto* n = find(name);
        auto* memory = n ? dynamic_cast<memory_adapter*>(&n->adapter()) : nullptr;
        if (!memory) {
            ++out.skipped_namespaces;
            continue;
        }
        if (auto err = memory->check_recovery(part)) {
            out = {};
            out.error = "namespace " + name + ": " + *err;
            return out;
        }
        targets.emplace_back(memory, &part);
    }
    for (auto const& [memory, part] : targets) {
        auto r = memory->import_recovery(*part, unix_now);
        out.sessions += r.sessions;
        out.packets += r.packets;
        out.expired += r.expired;
    }
    return out;
}

} // namespace kibitz::socketio
