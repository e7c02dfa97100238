// libFuzzer target for the pure half of HTTP request handling. Each input is read twice into an
// http::request: by Beast's request_parser<string_body> with the limits connection.cpp uses
// (16 KiB head, 100 fields, a body limit chosen by route, pipelined requests one after the
// other), and by a plain split (first line's target, then "name: value" lines) that reaches the
// handlers with bytes Beast refuses. Each request then goes through header(), query_param() and
// percent_decode(), the Host check (is_loopback_host, host_allowed) and the static files of a
// scratch root that holds a symlink out of it: nothing outside root may ever be served.
#include <kibitz/http/host.hpp>
#include <kibitz/http/message.hpp>
#include <kibitz/http/static_files.hpp>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

using namespace kibitz::http;
namespace fs = std::filesystem;
namespace beast_http = boost::beast::http;

void check(bool ok) {
    if (!ok) std::abort();
}

constexpr std::string_view secret = "the secret outside root";

void write_file(fs::path const& p, std::string_view text) {
    std::ofstream(p, std::ios::binary) << text;
}

// A root with a page, a script and a sub-directory, a symlink to a file outside it and one to
// the directory outside it; the body of each file served must be one of the bodies inside.
struct scratch {
    fs::path dir;
    std::unique_ptr<static_files> files;
    std::unique_ptr<static_files> chat_files;

    scratch() {
        std::string tmpl = (fs::temp_directory_path() / "kibitz-fuzz-http-XXXXXX").string();
        check(mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        auto const root = dir / "root";
        fs::create_directories(root / "sub");
        fs::create_directories(dir / "outside");
        write_file(root / "index.html", "<p>index</p>");
        write_file(root / "app.js", "console.log(1)");
        write_file(root / "sub" / "index.html", "<p>sub</p>");
        write_file(root / "sub" / "a b.css", "p{}");
        write_file(dir / "outside" / "secret.txt", secret);
        write_file(dir / "secret.txt", secret);
        std::error_code ec;
        fs::create_symlink(dir / "outside" / "secret.txt", root / "leak.txt", ec);
        fs::create_directory_symlink(dir / "outside", root / "out", ec);
        files = std::make_unique<static_files>(root, "/");
        chat_files = std::make_unique<static_files>(root, "/chat/");
        // Not a vacuous target: the files inside are served, the symlinks out are not.
        check(!files->resolve("/app.js").empty() && !chat_files->resolve("/chat/sub/").empty());
        check(files->resolve("/leak.txt").empty() && files->resolve("/out/secret.txt").empty());
        check(files->loaded_bytes() > 0);
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

scratch& the_scratch() {
    static scratch s;
    return s;
}

void check_percent_decode(std::string_view text) {
    auto const decoded = percent_decode(text);
    if (text.find('%') == std::string_view::npos) check(decoded && *decoded == text);
    if (!decoded) return;
    check(decoded->size() <= text.size());
    // Encoding every byte reads back to the same bytes.
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string encoded;
    for (unsigned char const c : *decoded) {
        encoded += '%';
        encoded += hex[c >> 4];
        encoded += hex[c & 15];
    }
    auto const again = percent_decode(encoded);
    check(again && *again == *decoded);
}

void check_host(std::string_view host) {
    bool const loopback = is_loopback_host(host);
    check(host_allowed(host, {}) == loopback);
    check(host_allowed(host, {"*"}));
    check(host_allowed(host, {std::string(host)}));
    if (loopback) check(host_allowed(host, {"example.com"}));
}

void check_static(static_files const& files, request const& req) {
    responder respond = [&](response r) {
        check(r.status == 200);
        check(r.body.find(secret) == std::string::npos);
        check(req.method == "GET" || r.body.empty());
    };
    files.serve(req, respond);
    // resolve() looks at the disk: only for paths of a sane length.
    if (req.path.size() > 256) return;
    auto const path = files.resolve(req.path);
    if (path.empty()) return;
    auto const root = fs::weakly_canonical(the_scratch().dir / "root");
    auto const rel = path.lexically_relative(root);
    check(!rel.empty() && *rel.begin() != "..");
}

void handle(request& req) {
    auto const q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    check_percent_decode(req.path);
    check_percent_decode(req.query);
    for (auto const name : {"EIO", "transport", "sid", "t", "j", ""})
        if (auto v = req.query_param(name)) check(v->size() <= req.query.size());
    for (auto const name : {"Host", "Origin", "Upgrade", "Sec-WebSocket-Key", "Content-Length"}) {
        auto const v = req.header(name);
        bool found = false;
        for (auto const& [k, value] : req.headers)
            if (!found && header_name_equals(k, name)) {
                found = true;
                check(v && v->data() == value.data());
            }
        check(found == v.has_value());
    }
    if (auto host = req.header("Host")) check_host(*host);
    if (auto origin = req.header("Origin")) check_host(*origin);
    auto& s = the_scratch();
    check_static(*s.files, req);
    check_static(*s.chat_files, req);
}

// The plain split: "<method> <target> ..." or a bare target, then header lines.
void split_and_handle(std::string_view text) {
    request req;
    auto line_end = text.find('\n');
    auto first = text.substr(0, line_end);
    if (first.ends_with('\r')) first.remove_suffix(1);
    if (auto sp = first.find(' '); sp != std::string_view::npos) {
        req.method = std::string(first.substr(0, sp));
        first.remove_prefix(sp + 1);
        req.target = std::string(first.substr(0, first.find(' ')));
    } else {
        req.method = "GET";
        req.target = std::string(first);
    }
    while (line_end != std::string_view::npos && req.headers.size() < 100) {
        text.remove_prefix(line_end + 1);
        line_end = text.find('\n');
        auto line = text.substr(0, line_end);
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (line.empty()) break;
        auto const colon = line.find(':');
        auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
        while (value.starts_with(' '))
            value.remove_prefix(1);
        req.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    handle(req);
}

// As connection.cpp: the head under its limits, then the body under the route's limit.
// Returns the bytes used, or 0 when the stream is broken or incomplete.
std::size_t beast_one(std::string_view bytes) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (!parser.is_header_done() && used < bytes.size()) {
        auto n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        used += n;
        if (ec || n == 0) break;
    }
    if (!parser.is_header_done()) return 0;
    auto const& head = parser.get();
    request req;
    req.method = std::string(head.method_string());
    req.target = std::string(head.target());
    for (auto const& field : head) {
        if (req.headers.size() == 100) return 0; // 431
        req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    std::uint64_t const limit = req.target.starts_with("/socket.io/") ? 1'000'000 : 64 * 1024;
    if (auto length = parser.content_length(); length && *length > limit) req.body_too_large = true;
    if (!req.body_too_large && !parser.is_done()) {
        parser.body_limit(limit);
        while (!parser.is_done() && used < bytes.size()) {
            auto n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
            used += n;
            if (ec || n == 0) break;
        }
        if (ec == beast_http::error::body_limit) req.body_too_large = true;
        if (!parser.is_done() && !req.body_too_large) {
            parser.put_eof(ec);
            if (ec) used = 0;
        }
        if (parser.is_done()) req.body = parser.get().body();
        check(req.body.size() <= limit);
    }
    handle(req);
    return req.body_too_large || !head.keep_alive() ? 0 : used;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<char const*>(data), size);
    split_and_handle(bytes);
    // Pipelined requests on one keep-alive connection.
    for (int i = 0; i < 8 && !bytes.empty(); ++i) {
        auto const used = beast_one(bytes);
        if (used == 0) break;
        bytes.remove_prefix(used);
    }
    return 0;
}
