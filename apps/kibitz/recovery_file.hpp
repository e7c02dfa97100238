#pragma once

// Connection state recovery across a restart of the kibitz binary (--recovery-window): at
// shutdown, once every client was told to reconnect, the Socket.IO server's recovery snapshot
// (socketio::server::export_recovery) goes to a file in the data folder; the next start reads
// it once, deletes it and imports it before listening, so clients come back `recovered`.

#include "config.hpp"

#include <kibitz/util/json.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace kibitz::socketio {
class server;
}

namespace kibitz::app {

// The snapshot file of a data folder.
std::string recovery_path(std::string const& data_dir);

// A snapshot larger than this is neither written nor read (logged): 256 MiB of JSON is hours
// of a busy server's window, and parsing it takes several times as much memory.
inline constexpr std::size_t max_recovery_bytes = std::size_t{256} << 20;

// Writes `snapshot` to `path` atomically: a temporary file beside it, created 0600 (it holds
// every kept session's private id), written, fsynced, renamed over `path`, then the folder
// fsynced. Returns why it could not (nothing is left at `path` then), or nullopt.
std::optional<std::string> write_recovery(std::string const& path, json const& snapshot,
                                          std::size_t max_bytes = max_recovery_bytes);

// Reads the snapshot at `path` and deletes the file, whatever it holds. Nullopt when there is
// none; otherwise its JSON, or `error` says why it cannot be used (not a regular file, larger
// than `max_bytes`, not JSON). Never throws.
std::optional<json> take_recovery(std::string const& path, std::string& error,
                                  std::size_t max_bytes = max_recovery_bytes);

// Start-up, after the modules made their namespaces and before listening: imports the file of
// cfg.data_dir into `io` when cfg.recovery_window_ms is set (a file found with recovery off is
// deleted unread, and so is the temporary file of a write a crash interrupted). Whatever goes
// wrong is logged, never fatal: clients then start afresh.
void restore_recovery(socketio::server& io, config const& cfg);

// Shutdown, after io.close(): writes io's snapshot to cfg.data_dir when recovery is on. A
// failure is logged (clients then start afresh); never throws.
void save_recovery(socketio::server const& io, config const& cfg);

} // namespace kibitz::app
