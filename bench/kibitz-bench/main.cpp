// kibitz-bench: a load generator that speaks Socket.IO v5 over Engine.IO v4 WebSocket itself,
// single-threaded, for any server of the bench protocol (PROTOCOL.md, "Example servers"): the
// Kibitz bench-server and the Node reference in bench/node/. Prints one JSON line per run.
#include "measure.hpp"
#include "options.hpp"
#include "runner.hpp"

#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
    auto opts = kibitz::bench::parse_options(argc, argv);
    if (!opts) return 2;
    // One descriptor per connection, and some to spare.
    auto limit = kibitz::bench::raise_fd_limit(static_cast<long>(opts->clients) + 1024);
    if (limit < static_cast<long>(opts->clients) + 16) {
        std::cerr << "kibitz-bench: open-file limit " << limit << " is too low for "
                  << opts->clients << " clients\n";
        return 1;
    }
    std::signal(SIGPIPE, SIG_IGN);
    kibitz::bench::runner r(*opts);
    auto result = r.run();
    std::cout << result.dump() << std::endl;
    auto connected = result["connected"].get<std::size_t>();
    return connected >= 2 ? 0 : 1;
}
