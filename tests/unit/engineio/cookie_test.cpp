#include "cookie.hpp"

#include <gtest/gtest.h>

using namespace kibitz::engineio;
using namespace kibitz::engineio::detail;

TEST(serialize_cookie, the_defaults_are_nodes) {
    // engine.io's defaults {name: "io", path: "/", httpOnly: true, sameSite: "lax"}, as npm
    // cookie 0.7 serializes them.
    EXPECT_EQ(serialize_cookie(cookie_options{}, "abc"), "io=abc; Path=/; HttpOnly; SameSite=Lax");
}

TEST(serialize_cookie, writes_attributes_in_npm_cookies_order) {
    cookie_options c;
    c.name = "sticky";
    c.max_age = 3600;
    c.domain = "example.com";
    c.path = "/socket.io";
    c.secure = true;
    c.same_site = "none";
    EXPECT_EQ(serialize_cookie(c, "s1"), "sticky=s1; Max-Age=3600; Domain=example.com; "
                                         "Path=/socket.io; HttpOnly; Secure; SameSite=None");
    c = cookie_options{};
    c.path.clear();
    c.http_only = false;
    c.same_site = "strict";
    EXPECT_EQ(serialize_cookie(c, "x"), "io=x; SameSite=Strict");
    c.same_site = "bogus";
    EXPECT_EQ(serialize_cookie(c, "x"), "io=x");
}
