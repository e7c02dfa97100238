#include "options.hpp"

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace kibitz::bench {

namespace {
constexpr char const* usage =
    R"(usage: kibitz-bench [options]   (one JSON line per run on stdout)
  --scenario fanout|private|connections
      fanout: N clients, client 0 sends `chat message` broadcasts; deliveries/s, latency, lost
      private: N clients send `dm` to random others by socket id; messages/s, latency, lost
      connections: N idle connections held with pings answered; connects/s, server RSS/conn
  --host H --port P        the server (default 127.0.0.1:3000)
  --clients N              (default 1000)
  --warmup S --duration S  seconds of load before measuring, seconds measured (1, 5)
  --window W               closed loop: broadcasts (fanout) or dms (private) in flight
  --rate R                 fanout open loop: R broadcasts per second
  --drain S                wait at most S seconds for the last messages (5)
  --hold S                 connections: hold the idle connections S seconds (3)
  --server-pid PID         read the server's CPU time and RSS from /proc
  --label NAME --case NAME --run I   copied into the JSON line
  --sources K              source addresses 127.0.0.1..K on loopback (4)
  --concurrency C          connections being opened at once (256)
  --seed X
  --tls 1                  WebSocket over TLS (wss://; the certificate is not verified)
)";

bool set(options& o, std::string_view flag, char const* value) {
    auto num = [&] { return std::strtod(value, nullptr); };
    auto count = [&] { return static_cast<std::size_t>(std::strtoull(value, nullptr, 10)); };
    if (flag == "--scenario")
        o.scenario = value;
    else if (flag == "--tls")
        o.tls = std::string_view(value) == "1";
    else if (flag == "--host")
        o.host = value;
    else if (flag == "--port")
        o.port = static_cast<std::uint16_t>(count());
    else if (flag == "--clients")
        o.clients = count();
    else if (flag == "--warmup")
        o.warmup = num();
    else if (flag == "--duration")
        o.duration = num();
    else if (flag == "--drain")
        o.drain = num();
    else if (flag == "--hold")
        o.hold = num();
    else if (flag == "--window")
        o.window = count();
    else if (flag == "--rate")
        o.rate = num();
    else if (flag == "--server-pid")
        o.server_pid = static_cast<int>(count());
    else if (flag == "--label")
        o.label = value;
    else if (flag == "--case")
        o.case_name = value;
    else if (flag == "--run")
        o.run = static_cast<int>(count());
    else if (flag == "--sources")
        o.sources = count();
    else if (flag == "--concurrency")
        o.concurrency = count();
    else if (flag == "--connect-timeout")
        o.connect_timeout = num();
    else if (flag == "--seed")
        o.seed = count();
    else
        return false;
    return true;
}
} // namespace

std::optional<options> parse_options(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; i += 2) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h" || i + 1 >= argc || !set(o, flag, argv[i + 1])) {
            std::cerr << usage;
            return std::nullopt;
        }
    }
    bool known = o.scenario == "fanout" || o.scenario == "private" || o.scenario == "connections";
    if (!known || o.clients < 2 || o.concurrency == 0) {
        std::cerr << usage;
        return std::nullopt;
    }
    if (o.sources == 0) o.sources = 1;
    return o;
}

} // namespace kibitz::bench
