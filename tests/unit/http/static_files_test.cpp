#include <kibitz/http/static_files.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>

using namespace kibitz::http;
namespace fs = std::filesystem;

namespace {

void write_file(fs::path const& p, std::string_view content) {
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << content;
}

// A fresh tree per test:
//   base/root/...   the served files
//   base/outside/   files that must never be served
//   base/root2/     a sibling whose name starts with "root"
class static_files_test : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        base_ = fs::temp_directory_path() /
                ("kibitz-static-" + std::to_string(rd()) + "-" + std::to_string(rd()));
        root_ = base_ / "root";
        write_file(root_ / "index.html", "<h1>home</h1>");
        write_file(root_ / "app.js", "console.log(1)");
        write_file(root_ / "sub" / "index.html", "<h1>sub</h1>");
        write_file(root_ / "sub" / "page.html", "<p>page</p>");
        write_file(root_ / "with space.txt", "spaced");
        write_file(root_ / "a..b.txt", "dots");
        write_file(root_ / "data.bin", std::string("\0\x01\xff", 3));
        fs::create_directories(root_ / "no_index");
        write_file(base_ / "outside" / "secret.txt", "secret");
        write_file(base_ / "outside" / "index.html", "<h1>outside</h1>");
        write_file(base_ / "root2" / "secret.txt", "sibling secret");
        fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "link_out.txt");
        fs::create_symlink("../root2/secret.txt", root_ / "link_sibling.txt");
        fs::create_directory_symlink(base_ / "outside", root_ / "dir_out");
        fs::create_symlink("index.html", root_ / "link_in.html");
        fs::create_directories(root_ / "linked_index");
        fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "linked_index" / "index.html");
    }

    void TearDown() override {
        std::error_code ec;
        fs::remove_all(base_, ec);
    }

    // What serve() answers for a request, or nullopt when it declines.
    std::optional<response> get(std::string path, std::string method = "GET",
                                std::string prefix = "/") const {
        static_files files(root_, std::move(prefix));
        request req;
        req.method = std::move(method);
        req.target = path;
        req.path = std::move(path);
        std::optional<response> got;
        responder respond = [&got](response r) { got = std::move(r); };
        bool const served = files.serve(req, respond);
        EXPECT_EQ(served, got.has_value());
        return got;
    }

    std::string body_of(std::string path) const {
        auto r = get(std::move(path));
        return r ? r->body : "<not served>";
    }

    fs::path base_;
    fs::path root_;
};

std::optional<std::string> header(response const& r, std::string_view name) {
    for (auto const& [k, v] : r.headers)
        if (header_name_equals(k, name)) return v;
    return std::nullopt;
}

} // namespace

