#include "recovery_file.hpp"

#include <kibitz/socketio/server.hpp>
#include <kibitz/util/log.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace kibitz::app {

namespace {

std::string os_error(char const* what, std::string const& path) {
    return std::string(what) + " " + path + ": " + std::strerror(errno);
}

// Writes all of `text` to `fd`, then fsyncs it.
std::optional<std::string> write_all(int fd, std::string const& text, std::string const& path) {
    std::size_t done = 0;
    while (done < text.size()) {
        auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_error("cannot write", path);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return os_error("cannot fsync", path);
    return std::nullopt;
}

// Makes the rename of a file of `dir` durable.
void sync_folder(std::string const& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Reads the regular file open on `fd` (at most `max_bytes`) into `out`.
std::optional<std::string> read_all(int fd, std::string const& path, std::size_t max_bytes,
                                    std::string& out) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return os_error("cannot stat", path);
    if (!S_ISREG(st.st_mode)) return path + " is not a regular file";
    if (static_cast<std::size_t>(st.st_size) > max_bytes)
        return path + " is " + std::to_string(st.st_size) + " bytes, more than the " +
               std::to_string(max_bytes) + " a snapshot may be";
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
        auto n = ::read(fd, out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_error("cannot read", path);
        if (n == 0) break; // shorter than it said: the parse says what is wrong
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return std::nullopt;
}

} // namespace

std::string recovery_path(std::string const& data_dir) {
    return (std::filesystem::path(data_dir) / "recovery.json").string();
}

std::optional<std::string> write_recovery(std::string const& path, json const& snapshot,
                                          std::size_t max_bytes) {
    // Strings the apps put in socket data are written even if not valid UTF-8 (replaced).
    auto text = snapshot.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > max_bytes)
        return "the snapshot is " + std::to_string(text.size()) + " bytes, more than the " +
               std::to_string(max_bytes) + " one may be";
    auto tmp = path + ".tmp";
    ::unlink(tmp.c_str()); // a leftover of a shutdown that did not finish
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return os_error("cannot create", tmp);
    auto err = write_all(fd, text, tmp);
    if (::close(fd) != 0 && !err) err = os_error("cannot close", tmp);
    if (!err && ::rename(tmp.c_str(), path.c_str()) != 0) err = os_error("cannot rename", tmp);
    if (err) {
        ::unlink(tmp.c_str());
        return err;
    }
    sync_folder(std::filesystem::path(path).parent_path().string());
    return std::nullopt;
}

std::optional<json> take_recovery(std::string const& path, std::string& error,
                                  std::size_t max_bytes) {
    error.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) return std::nullopt;
    // Read once: whatever it holds, the file goes (a symlink or a folder too).
    std::string text;
    auto err = fd < 0 ? os_error("cannot open", path) : read_all(fd, path, max_bytes, text);
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    if (!std::filesystem::remove(path, ec) && ec && !err)
        err = "cannot delete " + path + ": " + ec.message();
    if (err) {
        error = std::move(*err);
        return json();
    }
    auto snapshot = json::parse(text, nullptr, false);
    if (snapshot.is_discarded()) error = path + " is not JSON";
    return snapshot;
}

void restore_recovery(socketio::server& io, config const& cfg) {
    auto const path = recovery_path(cfg.data_dir);
    // A write that a crash interrupted left its temporary file: it holds private ids too.
    std::error_code ignored;
    std::filesystem::remove(path + ".tmp", ignored);
    if (cfg.recovery_window_ms == 0) {
        // It holds private session ids: not left behind, not read.
        std::error_code ec;
        if (std::filesystem::remove(path, ec))
            util::log(util::log_level::info, "kibitz: connection state recovery is off: deleted ",
                      path, " unread");
        return;
    }
    std::string error;
    auto snapshot = take_recovery(path, error);
    if (!snapshot) return;
    if (!error.empty()) {
        util::log(util::log_level::warn, "kibitz: recovery snapshot ignored: ", error);
        return;
    }
    auto r = io.import_recovery(*snapshot);
    if (!r.ok()) {
        util::log(util::log_level::warn, "kibitz: recovery snapshot ", path, " ignored: ", r.error);
        return;
    }
    util::log(util::log_level::info, "kibitz: recovery snapshot imported: ", r.sessions,
              " sessions, ", r.packets, " packets kept, ", r.expired, " expired, ",
              r.skipped_namespaces, " namespaces skipped");
}

void save_recovery(socketio::server const& io, config const& cfg) {
    if (cfg.recovery_window_ms == 0) return;
    auto const path = recovery_path(cfg.data_dir);
    try {
        if (auto err = write_recovery(path, io.export_recovery())) {
            util::log(util::log_level::error, "kibitz: recovery snapshot not written: ", *err);
            return;
        }
    } catch (std::exception const& e) {
        util::log(util::log_level::error, "kibitz: recovery snapshot not written: ", e.what());
        return;
    }
    util::log(util::log_level::info, "kibitz: recovery snapshot written to ", path);
}

} // namespace kibitz::app
