#pragma once

#include "config.hpp"

#include <kibitz/engineio/http.hpp>
#include <kibitz/util/metrics.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace kibitz::socketio {
class server;
}
namespace kibitz::store {
class worker;
}

namespace kibitz::app {

// Answers an HTTP request the module owns and returns true, or returns false to pass it on.
using http_route = std::function<bool(engineio::http_request const&, engineio::http_responder&)>;

// What a module gets when the binary wires it: the loop, the Socket.IO server, the store's
// worker, the configuration, a place to add HTTP routes (tried before the static pages), and
// the registry of GET /metrics, where the module adds its own gauges (the binary knows none
// of them by name). What a gauge reads must live as long as the Socket.IO server.
struct app_context {
    boost::asio::io_context& ioc;
    socketio::server& io;
    store::worker& store;
    config const& cfg;
    std::vector<http_route>& routes;
    util::metrics& metrics;
};

// The gauge `kibitz_socketio_sockets{namespace="<name>"}`: the sockets connected to the
// module's namespace `name`.
void count_sockets(app_context& ctx, std::string_view name);

// A module of the binary: `install` is called once, on the loop thread, before listening;
// the object it returns lives until shutdown, and its destructor runs before the store stops.
struct module {
    std::string name;
    std::function<std::shared_ptr<void>(app_context&)> install;
};

// The modules linked into this binary, registered by their own translation units
// (apps/kibitz/*_module.cpp) through a static `module_registration`.
std::vector<module>& modules();

struct module_registration {
    explicit module_registration(module m) { modules().push_back(std::move(m)); }
};

} // namespace kibitz::app
