#include "streams_adapter.hpp"
#include "streams_reader.hpp"

#include <kibitz/util/random.hpp>

#include <chrono>

namespace kibitz::cluster {

namespace {

using ordered = nlohmann::ordered_json;

// ClusterAdapter's randomId(): 8 random bytes in hex.
std::string hex_id() {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : util::random_bytes(8)) {
        auto const b = static_cast<unsigned char>(c);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

ordered room_list(std::set<std::string> const& rooms) {
    ordered list = ordered::array();
    for (auto const& r : rooms)
        list.push_back(r);
    return list;
}

// The packet of a BROADCAST as Node's writes it: {type, data} (no nsp, docs/cluster.md).
ordered packet_of(socketio::packet const& p) {
    return {{"type", 2}, {"data", to_ordered(p.data)}};
}

} // namespace

streams_adapter::streams_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub)
    : adapter_base(std::move(ctx), std::move(hub), false), uid_(hex_id()),
      channel_(hub_->opts().prefix + "#" + ctx_.nsp + "#"),
      response_channel_(channel_ + uid_ + "#"), self_(std::make_shared<streams_adapter*>(this)) {
    request_channel_ = channel_;
    hub_->join(*this);
}

streams_adapter::~streams_adapter() {
    close();
    hub_->leave(*this);
}

void streams_adapter::init() {
    if (started_) return;
    started_ = true;
    std::weak_ptr<streams_adapter*> weak = self_;
    auto handler = [weak](std::string const&, std::string const& payload) {
        if (auto self = weak.lock()) (**self).on_published(payload);
    };
    hub_->channel_subscribe(channel_, handler);
    hub_->channel_subscribe(response_channel_, handler);
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

std::string streams_adapter::new_request_id() const {
    return hex_id();
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

void streams_adapter::publish_to(std::string const& channel, sharded_type type,
                                 ordered const& data) {
    hub_->publish(channel, encode_msgpack_envelope(type, data, uid_, ctx_.nsp));
}

bool streams_adapter::takes_offset(socketio::packet const& p,
                                   socketio::broadcast_options const& opts) const {
    return ctx_.recovery && p.type == socketio::packet_type::event && !p.id && !opts.is_volatile;
}

void streams_adapter::broadcast(socketio::packet p, socketio::broadcast_options const& opts) {
    // `local` is this server's only, and never gets an offset (Node's in-memory broadcast).
    if (opts.local) return deliver_local(p, opts);
    ordered data = {{"packet", packet_of(p)}, {"opts", encode_sharded_opts(opts)}};
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

void streams_adapter::broadcast_with_ack(socketio::packet p,
                                         socketio::broadcast_options const& opts,
                                         std::function<void(std::size_t)> on_count,
                                         std::function<void(json)> on_ack) {
    if (!opts.local) {
        auto id = new_request_id();
        if (open_ack_collection(id, opts, on_count, on_ack))
            publish_to(
                channel_, sharded_type::broadcast,
                {{"packet", packet_of(p)}, {"requestId", id}, {"opts", encode_sharded_opts(opts)}});
        else
            xadd(sharded_type::broadcast,
                 {{"packet", packet_of(p)}, {"opts", encode_sharded_opts(opts)}}, nullptr);
    }
    memory_adapter::broadcast_with_ack(std::move(p), opts, std::move(on_count), std::move(on_ack));
}

std::string streams_adapter::fetch_request(std::string const& id,
                                           socketio::broadcast_options const& opts) const {
    return encode_msgpack_envelope(sharded_type::fetch_sockets,
                                   {{"opts", encode_sharded_opts(opts)}, {"requestId", id}}, uid_,
                                   ctx_.nsp);
}

std::string streams_adapter::server_side_request(std::string const& id, json data) const {
    ordered body = ordered::object();
    if (!id.empty()) body["requestId"] = id;
    body["packet"] = to_ordered(data);
    return encode_msgpack_envelope(sharded_type::server_side_emit, body, uid_, ctx_.nsp);
}

void streams_adapter::add_sockets(socketio::broadcast_options const& opts,
                                  std::set<std::string> const& rooms) {
    memory_adapter::add_sockets(opts, rooms);
    if (!opts.local)
        xadd(sharded_type::sockets_join,
             {{"opts", encode_sharded_opts(opts)}, {"rooms", room_list(rooms)}}, nullptr);
}

void streams_adapter::del_sockets(socketio::broadcast_options const& opts,
                                  std::set<std::string> const& rooms) {
    memory_adapter::del_sockets(opts, rooms);
    if (!opts.local)
        xadd(sharded_type::sockets_leave,
             {{"opts", encode_sharded_opts(opts)}, {"rooms", room_list(rooms)}}, nullptr);
}

void streams_adapter::disconnect_sockets(socketio::broadcast_options const& opts, bool close) {
    if (!opts.local)
        xadd(sharded_type::disconnect_sockets,
             {{"opts", encode_sharded_opts(opts)}, {"close", close}}, nullptr);
    memory_adapter::disconnect_sockets(opts, close);
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
