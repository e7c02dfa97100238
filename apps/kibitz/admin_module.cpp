// The Admin UI module of the kibitz binary (docs/admin.md): the admin namespace of
// @socket.io/admin-ui (kibitz::admin) when the configuration turns it on, and the UI's own
// bundle at /admin/ (built by scripts/admin-ui.sh, read once at start-up). Off by default.
#include "module.hpp"

#include <kibitz/admin/instrument.hpp>
#include <kibitz/http/static_files.hpp>
#include <kibitz/util/log.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>

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
    auto instrument = std::make_shared<admin::instrument>(ctx.io, admin_options(ctx.cfg));
    util::log(util::log_level::info, "admin: namespace ", ctx.cfg.admin_namespace, " (",
              ctx.cfg.admin_mode, ", server id ", instrument->server_id(), ")");
    return instrument;
}

module_registration const registration{module{"admin", install}};

} // namespace
} // namespace kibitz::app
