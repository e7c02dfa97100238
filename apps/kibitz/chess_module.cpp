// The chess module of the kibitz binary: the /chess namespace (kibitz::chess_app), the PGN
// download `GET /chess/games/<id>.pgn`, and the chess page at /chess/ and /chess/<id>.
#include "module.hpp"

#include <kibitz/chess_app/shell.hpp>
#include <kibitz/chess_app/wire.hpp>
#include <kibitz/http/static_files.hpp>

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
        auto answer = [respond, head = req.method == "HEAD",
                       asked = std::string(id)](std::optional<kibitz::chess_app::pgn_answer> pgn) {
            eio::http_response r;
            r.status = !pgn ? 404 : pgn->unavailable ? 503 : pgn->id != asked ? 301 : 200;
            r.set("Content-Type", "text/plain; charset=utf-8");
            // A game named by its id from before ids were lower-case: its address now.
            if (r.status == 301) r.set("Location", "/chess/games/" + pgn->id + ".pgn");
            std::string body = r.status == 200   ? std::move(pgn->text)
                               : r.status == 404 ? "Not Found"
                               : r.status == 503 ? "Service Unavailable"
                                                 : "Moved Permanently";
            if (!head) r.body = std::move(body);
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
    auto pages = std::make_shared<kibitz::http::static_files>(web_dir, "/");
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
    auto const& cfg = ctx.cfg;
    kibitz::chess_app::service_options opts;
    opts.claim_grace_ms = cfg.chess_claim_grace_ms;
    opts.max_games = cfg.chess_max_games;
    opts.max_open_games = cfg.chess_max_open_games;
    opts.max_open_per_creator = cfg.chess_max_open_per_creator;
    opts.max_games_per_conn = cfg.chess_max_games_per_connection;
    opts.max_spectators = cfg.chess_max_spectators;
    opts.waiting_grace_ms = cfg.chess_waiting_grace_ms;
    opts.idle_ms = cfg.chess_idle_ms;
    kibitz::chess_app::shell_options shell;
    shell.rates = {.window_ms = cfg.chess_rate_window_ms,
                   .creates = cfg.chess_creates_per_window,
                   .joins = cfg.chess_joins_per_window,
                   .moves = cfg.chess_moves_per_window,
                   .actions = cfg.chess_actions_per_window,
                   .pgns = cfg.chess_pgns_per_window};
    auto chess = kibitz::chess_app::chess_server::install(ctx.ioc, ctx.io, ctx.store, opts, shell);
    ctx.routes.push_back(pgn_route(chess));
    kibitz::app::count_sockets(ctx, kibitz::chess_app::wire::nsp);
    ctx.routes.push_back(page_route(ctx.cfg.web_dir.empty() ? std::string(KIBITZ_DEFAULT_WEB_DIR)
                                                            : ctx.cfg.web_dir));
    return chess;
}

kibitz::app::module_registration registration{{"chess", install}};

} // namespace
