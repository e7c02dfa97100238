// The chess module of the kibitz binary: the /chess namespace (kibitz::chess_app), the PGN
// download `GET /chess/games/<id>.pgn`, and the chess page at /chess/ and /chess/<id>.
#include "module.hpp"

#include <kibitz/chess_app/shell.hpp>
#include <kibitz/engineio/static_files.hpp>

#include <string_view>

namespace {

namespace eio = kibitz::engineio;
using kibitz::app::app_context;

bool url_safe_id(std::string_view s) {
    if (s.empty() || s.size() > 128) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    return true;
}

bool is_get(eio::http_request const& req) {
    return req.method == "GET" || req.method == "HEAD";
}

// GET /chess/games/<id>.pgn: the PGN as text/plain, 404 for an unknown id.
kibitz::app::http_route pgn_route(std::shared_ptr<kibitz::chess_app::chess_server> chess) {
    std::weak_ptr<kibitz::chess_app::chess_server> weak = chess;
    return [weak](eio::http_request const& req, eio::http_responder& respond) {
        constexpr std::string_view prefix = "/chess/games/", suffix = ".pgn";
        std::string_view path = req.path;
        if (!is_get(req) || !path.starts_with(prefix) || !path.ends_with(suffix)) return false;
        auto id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
        auto owner = weak.lock();
        auto answer = [respond, head = req.method == "HEAD"](std::optional<std::string> pgn) {
            eio::http_response r;
            r.status = pgn ? 200 : 404;
            r.set("Content-Type", "text/plain; charset=utf-8");
            eio::add_security_headers(r);
            if (!head) r.body = pgn ? std::move(*pgn) : std::string("Not Found");
            respond(std::move(r));
        };
        if (!owner || !url_safe_id(id)) {
            answer(std::nullopt);
            return true;
        }
        owner->pgn(std::string(id), answer);
        return true;
    };
}

// /chess/<id> serves the chess page (web/chess/index.html); files beside it keep their names.
kibitz::app::http_route page_route(std::string const& web_dir) {
    auto pages = std::make_shared<eio::static_files>(web_dir, "/");
    return [pages](eio::http_request const& req, eio::http_responder& respond) {
        constexpr std::string_view prefix = "/chess/";
        std::string_view path = req.path;
        if (!is_get(req) || !path.starts_with(prefix)) return false;
        if (!url_safe_id(path.substr(prefix.size()))) return false;
        eio::http_request page = req;
        page.path = "/chess/index.html";
        page.target = page.path;
        return pages->serve(page, respond);
    };
}

std::shared_ptr<void> install(app_context& ctx) {
    kibitz::chess_app::service_options opts;
    opts.claim_grace_ms = ctx.cfg.chess_claim_grace_ms;
    auto chess = kibitz::chess_app::chess_server::install(ctx.ioc, ctx.io, ctx.store, opts);
    ctx.routes.push_back(pgn_route(chess));
    ctx.routes.push_back(page_route(ctx.cfg.web_dir.empty() ? std::string(KIBITZ_DEFAULT_WEB_DIR)
                                                            : ctx.cfg.web_dir));
    return chess;
}

kibitz::app::module_registration registration{{"chess", install}};

} // namespace
