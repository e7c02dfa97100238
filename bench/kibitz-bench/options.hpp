#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace kibitz::bench {

// What to measure (kibitz-bench --help prints the same list).
struct options {
    std::string scenario = "fanout"; // fanout | private | connections
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;
    std::size_t clients = 1000;
    double warmup = 1;   // seconds of load before measuring
    double duration = 5; // seconds measured
    double drain = 5;    // at most this long after the load stops, for the last messages
    double hold = 3;     // connections: seconds the idle connections are held
    // Closed loop: messages in flight (fanout: broadcasts, private: dms); 0 picks a default.
    std::size_t window = 0;
    double rate = 0; // fanout open loop: broadcasts per second (0: closed loop)
    int server_pid = 0;
    std::string label;
    std::string case_name;
    int run = 0;
    std::size_t sources = 4;       // source addresses 127.0.0.1.. when the server is on loopback
    std::size_t concurrency = 256; // connections being opened at once
    double connect_timeout = 120;
    std::uint64_t seed = 1;
    bool tls = false; // wss:// (the server's certificate is not checked: a load tool)
};

// Parses the command line; prints usage and returns nullopt on an error or --help.
std::optional<options> parse_options(int argc, char** argv);

} // namespace kibitz::bench
