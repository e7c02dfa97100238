// The list of recent finished games: pages of GET /chess/games.json, newest first, each game
// linking to its replay (/chess/<id>) and its PGN. Built with DOM nodes only.

const $ = (id) => document.getElementById(id);
const REASONS = {
  checkmate: "checkmate", resign: "resignation", timeout: "time", stalemate: "stalemate",
  threefold: "repetition", fifty_moves: "fifty moves", insufficient_material: "material",
  agreement: "agreement", abandoned: "abandoned",
};
let next = null;

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.append(td);
  return td;
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

// PGN's TimeControl ("180+2": seconds + increment) as the lobby shows clocks: "3+2".
function timeControl(tc) {
  const m = /^(\d+)\+(\d+)$/.exec(tc ?? "");
  if (!m) return tc === "-" ? "no clock" : tc ?? "";
  const min = Number(m[1]) / 60;
  return `${Number.isInteger(min) ? min : min.toFixed(1)}+${m[2]}`;
}

function addGame(g) {
  const tr = document.createElement("tr");
  tr.dataset.id = g.id;
  cell(tr, g.white ?? "?");
  cell(tr, g.black ?? "?");
  cell(tr, `${g.result ?? "–"} ${REASONS[g.reason] ? `(${REASONS[g.reason]})` : ""}`.trim(), "result");
  cell(tr, timeControl(g.time_control));
  cell(tr, String(Math.ceil(g.plies / 2)));
  cell(tr, new Date(g.ended_at).toLocaleString());
  const links = cell(tr, "");
  links.append(link(g.url, "Replay"), " · ", link(g.pgn, "PGN"));
  $("games-list").append(tr);
}

async function load() {
  const q = new URLSearchParams({ limit: "20" });
  if (next) q.set("before", next);
  $("games-more").disabled = true;
  try {
    const r = await fetch(`/chess/games.json?${q}`);
    if (!r.ok) throw new Error(`the server answered ${r.status}`);
    const page = await r.json();
    page.games.forEach(addGame);
    next = page.next;
    const any = $("games-list").children.length > 0;
    $("games-table").hidden = !any;
    $("games-empty").hidden = any;
    $("games-more").hidden = !next;
    $("games-error").hidden = true;
  } catch (e) {
    $("games-error").textContent = `Cannot load the games: ${e.message}`;
    $("games-error").hidden = false;
  }
  $("games-more").disabled = false;
}

$("games-more").onclick = load;
load();
