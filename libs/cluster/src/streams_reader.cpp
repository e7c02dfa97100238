#include "streams_reader.hpp"

#include <algorithm>
#include <chrono>

namespace kibitz::cluster {

namespace {

std::string block_ms(redis_adapter_options const& o) {
    // The health PING waits behind a blocked XREAD: block no longer than one ping period.
    auto block = o.streams.block_time;
    if (o.ping_interval.count() > 0) block = std::min(block, o.ping_interval);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(block).count();
    return std::to_string(std::max<std::int64_t>(ms, 1));
}

} // namespace

stream_reader::stream_reader(net::asio::io_context& ioc, redis::connection_options conn,
                             redis_adapter_options const& opts)
    : conn_(ioc, std::move(conn)), stream_(opts.streams.stream_name),
      count_(std::to_string(std::max<std::size_t>(opts.streams.read_count, 1))),
      block_ms_(block_ms(opts)), limits_(opts.limits) {}

stream_reader::~stream_reader() {
    conn_.close();
}

void stream_reader::start() {
    std::weak_ptr<stream_reader> weak = shared_from_this();
    conn_.on_state([weak](bool up) {
        auto self = weak.lock();
        if (self && up) self->read();
    });
    conn_.start();
}

void stream_reader::stop() {
    stopped_ = true;
    conn_.close();
}

void stream_reader::attach(std::string const& nsp, entry_handler handler) {
    by_nsp_[nsp] = std::move(handler);
}

void stream_reader::detach(std::string const& nsp) {
    by_nsp_.erase(nsp);
}

void stream_reader::read() {
    // One XREAD in flight; the next starts when it answers, or when the connection is back.
    if (reading_ || stopped_ || !conn_.connected()) return;
    reading_ = true;
    std::weak_ptr<stream_reader> weak = shared_from_this();
    if (!last_) {
        // First the stream's end (Node reads from "$"): from then on every entry is read, even
        // those added before the first XREAD, and a restore knows what we will deliver.
        conn_.send({"XREVRANGE", stream_, "+", "-", "COUNT", "1"},
                   [weak](std::error_code ec, redis::value reply) {
                       auto self = weak.lock();
                       if (!self) return;
                       self->reading_ = false;
                       if (ec || reply.type != redis::type::array) return;
                       self->last_ = stream_id{};
                       if (!reply.elements.empty() && !reply.elements[0].elements.empty())
                           if (auto id = parse_stream_id(reply.elements[0].elements[0].text))
                               self->last_ = *id;
                       self->read();
                   });
        return;
    }
    conn_.send(
        {"XREAD", "COUNT", count_, "BLOCK", block_ms_, "STREAMS", stream_, to_string(*last_)},
        [weak](std::error_code ec, redis::value reply) {
            if (auto self = weak.lock()) self->on_reply(ec, reply);
        });
}

void stream_reader::on_reply(std::error_code ec, redis::value const& reply) {
    reading_ = false;
    // Lost: read() again on the next connect (on_state), from the last id.
    if (ec) return;
    // [[stream, [[id, [field, value, ...]], ...]]], or nil when BLOCK passed with nothing.
    if (reply.type == redis::type::array && reply.elements.size() == 1 &&
        reply.elements[0].type == redis::type::array && reply.elements[0].elements.size() == 2) {
        auto const& entries = reply.elements[0].elements[1].elements;
        for (auto const& raw : entries) {
            stream_entry e;
            auto bad = decode_stream_entry(raw, e, limits_);
            auto id = parse_stream_id(raw.type == redis::type::array && !raw.elements.empty()
                                          ? raw.elements[0].text
                                          : std::string());
            if (id) last_ = *id;
            ++entries_;
            if (bad) {
                ++dropped_invalid_;
                continue;
            }
            // The handler may destroy a namespace (and detach): look it up each time.
            auto it = by_nsp_.find(e.nsp);
            if (it == by_nsp_.end()) continue;
            auto handler = it->second;
            handler(e);
        }
    }
    read();
}

} // namespace kibitz::cluster
