#pragma once

#include <kibitz/util/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::admin {

// One line of server_stats' aggregatedEvents: `count` events of `type` (and `sub_type`, the
// close reason of a rawDisconnection; empty for the others) in the second starting at
// `timestamp` (ms since the Unix epoch, a whole second).
struct aggregated_event {
    std::int64_t timestamp = 0;
    std::string type;
    std::string sub_type;
    std::uint64_t count = 0;

    bool operator==(aggregated_event const&) const = default;
};

// The event types of the Admin UI's graphs (@socket.io/admin-ui lib/index.ts).
inline constexpr std::string_view event_raw_connection = "rawConnection";
inline constexpr std::string_view event_raw_disconnection = "rawDisconnection";
inline constexpr std::string_view event_packets_in = "packetsIn";
inline constexpr std::string_view event_packets_out = "packetsOut";
inline constexpr std::string_view event_bytes_in = "bytesIn";
inline constexpr std::string_view event_bytes_out = "bytesOut";

// The Admin UI's EventBuffer: events counted per (second, type, sub type) until the next
// server_stats takes them. Pure: the time of each event is given. Keys are whole seconds
// times a fixed set of types and close reasons, and the stats take them every 2 s, so it stays
// small; past `max_entries` distinct keys, further new keys are dropped (counted in dropped()).
class event_buffer {
public:
    explicit event_buffer(std::size_t max_entries = 4096) : max_entries_(max_entries) {}

    // Counts `count` events at `unix_ms`; a zero count adds nothing.
    void push(std::int64_t unix_ms, std::string_view type, std::string_view sub_type = {},
              std::uint64_t count = 1);
    // The entries in the order their keys first came, and empties the buffer.
    std::vector<aggregated_event> take();
    std::size_t size() const { return entries_.size(); }
    std::uint64_t dropped() const { return dropped_; }

private:
    std::size_t max_entries_;
    std::vector<aggregated_event> entries_;
    std::uint64_t dropped_ = 0;
};

// {timestamp, type, subType?, count}: subType only when there is one (as JSON.stringify
// leaves out Node's undefined).
json to_json(aggregated_event const& e);
json to_json(std::vector<aggregated_event> const& events);

} // namespace kibitz::admin
