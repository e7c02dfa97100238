#include <kibitz/engineio/static_files.hpp>

#include <fstream>
#include <sstream>
#include <system_error>

namespace kibitz::engineio {

std::string_view content_type_for(std::string_view file_name) {
    struct entry {
        std::string_view ext, type;
    };
    static constexpr entry types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
    };
    for (auto const& [ext, type] : types)
        if (file_name.ends_with(ext)) return type;
    return "application/octet-stream";
}

void add_security_headers(http_response& response) {
    response.set("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                 "img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; "
                 "base-uri 'none'; frame-ancestors 'self'");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "same-origin");
}

static_files::static_files(std::filesystem::path root, std::string prefix)
    : prefix_(std::move(prefix)) {
    std::error_code ec;
    root_ = std::filesystem::weakly_canonical(root, ec);
    if (ec) root_ = std::move(root);
}

std::filesystem::path static_files::resolve(std::string_view url_path) const {
    if (!url_path.starts_with(prefix_)) return {};
    auto decoded = percent_decode(url_path.substr(prefix_.size()));
    if (!decoded) return {};
    if (decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos)
        return {};
    std::filesystem::path relative(*decoded);
    for (auto const& part : relative)
        if (part == "..") return {};
    std::error_code ec;
    auto full = std::filesystem::weakly_canonical(root_ / relative, ec);
    if (ec) return {};
    if (std::filesystem::is_directory(full, ec)) {
        // The index may itself be a symlink: resolve it too before the containment check.
        full = std::filesystem::weakly_canonical(full / "index.html", ec);
        if (ec) return {};
    }
    // A symlink may still lead out of root: the canonical path must stay below it.
    auto rel = full.lexically_relative(root_);
    if (rel.empty() || *rel.begin() == "..") return {};
    if (!std::filesystem::is_regular_file(full, ec)) return {};
    return full;
}

bool static_files::serve(http_request const& request, http_responder& respond) const {
    if (request.method != "GET" && request.method != "HEAD") return false;
    auto file = resolve(request.path);
    if (file.empty()) return false;
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    std::ostringstream body;
    body << in.rdbuf();
    http_response r;
    r.set("Content-Type", content_type_for(file.filename().string()));
    r.set("Cache-Control", "no-cache");
    add_security_headers(r);
    if (request.method == "GET") r.body = std::move(body).str();
    respond(std::move(r));
    return true;
}

} // namespace kibitz::engineio
