// The chess module of the kibitz binary: the /chess namespace (kibitz::chess_app), the PGN
// download `GET /chess/games/<id>.pgn`, the list of finished games (`GET /chess/games.json`,
// the page /chess/games), and the chess page at /chess/ and /chess/<id>.
#include "metrics.hpp"
#include "module.hpp"

#include <kibitz/chess_app/game_list.hpp>
#include <kibitz/chess_app/shell.hpp>
#include <kibitz/chess_app/wire.hpp>
#include <kibitz/http/static_files.hpp>
#include <kibitz/redis/url.hpp>
#include <kibitz/util/random.hpp>

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

// The value of `key` in the query of `target` ("/p?a=1&b=2"), nullopt when absent; "" when
// given empty. No percent-decoding: the values asked for here are plain ASCII.
std::optional<std::string_view> query_value(std::string_view target, std::string_view key) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == key)
            return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
    return std::nullopt;
}

eio::http_response json_response(int status, kibitz::json const& body, bool head) {
    eio::http_response r;
    r.status = status;
    r.set("Content-Type", "application/json");
    r.set("Cache-Control", "no-store");
    if (!head) r.body = body.dump();
    return r;
}

// GET /chess/games.json?before=<cursor>&limit=<1..100>: a page of finished games (400 for a
// malformed cursor or limit, 503 when the store cannot be read); GET /chess/games: the page.
kibitz::app::http_route games_route(std::shared_ptr<kibitz::chess_app::chess_server> chess,
                                    std::string const& web_dir) {
    namespace ca = kibitz::chess_app;
    std::weak_ptr<ca::chess_server> weak = chess;
    auto pages = std::make_shared<kibitz::http::static_files>(web_dir, "/");
    return [weak, pages](eio::http_request const& req, eio::http_responder& respond) {
        if (!is_get(req)) return false;
        if (req.path == "/chess/games" || req.path == "/chess/games/") {
            eio::http_request page = req;
            page.path = "/chess/games.html";
            page.target = page.path;
            return pages->serve(page, respond);
        }
        if (req.path != "/chess/games.json") return false;
        bool const head = req.method == "HEAD";
        auto before_text = query_value(req.target, "before");
        auto limit_text = query_value(req.target, "limit");
        std::optional<kibitz::store::game_cursor> before;
        std::size_t limit = ca::game_list_default_limit;
        if (before_text && !before_text->empty() && !(before = ca::parse_game_cursor(*before_text)))
            return respond(json_response(400, {{"error", "bad before"}}, head)), true;
        if (limit_text) {
            auto n = ca::parse_game_limit(*limit_text);
            if (!n)
                return respond(json_response(400, {{"error", "limit must be 1..100"}}, head)), true;
            limit = *n;
        }
        auto owner = weak.lock();
        if (!owner) return respond(json_response(503, {{"error", "unavailable"}}, head)), true;
        owner->finished_games(before, limit, [respond, head, limit](auto games) {
            if (!games) return respond(json_response(503, {{"error", "unavailable"}}, head));
            respond(json_response(200, ca::game_list_json(*games, limit), head));
        });
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
    opts.max_open_per_address = cfg.chess_max_open_per_address;
    opts.max_games_per_conn = cfg.chess_max_games_per_connection;
    opts.max_spectators = cfg.chess_max_spectators;
    opts.waiting_grace_ms = cfg.chess_waiting_grace_ms;
    opts.idle_ms = cfg.chess_idle_ms;
    opts.max_lag_credit_per_move_ms = cfg.chess_lag_per_move_ms;
    opts.max_lag_credit_per_game_ms = cfg.chess_lag_per_game_ms;
    kibitz::chess_app::shell_options shell;
    shell.rates = {.window_ms = cfg.chess_rate_window_ms,
                   .creates = cfg.chess_creates_per_window,
                   .joins = cfg.chess_joins_per_window,
                   .moves = cfg.chess_moves_per_window,
                   .actions = cfg.chess_actions_per_window,
                   .pgns = cfg.chess_pgns_per_window};
    // --redis: one node of a chess cluster (main() checked the URL; /chess uses the adapter).
    if (auto url = cfg.redis.empty() ? std::nullopt : kibitz::redis::parse_url(cfg.redis)) {
        kibitz::chess_app::chess_cluster_options c;
        c.url = *url;
        c.prefix = cfg.redis_prefix;
        c.node = kibitz::util::random_id(64);
        c.ttl_ms = cfg.chess_owner_ttl_ms;
        c.heartbeat_ms = std::max<std::int64_t>(10, cfg.chess_owner_ttl_ms / 3);
        c.max_forwards = cfg.chess_max_forwards;
        shell.cluster = std::move(c);
    }
    auto chess = kibitz::chess_app::chess_server::install(ctx.ioc, ctx.io, ctx.store, opts, shell);
    kibitz::app::register_chess_metrics(ctx.metrics, chess);
    ctx.routes.push_back(pgn_route(chess));
    ctx.routes.push_back(games_route(
        chess, ctx.cfg.web_dir.empty() ? std::string(KIBITZ_DEFAULT_WEB_DIR) : ctx.cfg.web_dir));
    kibitz::app::count_sockets(ctx, kibitz::chess_app::wire::nsp);
    ctx.routes.push_back(page_route(ctx.cfg.web_dir.empty() ? std::string(KIBITZ_DEFAULT_WEB_DIR)
                                                            : ctx.cfg.web_dir));
    return chess;
}

kibitz::app::module_registration registration{{"chess", install}};

} // namespace