TEST_F(static_files_test, serves_a_file_below_root) {
    auto r = get("/app.js");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "console.log(1)");
    EXPECT_EQ(header(*r, "Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(body_of("/sub/page.html"), "<p>page</p>");
}

TEST_F(static_files_test, serves_binary_files_byte_for_byte) {
    EXPECT_EQ(body_of("/data.bin"), std::string("\0\x01\xff", 3));
}

TEST_F(static_files_test, serves_index_html_for_directories) {
    EXPECT_EQ(body_of("/"), "<h1>home</h1>");
    EXPECT_EQ(body_of("/sub/"), "<h1>sub</h1>");
    EXPECT_EQ(body_of("/sub"), "<h1>sub</h1>");
    auto r = get("/sub/");
    ASSERT_TRUE(r);
    EXPECT_EQ(header(*r, "Content-Type"), "text/html; charset=utf-8");
}

TEST_F(static_files_test, declines_a_directory_without_index_html) {
    EXPECT_FALSE(get("/no_index/"));
    EXPECT_FALSE(get("/no_index"));
}

TEST_F(static_files_test, declines_missing_files) {
    EXPECT_FALSE(get("/missing.html"));
    EXPECT_FALSE(get("/sub/missing/"));
}

TEST_F(static_files_test, decodes_percent_escapes_in_the_path) {
    EXPECT_EQ(body_of("/with%20space.txt"), "spaced");
    EXPECT_EQ(body_of("/%61pp.js"), "console.log(1)");
    EXPECT_EQ(body_of("/sub%2Fpage.html"), "<p>page</p>");
}

TEST_F(static_files_test, declines_a_path_with_a_bad_escape) {
    EXPECT_FALSE(get("/app.js%"));
    EXPECT_FALSE(get("/app%zz.js"));
}

TEST_F(static_files_test, serves_names_that_merely_contain_two_dots) {
    EXPECT_EQ(body_of("/a..b.txt"), "dots");
}

TEST_F(static_files_test, refuses_dot_dot_segments) {
    EXPECT_FALSE(get("/../outside/secret.txt"));
    EXPECT_FALSE(get("/sub/../../outside/secret.txt"));
    EXPECT_FALSE(get("/sub/../index.html")); // even when it would stay inside root
    EXPECT_FALSE(get("/.."));
    EXPECT_FALSE(get("/../root2/secret.txt"));
}

TEST_F(static_files_test, refuses_percent_encoded_dot_dot) {
    EXPECT_FALSE(get("/%2e%2e/outside/secret.txt"));
    EXPECT_FALSE(get("/%2E%2E/outside/secret.txt"));
    EXPECT_FALSE(get("/.%2e/outside/secret.txt"));
    EXPECT_FALSE(get("/%2e%2e%2foutside%2fsecret.txt"));
    EXPECT_FALSE(get("/..%2Foutside%2Fsecret.txt"));
    EXPECT_FALSE(get("/sub/%2e%2e/%2e%2e/outside/secret.txt"));
}

TEST_F(static_files_test, refuses_an_encoded_slash_before_dot_dot) {
    EXPECT_FALSE(get("/%2F../outside/secret.txt"));
    EXPECT_FALSE(get("/sub%2F..%2F..%2Foutside%2Fsecret.txt"));
}

TEST_F(static_files_test, refuses_absolute_paths_smuggled_in_the_url) {
    auto const secret = (base_ / "outside" / "secret.txt").string();
    EXPECT_FALSE(get("/" + secret));
    EXPECT_FALSE(get("//etc/passwd"));
    EXPECT_FALSE(get("/%2Fetc%2Fpasswd"));
}

TEST_F(static_files_test, refuses_encoded_nul) {
    EXPECT_FALSE(get("/index.html%00"));
    EXPECT_FALSE(get("/index.html%00.txt"));
    EXPECT_FALSE(get(std::string("/index.html\0", 12)));
}

TEST_F(static_files_test, refuses_backslashes) {
    EXPECT_FALSE(get("/sub\\page.html"));
    EXPECT_FALSE(get("/sub%5Cpage.html"));
    EXPECT_FALSE(get("/sub\\..\\..\\outside\\secret.txt"));
    EXPECT_FALSE(get("/..%5Coutside%5Csecret.txt"));
}

TEST_F(static_files_test, refuses_a_symlink_pointing_outside_root) {
    EXPECT_FALSE(get("/link_out.txt"));
    EXPECT_FALSE(get("/link_sibling.txt"));
    EXPECT_FALSE(get("/dir_out/secret.txt"));
    EXPECT_FALSE(get("/dir_out/"));
    EXPECT_FALSE(get("/dir_out"));
    EXPECT_FALSE(get("/linked_index/index.html"));
}

TEST_F(static_files_test, refuses_a_directory_index_that_is_a_symlink_outside_root) {
    EXPECT_FALSE(get("/linked_index/"));
    EXPECT_FALSE(get("/linked_index"));
}

TEST_F(static_files_test, serves_a_symlink_that_stays_inside_root) {
    EXPECT_EQ(body_of("/link_in.html"), "<h1>home</h1>");
}

TEST_F(static_files_test, resolve_returns_the_canonical_path_or_nothing) {
    static_files files(root_);
    EXPECT_EQ(files.resolve("/app.js"), fs::canonical(root_ / "app.js"));
    EXPECT_EQ(files.resolve("/sub/"), fs::canonical(root_ / "sub" / "index.html"));
    EXPECT_TRUE(files.resolve("/link_out.txt").empty());
    EXPECT_TRUE(files.resolve("/../outside/secret.txt").empty());
    EXPECT_TRUE(files.resolve("/missing").empty());
    EXPECT_TRUE(files.resolve("no-leading-slash").empty());
}

TEST_F(static_files_test, serves_only_below_its_prefix) {
    EXPECT_EQ(get("/chat/app.js", "GET", "/chat/").value().body, "console.log(1)");
    EXPECT_EQ(get("/chat/", "GET", "/chat/").value().body, "<h1>home</h1>");
    EXPECT_FALSE(get("/app.js", "GET", "/chat/"));
    EXPECT_FALSE(get("/chat", "GET", "/chat/"));
    EXPECT_FALSE(get("/chatapp.js", "GET", "/chat/"));
    EXPECT_FALSE(get("/chat/../root/app.js", "GET", "/chat/"));
}

TEST_F(static_files_test, head_has_headers_but_no_body) {
    auto r = get("/index.html", "HEAD");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->body.empty());
    // The GET's length, not 0.
    EXPECT_EQ(header(*r, "Content-Length"), std::to_string(std::string("<h1>home</h1>").size()));
    EXPECT_EQ(header(*r, "Content-Type"), "text/html; charset=utf-8");
}

