#include "cookie.hpp"

namespace kibitz::engineio::detail {

std::string serialize_cookie(cookie_options const& c, std::string_view sid) {
    std::string out = c.name;
    out += '=';
    out += sid; // URL-safe base64: nothing to encode
    if (c.max_age >= 0) out += "; Max-Age=" + std::to_string(c.max_age);
    if (!c.domain.empty()) out += "; Domain=" + c.domain;
    if (!c.path.empty()) out += "; Path=" + c.path;
    if (c.http_only) out += "; HttpOnly";
    if (c.secure) out += "; Secure";
    if (c.same_site == "strict") out += "; SameSite=Strict";
    if (c.same_site == "lax") out += "; SameSite=Lax";
    if (c.same_site == "none") out += "; SameSite=None";
    return out;
}

} // namespace kibitz::engineio::detail
