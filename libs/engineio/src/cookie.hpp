#pragma once

#include <kibitz/engineio/options.hpp>

#include <string>
#include <string_view>

namespace kibitz::engineio::detail {

// The Set-Cookie value of the cookie option for session `sid`, attributes in npm cookie 0.7's
// order (Max-Age, Domain, Path, HttpOnly, Secure, SameSite): "io=<sid>; Path=/; HttpOnly;
// SameSite=Lax" with the defaults. An unknown same_site is left out.
std::string serialize_cookie(cookie_options const& c, std::string_view sid);

} // namespace kibitz::engineio::detail
