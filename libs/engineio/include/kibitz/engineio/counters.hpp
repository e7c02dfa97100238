#pragma once

#include <kibitz/engineio/wire.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace kibitz::engineio {

// Engine.IO's events that instruments count (GET /metrics): plain integers the server bumps on
// its own thread at each event's site (one add, no lock, no allocation); read them on that
// thread too (server::counters()).
struct counters {
    // Polling sessions that became WebSocket sessions (the probe promoted).
    std::uint64_t upgrades = 0;
    // Requests refused with an engine.io error body, by its code (wire::request_error).
    static constexpr std::size_t request_error_count =
        static_cast<std::size_t>(wire::request_error::unsupported_protocol_version) + 1;
    std::array<std::uint64_t, request_error_count> refused{};
    // Volatile (droppable) packets not queued: the transport was busy or the session closed.
    std::uint64_t volatile_drops = 0;
    // Sessions closed because their send queue passed options::max_send_queue_bytes.
    std::uint64_t slow_client_closes = 0;
};

} // namespace kibitz::engineio
