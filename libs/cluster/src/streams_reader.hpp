#pragma once

#include <kibitz/cluster/redis_adapter.hpp>
#include <kibitz/cluster/streams_messages.hpp>
#include <kibitz/net/asio.hpp>
#include <kibitz/redis/connection.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace kibitz::cluster {

// The one blocking reader of the streams protocol's stream, on a Redis connection of its own
// (Node: one duplicated client per stream): `XREAD COUNT read_count BLOCK block_time STREAMS
// <stream> <last id>`, from the stream's last entry when it starts (XREVRANGE); after a
// reconnect (a Redis restart too) it reads on from the last id it handled, so nothing the
// stream still holds is missed.
// Each entry goes to the handler of its namespace. Server thread only.
class stream_reader : public std::enable_shared_from_this<stream_reader> {
public:
    using entry_handler = std::function<void(stream_entry& e)>;

    stream_reader(net::asio::io_context& ioc, redis::connection_options conn,
                  redis_adapter_options const& opts);
    ~stream_reader();

    // Connects and reads until stop() (once owned by a shared_ptr).
    void start();
    void stop();
    void attach(std::string const& nsp, entry_handler handler);
    void detach(std::string const& nsp);

    // The id of the last entry handled (delivered to its namespace, or not ours), or of the
    // stream's last entry when the reader started; nothing until Redis first answered.
    std::optional<stream_id> last() const { return last_; }
    std::uint64_t entries() const { return entries_; }
    std::uint64_t dropped_invalid() const { return dropped_invalid_; }

private:
    void read();
    void on_reply(std::error_code ec, redis::value const& reply);

    redis::connection conn_;
    std::string stream_;
    std::string count_;
    std::string block_ms_;
    message_limits limits_;
    std::unordered_map<std::string, entry_handler> by_nsp_;
    std::optional<stream_id> last_;
    bool reading_ = false;
    bool stopped_ = false;
    std::uint64_t entries_ = 0;
    std::uint64_t dropped_invalid_ = 0;
};

} // namespace kibitz::cluster
