#include "redis_adapter_impl.hpp"
#include "redis_hub.hpp"

#include <kibitz/socketio/server.hpp>
#include <kibitz/util/random.hpp>

namespace kibitz::cluster {

namespace {

int type_number(request_type t) {
    return static_cast<int>(t);
}

} // namespace

redis_adapter::redis_adapter(socketio::adapter_context ctx, std::shared_ptr<redis_hub> hub)
    : adapter_base(std::move(ctx), std::move(hub), false),
      chans_(channels::make(hub_->opts().prefix, ctx_.nsp)),
      self_(std::make_shared<redis_adapter*>(this)) {
    request_channel_ = chans_.request;
    hub_->attach(*this);
}

redis_adapter::~redis_adapter() {
    hub_->detach(*this);
}

std::string redis_adapter::new_request_id() const {
    return util::random_id(32);
}

void redis_adapter::send_broadcast(socketio::packet const& p,
                                   socketio::broadcast_options const& opts,
                                   std::string const& ack_id) {
    if (ack_id.empty())
        return hub_->publish(chans_.broadcast_to(opts), encode_broadcast(hub_->uid(), p, opts));
    hub_->publish(chans_.request, encode_broadcast_request(hub_->uid(), ack_id, p, opts));
}

void redis_adapter::send_request(pending_request r, fields body) {
    auto id = body[1].second.get<std::string>();
    start_request(std::move(r), std::move(id), encode_object(body));
}

std::string redis_adapter::fetch_request(std::string const& id,
                                         socketio::broadcast_options const& opts) const {
    return encode_object({{"uid", hub_->uid()},
                          {"requestId", id},
                          {"type", type_number(request_type::remote_fetch)},
                          {"opts", encode_opts(opts, false)}});
}

void redis_adapter::all_rooms(socketio::all_rooms_handler done) {
    auto local = rooms();
    if (auto ec = refusal()) return done(ec, std::move(local));
    pending_request r;
    r.type = request_type::all_rooms;
    r.rooms = std::move(local);
    r.on_rooms = std::move(done);
    fields body = {{"uid", hub_->uid()},
                   {"requestId", new_request_id()},
                   {"type", type_number(request_type::all_rooms)}};
    send_request(std::move(r), std::move(body));
}

std::string redis_adapter::server_side_request(std::string const& id, json data) const {
    fields body = {{"uid", hub_->uid()}};
    if (!id.empty()) body.emplace_back("requestId", id);
    body.emplace_back("type", type_number(request_type::server_side_emit));
    body.emplace_back("data", std::move(data));
    return encode_object(body);
}

void redis_adapter::send_rooms(bool join, socketio::broadcast_options const& opts,
                               std::set<std::string> const& rooms) {
    json list = json::array();
    for (auto const& r : rooms)
        list.push_back(r);
    auto const type = join ? request_type::remote_join : request_type::remote_leave;
    hub_->publish(chans_.request, encode_object({{"uid", hub_->uid()},
                                                 {"type", type_number(type)},
                                                 {"opts", encode_opts(opts, false)},
                                                 {"rooms", std::move(list)}}));
}

void redis_adapter::send_disconnect(socketio::broadcast_options const& opts, bool close) {
    hub_->publish(chans_.request,
                  encode_object({{"uid", hub_->uid()},
                                 {"type", type_number(request_type::remote_disconnect)},
                                 {"opts", encode_opts(opts, false)},
                                 {"close", close}}));
}

} // namespace kibitz::cluster
