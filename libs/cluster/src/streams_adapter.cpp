#include "streams_adapter.hpp"
#include "streams_reader.hpp"

#include <chrono>

namespace kibitz::cluster {

using ordered = nlohmann::ordered_json;

streams_adapter::streams_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub)
    : cluster_adapter(std::move(ctx), std::move(hub), false),
      self_(std::make_shared<streams_adapter*>(this)) {}

streams_adapter::~streams_adapter() {
    close();
}

void streams_adapter::init() {
    if (started_) return;
    started_ = true;
    hub_->channel_subscribe(channel_, payload_handler());
    hub_->channel_subscribe(response_channel_, payload_handler());
    std::weak_ptr<streams_adapter*> weak = self_;
    hub_->reader().attach(ctx_.nsp, [weak](stream_entry& e) {
        if (auto self = weak.lock()) (**self).on_entry(e);
    });
}

void streams_adapter::close() {
    if (!started_) return;
    started_ = false;
    hub_->channel_unsubscribe(channel_);
    hub_->channel_unsubscribe(response_channel_);
    hub_->reader().detach(ctx_.nsp);
}

void streams_adapter::xadd(sharded_type type, ordered const& data,
                           std::function<void(std::error_code, std::string)> done) {
    auto const& s = hub_->opts().streams;
    std::vector<std::string> args = {
        "XADD", s.stream_name, "MAXLEN", "~", std::to_string(s.max_len), "*"};
    for (auto& f : encode_stream_fields(type, data, uid_, ctx_.nsp))
        args.push_back(std::move(f));
    if (hub_->publisher_up())
        ++hub_->stats().published;
    else
        ++hub_->stats().publish_dropped;
    hub_->command(std::move(args), [done = std::move(done)](std::error_code ec, redis::value r) {
        if (!done) return;
        if (!ec && (r.is_error() || !r.is_string())) ec = errc::not_connected;
        done(ec, ec ? std::string() : r.text);
    });
}

std::string streams_adapter::encode(sharded_type type, ordered const& data) const {
    return encode_msgpack_envelope(type, data, uid_, ctx_.nsp);
}

void streams_adapter::send_durable(sharded_type type, ordered const& data,
                                   socketio::broadcast_options const&) {
    xadd(type, data, nullptr);
}

void streams_adapter::on_entry(stream_entry& e) {
    if (e.uid == uid_ || e.nsp != ctx_.nsp) return;
    on_message(e.type, e.data, e.uid, e.id);
}

void streams_adapter::deliver_broadcast(socketio::packet p, socketio::broadcast_options const& opts,
                                        std::string const& offset) {
    if (!offset.empty() && takes_offset(p, opts)) p.data.push_back(offset);
    deliver_local(p, opts);
}

bool streams_adapter::takes_offset(socketio::packet const& p,
                                   socketio::broadcast_options const& opts) const {
    return ctx_.recovery && p.type == socketio::packet_type::event && !p.id && !opts.is_volatile;
}

void streams_adapter::broadcast(socketio::packet p, socketio::broadcast_options const& opts) {
    // `local` is this server's only, and never gets an offset (Node's in-memory broadcast).
    if (opts.local) return deliver_local(p, opts);
    auto data = broadcast_data(p, opts, {});
    if (!takes_offset(p, opts)) {
        xadd(sharded_type::broadcast, data, nullptr);
        return deliver_local(p, opts);
    }
    // Delivered here once Redis gave the entry its id, which every server appends (Node
    // awaits its XADD too); without Redis, delivered here without an offset.
    std::weak_ptr<streams_adapter*> weak = self_;
    xadd(sharded_type::broadcast, data,
         [weak, p = std::move(p), opts](std::error_code ec, std::string id) mutable {
             auto self = weak.lock();
             if (!self) return;
             if (!ec) p.data.push_back(std::move(id));
             (**self).deliver_local(p, opts);
         });
}

void streams_adapter::persist_session(socketio::session_record record) {
    if (!ctx_.recovery) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  ctx_.recovery->max_disconnection_duration)
                  .count();
    hub_->command({"SET", hub_->opts().streams.session_key_prefix + record.pid,
                   encode_session(record), "PX", std::to_string(std::max<std::int64_t>(ms, 1))},
                  [](std::error_code, redis::value) {});
}

} // namespace kibitz::cluster
