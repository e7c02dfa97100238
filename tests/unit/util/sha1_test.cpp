#include <kibitz/util/base64.hpp>
#include <kibitz/util/sha1.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace kibitz::util;

namespace {
std::string b64_sha1(std::string const& s) {
    auto d = sha1(s);
    return base64_encode(std::string_view(reinterpret_cast<char const*>(d.data()), d.size()));
}
} // namespace

TEST(sha1, matches_fips_180_vectors) {
    EXPECT_EQ(b64_sha1("abc"), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
    EXPECT_EQ(b64_sha1(""), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
    EXPECT_EQ(b64_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "hJg+RBw70m66rkqh+VEp5eVGcPE=");
}

TEST(sha1, computes_the_rfc6455_accept_key) {
    EXPECT_EQ(b64_sha1("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
              "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(sha1, handles_lengths_around_the_block_boundary) {
    // 55, 56 and 64 bytes exercise the one- and two-block padding paths (values from Python
    // hashlib).
    EXPECT_EQ(b64_sha1(std::string(55, 'a')), "wci73CJ5bijA4VFj0giZtlYh1lo=");
    EXPECT_EQ(b64_sha1(std::string(56, 'a')), "wtszD2CDhUyZ1LW/tujynyAb5pk=");
    EXPECT_EQ(b64_sha1(std::string(64, 'a')), "AJi6gktcFkJ716ESKlpEKiXsZE0=");
}