TEST_F(static_files_test, declines_methods_other_than_get_and_head) {
    EXPECT_FALSE(get("/index.html", "POST"));
    EXPECT_FALSE(get("/index.html", "PUT"));
    EXPECT_FALSE(get("/index.html", "DELETE"));
    EXPECT_FALSE(get("/index.html", "get"));
}

TEST_F(static_files_test, sends_its_own_headers_and_none_of_the_application) {
    // The Content-Security-Policy and friends are the application's (apps/kibitz adds them).
    for (auto const* path : {"/", "/app.js", "/data.bin"}) {
        auto r = get(path);
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(header(*r, "Cache-Control"), "no-cache") << path;
        EXPECT_TRUE(header(*r, "Content-Type")) << path;
        EXPECT_FALSE(header(*r, "Content-Security-Policy")) << path;
        EXPECT_FALSE(header(*r, "X-Content-Type-Options")) << path;
        EXPECT_FALSE(header(*r, "Referrer-Policy")) << path;
        EXPECT_EQ(r->headers.size(), 2u) << path;
    }
}

TEST(content_type_for, knows_the_web_asset_types) {
    EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("app.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("mod.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("site.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("data.json"), "application/json");
    EXPECT_EQ(content_type_for("app.js.map"), "application/json");
    EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("piece.png"), "image/png");
    EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
    EXPECT_EQ(content_type_for("move.wav"), "audio/wav");
    EXPECT_EQ(content_type_for("notes.txt"), "text/plain; charset=utf-8");
    EXPECT_EQ(content_type_for("font.woff2"), "font/woff2");
}

TEST(content_type_for, falls_back_to_octet_stream) {
    EXPECT_EQ(content_type_for("archive.tar.gz"), "application/octet-stream");
    EXPECT_EQ(content_type_for("Makefile"), "application/octet-stream");
    EXPECT_EQ(content_type_for("html"), "application/octet-stream");
    EXPECT_EQ(content_type_for(""), "application/octet-stream");
}

TEST_F(static_files_test, reads_files_at_construction_and_never_while_serving) {
    static_files files(root_);
    // Changed or removed on disk afterwards: what is served comes from memory.
    write_file(root_ / "app.js", "changed");
    fs::remove(root_ / "sub" / "page.html");
    write_file(root_ / "late.txt", "late");
    request req;
    req.method = "GET";
    std::optional<response> got;
    responder respond = [&got](response r) { got = std::move(r); };
    req.path = "/app.js";
    ASSERT_TRUE(files.serve(req, respond));
    EXPECT_EQ(got->body, "console.log(1)");
    req.path = "/sub/page.html";
    ASSERT_TRUE(files.serve(req, respond));
    EXPECT_EQ(got->body, "<p>page</p>");
    req.path = "/late.txt";
    EXPECT_FALSE(files.serve(req, respond));
}

TEST_F(static_files_test, skips_files_over_the_size_caps) {
    write_file(root_ / "big.bin", std::string(1000, 'b'));
    static_files capped(root_, "/", {.max_file_bytes = 999});
    request req;
    req.method = "GET";
    req.path = "/big.bin";
    std::optional<response> got;
    responder respond = [&got](response r) { got = std::move(r); };
    EXPECT_FALSE(capped.serve(req, respond));
    req.path = "/app.js";
    EXPECT_TRUE(capped.serve(req, respond));
    EXPECT_LE(capped.loaded_bytes(), 999u * 20);
    // The total cap: nothing that would pass it is loaded.
    static_files tiny(root_, "/", {.max_total_bytes = 20});
    EXPECT_LE(tiny.loaded_bytes(), 20u);
}
