#include <kibitz/http/static_files.hpp>
#include <kibitz/util/log.hpp>

#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <vector>

namespace kibitz::http {

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
        {".wav", "audio/wav"},
    };
    for (auto const& [ext, type] : types)
        if (file_name.ends_with(ext)) return type;
    return "application/octet-stream";
}

namespace {
// The lookup key for a decoded path below root: normalised, without leading or trailing '/'.
// Nullopt for a path that holds "..", NUL or a backslash.
std::optional<std::string> normal_key(std::string_view decoded) {
    if (decoded.find('\0') != std::string_view::npos ||
        decoded.find('\\') != std::string_view::npos)
        return std::nullopt;
    std::filesystem::path relative(decoded);
    for (auto const& part : relative)
        if (part == "..") return std::nullopt;
    auto key = relative.lexically_normal().generic_string();
    while (!key.empty() && key.front() == '/')
        key.erase(0, 1);
    while (!key.empty() && key.back() == '/')
        key.pop_back();
    if (key == ".") key.clear();
    return key;
}

std::optional<std::string> read_whole(std::filesystem::path const& p, std::size_t cap) {
    std::error_code ec;
    auto size = std::filesystem::file_size(p, ec);
    if (ec || size > cap) return std::nullopt;
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream body;
    body << in.rdbuf();
    auto text = std::move(body).str();
    if (text.size() > cap) return std::nullopt;
    return text;
}
} // namespace

static_files::static_files(std::filesystem::path root, std::string prefix,
                           static_files_limits limits)
    : prefix_(std::move(prefix)) {
    std::error_code ec;
    root_ = std::filesystem::weakly_canonical(root, ec);
    if (ec) root_ = std::move(root);
    load(limits);
}

void static_files::load(static_files_limits const& limits) {
    // Every path below root the URL space can name, checked by resolve() as a request would be.
    std::vector<std::string> keys{""};
    std::error_code ec;
    namespace fs = std::filesystem;
    fs::recursive_directory_iterator it(root_, fs::directory_options::follow_directory_symlink, ec);
    for (std::size_t walked = 0; !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (++walked > limits.max_files) {
            util::log(util::log_level::warn, "static files: more than ", limits.max_files,
                      " entries below ", root_.string(), "; the rest is not served");
            break;
        }
        auto key = it->path().lexically_relative(root_).generic_string();
        // A directory symlink that leads out of root is not walked (nothing there is served).
        if (it->is_symlink() && resolve_decoded(key).empty()) it.disable_recursion_pending();
        keys.push_back(std::move(key));
    }
    std::unordered_map<std::string, std::shared_ptr<file const>> by_target;
    for (auto const& key : keys) {
        auto target = resolve_decoded(key);
        if (target.empty()) continue;
        auto& shared = by_target[target.string()];
        if (!shared) {
            auto body = read_whole(target, limits.max_file_bytes);
            if (!body || loaded_bytes_ + body->size() > limits.max_total_bytes) {
                util::log(util::log_level::warn, "static files: ", target.string(),
                          " is over the size caps and is not served");
                by_target.erase(target.string());
                continue;
            }
            loaded_bytes_ += body->size();
            shared = std::make_shared<file const>(
                file{std::string(content_type_for(target.filename().string())), std::move(*body)});
        }
        files_[key] = shared;
    }
}

std::shared_ptr<static_files::file const> static_files::find(std::string_view url_path) const {
    if (!url_path.starts_with(prefix_)) return nullptr;
    auto decoded = percent_decode(url_path.substr(prefix_.size()));
    if (!decoded) return nullptr;
    auto key = normal_key(*decoded);
    if (!key) return nullptr;
    auto it = files_.find(*key);
    return it == files_.end() ? nullptr : it->second;
}

std::filesystem::path static_files::resolve(std::string_view url_path) const {
    if (!url_path.starts_with(prefix_)) return {};
    auto decoded = percent_decode(url_path.substr(prefix_.size()));
    if (!decoded) return {};
    return resolve_decoded(*decoded);
}

std::filesystem::path static_files::resolve_decoded(std::string_view decoded) const {
    if (decoded.find('\0') != std::string::npos || decoded.find('\\') != std::string::npos)
        return {};
    std::filesystem::path relative(decoded);
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

bool static_files::serve(request const& req, responder& respond) const {
    if (req.method != "GET" && req.method != "HEAD") return false;
    auto f = find(req.path);
    if (!f) return false;
    response r;
    r.set("Content-Type", f->content_type);
    r.set("Cache-Control", "no-cache");
    // HEAD: the GET's headers and length, no body (the connection keeps this Content-Length).
    if (req.method == "GET")
        r.body = f->body;
    else
        r.set("Content-Length", std::to_string(f->body.size()));
    respond(std::move(r));
    return true;
}

} // namespace kibitz::http
