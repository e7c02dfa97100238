#include "http_compression.hpp"

#include <gtest/gtest.h>

#include <zlib.h>

#include <optional>
#include <string>

using namespace kibitz::engineio::detail;

namespace {
// Inflates a whole gzip (wbits 31) or zlib (wbits 15) stream; empty on any error.
std::string inflate_all(std::string const& in, int wbits) {
    z_stream z{};
    if (inflateInit2(&z, wbits) != Z_OK) return {};
    std::string out(1 << 20, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&z, Z_FINISH);
    out.resize(z.total_out);
    inflateEnd(&z);
    return rc == Z_STREAM_END ? out : std::string();
}
std::optional<std::string> header(kibitz::engineio::http_response const& r, std::string_view name) {
    for (auto const& [n, v] : r.headers)
        if (kibitz::engineio::header_name_equals(n, name)) return v;
    return std::nullopt;
}
} // namespace

TEST(choose_coding, no_header_or_nothing_acceptable_is_identity) {
    EXPECT_EQ(choose_coding(std::nullopt), content_coding::identity);
    EXPECT_EQ(choose_coding(""), content_coding::identity);
    EXPECT_EQ(choose_coding("br, identity"), content_coding::identity);
    EXPECT_EQ(choose_coding("gzip;q=0, deflate;q=0"), content_coding::identity);
}

TEST(choose_coding, prefers_gzip_when_both_are_equally_welcome) {
    EXPECT_EQ(choose_coding("gzip, deflate, br"), content_coding::gzip);
    EXPECT_EQ(choose_coding("*"), content_coding::gzip);
    // negotiator: at equal q, the one listed first in the header.
    EXPECT_EQ(choose_coding("deflate, gzip"), content_coding::deflate);
}

TEST(choose_coding, follows_q_values) {
    EXPECT_EQ(choose_coding("gzip;q=0.5, deflate"), content_coding::deflate);
    EXPECT_EQ(choose_coding("gzip;q=0.9, deflate;q=0.8"), content_coding::gzip);
    EXPECT_EQ(choose_coding("GZIP ; Q=1.0"), content_coding::gzip);
    EXPECT_EQ(choose_coding("deflate;q=0.001"), content_coding::deflate);
}

TEST(choose_coding, q_zero_refuses_even_under_a_wildcard) {
    // The exact entry is more specific than "*": gzip is refused, deflate comes from "*".
    EXPECT_EQ(choose_coding("gzip;q=0, *"), content_coding::deflate);
    EXPECT_EQ(choose_coding("*, gzip;q=0"), content_coding::deflate);
    EXPECT_EQ(choose_coding("*;q=0"), content_coding::identity);
    EXPECT_EQ(choose_coding("*;q=0, gzip"), content_coding::gzip);
}

TEST(choose_coding, skips_malformed_entries_without_throwing) {
    EXPECT_EQ(choose_coding("gzip;q=2, deflate"), content_coding::deflate);
    EXPECT_EQ(choose_coding("gzip;q=abc"), content_coding::identity);
    EXPECT_EQ(choose_coding(",,;;, ;q=1,gzip"), content_coding::gzip);
    EXPECT_EQ(choose_coding("gzip;q=0.12345"), content_coding::identity);
    EXPECT_EQ(choose_coding(std::string(10000, ',') + "deflate"), content_coding::deflate);
}

TEST(compress_body, gzip_and_deflate_round_trip) {
    std::string body;
    for (int i = 0; i < 500; ++i)
        body += "4[\"chat message\",\"hello " + std::to_string(i) + "\"]\x1e";
    auto gz = compress_body(body, content_coding::gzip);
    ASSERT_TRUE(gz);
    EXPECT_LT(gz->size(), body.size() / 4);
    EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f); // gzip magic
    EXPECT_EQ(inflate_all(*gz, 15 + 16), body);
    auto zl = compress_body(body, content_coding::deflate);
    ASSERT_TRUE(zl);
    EXPECT_EQ(inflate_all(*zl, 15), body);
}

TEST(compress_body, identity_is_not_compressed) {
    EXPECT_FALSE(compress_body("abc", content_coding::identity));
    auto empty = compress_body("", content_coding::gzip);
    ASSERT_TRUE(empty);
    EXPECT_EQ(inflate_all(*empty, 31), "");
}

TEST(compress_response, compresses_from_the_threshold_on) {
    kibitz::engineio::http_compression_options opts; // on, 1024 bytes
    kibitz::engineio::http_response small;
    small.body = std::string(1023, 'a');
    compress_response(small, content_coding::gzip, opts);
    EXPECT_EQ(small.body, std::string(1023, 'a'));
    EXPECT_FALSE(header(small, "Content-Encoding"));

    kibitz::engineio::http_response big;
    big.body = std::string(1024, 'a');
    compress_response(big, content_coding::gzip, opts);
    EXPECT_EQ(header(big, "Content-Encoding"), "gzip");
    EXPECT_EQ(inflate_all(big.body, 31), std::string(1024, 'a'));

    kibitz::engineio::http_response plain;
    plain.body = std::string(5000, 'a');
    compress_response(plain, content_coding::identity, opts);
    EXPECT_EQ(plain.body.size(), 5000u);
    opts.enabled = false;
    compress_response(plain, content_coding::deflate, opts);
    EXPECT_EQ(plain.body.size(), 5000u);
    EXPECT_FALSE(header(plain, "Content-Encoding"));
}
