#include "cluster_adapter.hpp"

#include <kibitz/util/random.hpp>

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

} // namespace

cluster_adapter::cluster_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub,
                                 bool sharded)
    : adapter_base(std::move(ctx), std::move(hub), sharded), uid_(hex_id()),
      channel_(hub_->opts().prefix + "#" + ctx_.nsp + "#"),
      response_channel_(channel_ + uid_ + "#"), self_(std::make_shared<cluster_adapter*>(this)) {
    request_channel_ = channel_;
    hub_->join(*this);
}

cluster_adapter::~cluster_adapter() {
    hub_->leave(*this);
}

std::string cluster_adapter::new_request_id() const {
    return hex_id();
}

void cluster_adapter::publish(std::string const& channel, sharded_type type, ordered const& data) {
    hub_->publish(channel, encode(type, data), nullptr, sharded());
}

ordered cluster_adapter::broadcast_data(socketio::packet const& p,
                                        socketio::broadcast_options const& opts,
                                        std::string const& ack_id) {
    // The packet as Node's ClusterAdapter writes it: {type, data} (no nsp, docs/cluster.md).
    ordered packet = {{"type", 2}, {"data", to_ordered(p.data)}};
    ordered data = ordered::object();
    data["packet"] = std::move(packet);
    if (!ack_id.empty()) data["requestId"] = ack_id;
    data["opts"] = encode_sharded_opts(opts);
    return data;
}

void cluster_adapter::send_broadcast(socketio::packet const& p,
                                     socketio::broadcast_options const& opts,
                                     std::string const& ack_id) {
    auto data = broadcast_data(p, opts, ack_id);
    if (ack_id.empty()) return send_durable(sharded_type::broadcast, data, opts);
    publish(channel_, sharded_type::broadcast, data);
}

void cluster_adapter::send_rooms(bool join, socketio::broadcast_options const& opts,
                                 std::set<std::string> const& rooms) {
    ordered list = ordered::array();
    for (auto const& r : rooms)
        list.push_back(r);
    send_durable(join ? sharded_type::sockets_join : sharded_type::sockets_leave,
                 {{"opts", encode_sharded_opts(opts)}, {"rooms", list}}, opts);
}

void cluster_adapter::send_disconnect(socketio::broadcast_options const& opts, bool close) {
    send_durable(sharded_type::disconnect_sockets,
                 {{"opts", encode_sharded_opts(opts)}, {"close", close}}, opts);
}

std::string cluster_adapter::fetch_request(std::string const& id,
                                           socketio::broadcast_options const& opts) const {
    return encode(sharded_type::fetch_sockets,
                  {{"opts", encode_sharded_opts(opts)}, {"requestId", id}});
}

std::string cluster_adapter::server_side_request(std::string const& id, json data) const {
    ordered body = ordered::object();
    if (!id.empty()) body["requestId"] = id;
    body["packet"] = to_ordered(data);
    return encode(sharded_type::server_side_emit, body);
}

} // namespace kibitz::cluster
