#pragma once

#include <kibitz/http/message.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kibitz::http {

// The Content-Type for a file name's extension ("application/octet-stream" when unknown).
std::string_view content_type_for(std::string_view file_name);

// Serves the files below `root` at URLs below `prefix` ("/" or "/chat/"), GET and HEAD only.
// A directory serves its index.html. Paths that climb out of root ("..", encoded or not),
// hold NUL or a backslash, or reach a symlink out of root are 404; so are missing files.
// Every file is read once, in the constructor (start-up), into memory: serving never touches
// the disk, so the event loop never blocks on it. Files changed later are not seen; files
// over the caps below are not served (and a warning is logged). The answers carry Content-Type,
// Content-Length and Cache-Control: no-cache; the application adds its own headers (a
// Content-Security-Policy, say) by wrapping the responder.
struct static_files_limits {
    std::size_t max_file_bytes = 16u << 20;   // a larger file is skipped
    std::size_t max_total_bytes = 128u << 20; // files past this total are skipped
    std::size_t max_files = 10000;            // entries walked below root
};

class static_files {
public:
    static_files(std::filesystem::path root, std::string prefix = "/",
                 static_files_limits limits = {});

    // Answers and returns true when the request is for a file below the prefix that exists.
    bool serve(request const& req, responder& respond) const;

    // The file path for a URL path, or empty when it is outside root or not a regular file.
    // Looks at the disk: for start-up and tests, not for the event loop.
    std::filesystem::path resolve(std::string_view url_path) const;

    // Bytes of file content held in memory.
    std::size_t loaded_bytes() const { return loaded_bytes_; }

private:
    struct file {
        std::string content_type;
        std::string body;
    };
    void load(static_files_limits const& limits);
    std::filesystem::path resolve_decoded(std::string_view decoded) const;
    std::shared_ptr<file const> find(std::string_view url_path) const;

    std::filesystem::path root_;
    std::string prefix_;
    // Keyed by the normalised path below root ("app.js", "sub/page.html", "sub", "" for root).
    std::unordered_map<std::string, std::shared_ptr<file const>> files_;
    std::size_t loaded_bytes_ = 0;
};

} // namespace kibitz::http
