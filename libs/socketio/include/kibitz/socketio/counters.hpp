#pragma once

#include <kibitz/util/histogram.hpp>

#include <array>
#include <cstdint>

namespace kibitz::socketio {

// Upper bounds of the fan-out histogram: this server's recipients of one broadcast.
inline constexpr std::array<std::uint64_t, 7> fanout_bounds = {1,     10,     100,    1000,
                                                               10000, 100000, 1000000};

// Socket.IO's events that instruments count (GET /metrics), bumped by the server on its own
// thread at each event's site: one add, no lock, no allocation (server::counters()).
struct counters {
    // Recipients on this server of each broadcast that reached at least one (the adapter's
    // local delivery, with or without ack).
    util::histogram_counts fanout{fanout_bounds};
    // Acks a client did not send within their timeout (emit_with_ack, timeout(ms).emit, and
    // each recipient of a broadcast with ack).
    std::uint64_t ack_timeouts = 0;
    // Volatile packets dropped because the socket's transport could not take them at once
    // (engineio::counters::volatile_drops counts those the engine itself refused).
    std::uint64_t volatile_drops = 0;
};

} // namespace kibitz::socketio
