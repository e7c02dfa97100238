// The chat module of the kibitz binary: the /chat namespace of PROTOCOL.md (kibitz::chat) with
// the flood control of the configuration. The page lives in web/chat/ and the Web Component in
// web/kibitz-chat.js, both served by the static handler; this module only adds the redirect
// from /chat to /chat/ so the page's relative URLs resolve.
#include "metrics.hpp"
#include "module.hpp"

#include <kibitz/chat/service.hpp>
#include <kibitz/chat/wire.hpp>
#include <kibitz/redis/url.hpp>

namespace kibitz::app {
namespace {

chat::options chat_options(config const& cfg) {
    chat::options o;
    o.messages_per_window = cfg.chat_messages_per_window;
    o.joins_per_window = cfg.chat_joins_per_window;
    o.window = util::duration(cfg.chat_window_ms);
    o.history_per_window = cfg.chat_history_per_window;
    o.typing_per_window = cfg.chat_typing_per_window;
    o.edits_per_window = cfg.chat_edits_per_window;
    o.max_rooms_per_connection = cfg.chat_max_rooms_per_connection;
    o.max_rooms = cfg.chat_max_open_rooms;
    o.identity_ttl = util::duration(cfg.chat_identity_ttl_ms);
    o.prune_every = cfg.chat_prune_every;
    o.max_rooms_per_address = cfg.chat_max_rooms_per_address;
    o.users = {cfg.chat_users_large_room, util::duration(cfg.chat_users_interval_ms)};
    // --redis: one node of a cluster (main() checked the URL and runs the Redis adapter).
    if (auto url = cfg.redis.empty() ? std::nullopt : redis::parse_url(cfg.redis)) {
        chat::cluster_options c;
        c.url = *url;
        c.prefix = cfg.redis_prefix;
        c.heartbeat = util::duration(cfg.chat_heartbeat_ms);
        c.ttl = util::duration(cfg.chat_presence_ttl_ms);
        o.cluster = std::move(c);
    }
    return o;
}

bool redirect_to_page(engineio::http_request const& req, engineio::http_responder& respond) {
    if (req.path != "/chat" || (req.method != "GET" && req.method != "HEAD")) return false;
    engineio::http_response r;
    r.status = 308;
    r.set("Location", "/chat/");
    respond(std::move(r));
    return true;
}

std::shared_ptr<void> install(app_context& ctx) {
    ctx.routes.push_back(redirect_to_page);
    count_sockets(ctx, chat::wire::namespace_name);
    auto svc = chat::service::install(ctx.io, ctx.store, chat_options(ctx.cfg));
    register_chat_metrics(ctx.metrics, svc);
    if (!ctx.cfg.redis.empty()) {
        // The other nodes this one hears from, and their /chat users (docs/cluster.md).
        std::weak_ptr<chat::service> weak = svc;
        ctx.metrics.gauge("kibitz_chat_cluster_peers", [weak]() -> std::int64_t {
            auto s = weak.lock();
            return s ? static_cast<std::int64_t>(s->cluster_view().node_count()) : 0;
        });
        ctx.metrics.gauge("kibitz_chat_cluster_remote_users", [weak]() -> std::int64_t {
            auto s = weak.lock();
            return s ? static_cast<std::int64_t>(s->cluster_view().user_count()) : 0;
        });
    }
    return svc;
}

module_registration const registration{module{"chat", install}};

} // namespace
} // namespace kibitz::app
