#pragma once

#include <kibitz/store/database.hpp>
#include <kibitz/util/random.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace kibitz::store::testing {

// A unique directory path under the system temp directory, not created; removed with all it
// holds on destruction.
class temp_dir {
public:
    temp_dir()
        : path_(std::filesystem::temp_directory_path() /
                ("kibitz-store-test-" + util::random_id(96))) {}
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }

    std::filesystem::path const& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Opens the database in `dir`; throws (which fails the test) when it cannot.
inline database open_or_throw(std::filesystem::path const& dir) {
    auto r = database::open(dir);
    if (!r) throw std::runtime_error("open failed: " + r.error().message);
    return std::move(r).value();
}

} // namespace kibitz::store::testing
