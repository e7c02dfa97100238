// The Admin UI module of the kibitz binary (docs/admin.md): the admin namespace of
// @socket.io/admin-ui (kibitz::admin) when the configuration turns it on, and the UI's own
// bundle at /admin/ (built by scripts/admin-ui.sh, read once at start-up). Off by default.
#include "module.hpp"

#include <kibitz/admin/instrument.hpp>
#include <kibitz/http/static_files.hpp>
#include <kibitz/redis/connection.hpp>
#include <kibitz/redis/url.hpp>
#include <kibitz/util/log.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace kibitz::app {
namespace {

admin::options admin_options(config const& cfg) {
    admin::options o;
    o.namespace_name = cfg.admin_namespace;
    o.auth = cfg.admin_auth == "off" ? admin::auth_mode::off : admin::auth_mode::basic;
    o.username = cfg.admin_user;
    o.password_hash = cfg.admin_password_hash;
    o.readonly = cfg.admin_readonly;
    o.mode = cfg.admin_mode == "development" ? admin::mode::development : admin::mode::production;
    o.server_id = cfg.admin_server_id;
    return o;
}

// With --redis, login sessions live in Redis exactly as @socket.io/admin-ui's RedisStore keeps
// them (key "socket.io-admin#<id>", value "true", expiring after 86400 s), so a UI that comes
// back with its sessionId to another node (a reload behind the load balancer) stays logged in,
// beside Node servers instrumented with a RedisStore too. Redis down: the UI logs in again.
constexpr char const* session_prefix = "socket.io-admin#";
constexpr char const* session_seconds = "86400";

admin::session_store redis_sessions(std::shared_ptr<redis::connection> const& conn) {
    std::weak_ptr<redis::connection> weak = conn;
    admin::session_store store;
    store.save = [weak](std::string const& id) {
        if (auto c = weak.lock())
            c->send({"SET", session_prefix + id, "true", "EX", session_seconds},
                    [](std::error_code, redis::value) {});
    };
    store.exists = [weak](std::string const& id, std::function<void(bool)> done) {
        auto c = weak.lock();
        if (!c) return done(false);
        c->send({"EXISTS", session_prefix + id}, [done](std::error_code ec, redis::value v) {
            done(!ec && v.type == redis::type::integer && v.integer == 1);
        });
    };
    return store;
}

// The instrument and, with --redis, the connection its sessions use (destroyed after it).
struct installed_admin {
    std::shared_ptr<redis::connection> sessions;
    std::shared_ptr<admin::instrument> instrument;
    ~installed_admin() {
        instrument.reset();
        if (sessions) sessions->close();
    }
};

// "/admin" goes to "/admin/" so the bundle's relative URLs resolve; below it, the bundle.
http_route serve_bundle(std::string const& dir) {
    std::shared_ptr<http::static_files const> files;
    if (std::filesystem::is_regular_file(std::filesystem::path(dir) / "index.html"))
        files = std::make_shared<http::static_files const>(dir, "/admin/");
    else
        util::log(util::log_level::warn, "admin: no UI bundle in ", dir,
                  " (scripts/admin-ui.sh): /admin/ is not served, the namespace is");
    return [files](engineio::http_request const& req, engineio::http_responder& respond) {
        if (req.method != "GET" && req.method != "HEAD") return false;
        if (req.path == "/admin") {
            engineio::http_response r;
            r.status = 308;
            r.set("Location", "/admin/");
            respond(std::move(r));
            return true;
        }
        return files && files->serve(req, respond);
    };
}

std::shared_ptr<void> install(app_context& ctx) {
    if (!ctx.cfg.admin_enabled()) return nullptr;
    auto dir =
        ctx.cfg.admin_ui_dir.empty() ? std::string(KIBITZ_DEFAULT_ADMIN_UI) : ctx.cfg.admin_ui_dir;
    ctx.routes.push_back(serve_bundle(dir));
    count_sockets(ctx, ctx.cfg.admin_namespace);
    auto out = std::make_shared<installed_admin>();
    auto opts = admin_options(ctx.cfg);
    // main() checked the URL before the modules were installed.
    if (auto url = ctx.cfg.redis.empty() ? std::nullopt : redis::parse_url(ctx.cfg.redis)) {
        redis::connection_options c;
        c.url = *url;
        out->sessions = std::make_shared<redis::connection>(ctx.ioc, c);
        out->sessions->start();
        opts.shared_sessions = redis_sessions(out->sessions);
    }
    out->instrument = std::make_shared<admin::instrument>(ctx.io, std::move(opts));
    util::log(util::log_level::info, "admin: namespace ", ctx.cfg.admin_namespace, " (",
              ctx.cfg.admin_mode, ", server id ", out->instrument->server_id(),
              out->sessions ? ", sessions in Redis)" : ")");
    return out;
}

module_registration const registration{module{"admin", install}};

} // namespace
} // namespace kibitz::app
