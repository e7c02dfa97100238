#pragma once

#include <kibitz/engineio/http.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace kibitz::engineio {

// The Content-Type for a file name's extension ("application/octet-stream" when unknown).
std::string_view content_type_for(std::string_view file_name);

// Adds the headers every page and asset is served with: a Content-Security-Policy that allows
// only this origin's scripts, X-Content-Type-Options: nosniff, and a referrer policy.
void add_security_headers(http_response& response);

// Serves the files below `root` at URLs below `prefix` ("/" or "/chat/"), GET and HEAD only.
// A directory serves its index.html. Paths that climb out of root ("..", encoded or not),
// hold NUL or a backslash, or reach a symlink out of root are 404; so are missing files.
class static_files {
public:
    static_files(std::filesystem::path root, std::string prefix = "/");

    // Answers and returns true when the request is for a file below the prefix that exists.
    bool serve(http_request const& request, http_responder& respond) const;

    // The file path for a URL path, or empty when it is outside root or not a regular file.
    std::filesystem::path resolve(std::string_view url_path) const;

private:
    std::filesystem::path root_;
    std::string prefix_;
};

} // namespace kibitz::engineio
