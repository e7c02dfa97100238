#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kibitz::http {

// True when `host` (a Host header: name or address, optional port) names this machine's
// loopback: "localhost", "x.localhost", 127.0.0.0/8 or [::1].
bool is_loopback_host(std::string_view host);

// True when the Host header is admitted for a server bound to a loopback address (or with a
// non-empty list): loopback names, and the names in `allowed` (port ignored; "*" for any).
bool host_allowed(std::string_view host, std::vector<std::string> const& allowed);

} // namespace kibitz::http
