// The Kibitz chess page: the lobby at /chess/ and a game at /chess/<id>, over the /chess
// Socket.IO namespace (PROTOCOL.md). The server is the authority: the board shows its `game`
// events, clocks tick locally from its figures, legal moves come from its `legal` field.
import { io } from "/socket.io/socket.io.esm.min.js";
import { Chessground } from "/vendor/chessground/chessground.min.js";

import { placementAfter } from "./moves.js";
import { oneAtATime, seatForgotten, seatShownGone } from "./seat.js";
import {
  bindExtras, confirmMove, initExtras, pickPromotion, playSounds, renderReplay, viewPly, warnLowTime,
} from "./extras.js";

const $ = (id) => document.getElementById(id);
const store = {
  get name() { return localStorage.getItem("kibitz.chess.name") || ""; },
  set name(v) { localStorage.setItem("kibitz.chess.name", v); },
  token(id) { return localStorage.getItem(`kibitz.chess.token.${id}`); },
  setToken(id, t) { localStorage.setItem(`kibitz.chess.token.${id}`, t); },
};

const PENDING_NAME = "kibitz.chess.pending-name";
const JOIN_RETRY_MS = 1000;

function defaultName() {
  if (!store.name) store.name = `guest${Math.floor(1000 + Math.random() * 9000)}`;
  return store.name;
}

const gameId = (() => {
  const m = location.pathname.match(/^\/chess\/([A-Za-z0-9_-]+)\/?$/);
  return m ? m[1] : null;
})();

const socket = io("/chess", { transports: ["websocket", "polling"] });
const call = (event, payload) => socket.timeout(10000).emitWithAck(event, payload)
  .catch(() => ({ ok: false, error: { code: "timeout", message: "no answer from the server" } }));

// Every join of the game goes through here, one at a time: on connect (a reconnect joins again
// with the seat's token), after a gap in `v`, and when the server shows it forgot the seat.
const rejoin = oneAtATime(() => joinGame());

socket.on("connect", () => {
  setConn("online");
  if (gameId) rejoin();
});
socket.on("disconnect", () => setConn("offline"));
socket.on("connect_error", () => setConn("offline"));

function setConn(state) {
  const el = $("conn");
  el.dataset.state = state;
  el.textContent = state === "online" ? "live" : "reconnecting…";
}

// ---- Lobby ----------------------------------------------------------------------------------

function showLobby() {
  $("lobby").hidden = false;
  $("name").value = defaultName();
  $("create-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = $("name").value.trim();
    const clock = new FormData(e.target).get("clock");
    const color = new FormData(e.target).get("color");
    const [initial, increment] = clock === "none" ? [] : clock.split("+").map(Number);
    const ack = await call("create", {
      name, color, clock: clock === "none" ? null : { initial_ms: initial, increment_ms: increment },
    });
    if (!ack.ok) {
      // The server says what is wrong (a name's problem, a limit, storage): show its words.
      $("create-error").textContent = ack.error.message;
      return;
    }
    // Kept only once the server took it, so a refused name never sticks.
    store.name = name;
    store.setToken(ack.game.id, ack.token);
    location.assign(`/chess/${ack.game.id}`);
  });
  socket.on("lobby", renderLobby);
}

function clockLabel(c) {
  if (!c) return "no clock";
  const min = c.initial_ms / 60000;
  return `${Number.isInteger(min) ? min : min.toFixed(1)}+${Math.round(c.increment_ms / 1000)}`;
}

function renderLobby({ games }) {
  const list = $("lobby-list");
  list.replaceChildren();
  $("lobby-empty").hidden = games.length > 0;
  for (const g of games) {
    const li = document.createElement("li");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = g.creator;
    const what = document.createElement("span");
    what.className = "what";
    const plays = g.color === "random" ? "random colours" : `plays ${g.color}`;
    what.textContent = `${clockLabel(g.clock)} · ${plays}`;
    const link = document.createElement("a");
    link.className = "button primary";
    link.href = `/chess/${g.id}`;
    link.textContent = store.token(g.id) ? "Open" : "Join";
    link.addEventListener("click", () => {
      // The game page joins with the name typed here (the server says whether it may).
      const typed = $("name").value.trim();
      if (typed) sessionStorage.setItem(PENDING_NAME, typed);
      else sessionStorage.removeItem(PENDING_NAME);
    });
    li.append(who, what, link);
    list.append(li);
  }
}

// ---- Game -----------------------------------------------------------------------------------

const state = {
  game: null,       // the last Game
  receivedAt: 0,    // performance.now() when it arrived
  seat: null,       // "white", "black", "spectator"
  orientation: "white",
  flipped: false,
  pending: false,   // a move is on its way
  confirmResign: false,
  view: null,       // replay: the ply shown (null: the live position)
  confirmMoves: localStorage.getItem("kibitz.chess.confirm") === "on",
  lowWarned: false,
};
let cg = null;

function showGame() {
  $("game").hidden = false;
  $("share-link").value = location.href;
  $("pgn-link").href = `/chess/games/${gameId}.pgn`;
  cg = Chessground($("board"), {
    coordinates: true,
    animation: { enabled: true, duration: 180 },
    highlight: { lastMove: true, check: true },
    movable: { free: false, showDests: true, events: { after: onUserMove } },
    premovable: { enabled: true, showDests: true },
    draggable: { enabled: true, showGhost: true },
    viewOnly: false,
  });
  socket.on("game", onGame);
  socket.on("rematch", ({ game }) => {
    const token = store.token(gameId);
    if (token) store.setToken(game, token);
    location.assign(`/chess/${game}`);
  });
  bindActions();
  initExtras({ state, $, act, flash, sendMove, render, renderTitle, myTurn, canReplay, isPlayer, gameId });
  bindExtras();
  requestAnimationFrame(tick);
}

// The game chat opens once the chess server has taken a name: /chess and /chat check names with
// one validator (kibitz::names), so the name the chat gets is one the chat accepts (the seat's
// name for a player, the name this page joined with for a spectator), never a name the chess
// server refused. A player, and a spectator who typed a name, join the chat with it at once
// (`join-as`); a spectator known only by a guest name is asked once by the chat's own form,
// which offers the guest name, and the chat keeps what they pick.
const GUEST_NAME = /^guest\d{4}$/;
let chatOpened = false;
function openChat(name, player) {
  if (chatOpened) return;
  chatOpened = true;
  const chat = $("chat");
  chat.setAttribute("server", location.origin);
  chat.setAttribute("room", `game:${gameId}`);
  chat.setAttribute("name", name);
  if (player || !GUEST_NAME.test(name)) chat.setAttribute("join-as", name);
  import("/kibitz-chat.js").catch(() => {
    chat.textContent = "The game chat is not available on this server yet.";
    chat.classList.add("muted");
  });
}

async function joinGame(retried = false) {
  const token = store.token(gameId);
  // A name typed in the lobby before following a game's link is tried first.
  const pending = sessionStorage.getItem(PENDING_NAME);
  const name = pending || defaultName();
  const ack = await call("join", { game: gameId, name, ...(token ? { token } : {}) });
  if (!ack.ok && ack.error.code === "bad_request" && !retried) {
    // A name the server does not accept: a typed one is dropped for the kept one; one kept
    // from an older page for a guest name.
    sessionStorage.removeItem(PENDING_NAME);
    if (pending) return joinGame(false);
    store.name = "";
    return joinGame(true);
  }
  if (ack.ok && pending) {
    sessionStorage.removeItem(PENDING_NAME);
    store.name = pending;
  }
  if (!ack.ok && ["unavailable", "timeout"].includes(ack.error.code)) {
    // The game cannot be reached just now (in a cluster: its node died and another one takes
    // it over once its claim expired): asked again, while connected.
    $("status").textContent = ack.error.message;
    setTimeout(() => socket.connected && rejoin(), JOIN_RETRY_MS);
    return;
  }
  if (!ack.ok) {
    $("status").textContent = ack.error.code === "not_found" ? "There is no such game." : ack.error.message;
    $("board").classList.add("missing");
    return;
  }
  if (ack.game.id !== gameId) {
    // An id from before ids were lower-case: the game lives on under its new id.
    const kept = ack.token || token;
    if (kept) store.setToken(ack.game.id, kept);
    location.replace(`/chess/${ack.game.id}`);
    return;
  }
  state.seat = ack.seat;
  if (ack.token) store.setToken(gameId, ack.token);
  openChat(ack.game.players[ack.seat] ?? name, ack.seat !== "spectator");
  if (!state.flipped) state.orientation = ack.seat === "black" ? "black" : "white";
  state.game = null; // take the full state
  onGame(ack.game);
}

function onGame(g) {
  if (g.id !== gameId) return;
  const prev = state.game;
  if (prev && g.v <= prev.v) return;
  if (prev && g.v > prev.v + 1) {
    // A gap: something was missed; join again for the full state.
    rejoin();
    return;
  }
  state.game = g;
  state.receivedAt = performance.now();
  state.pending = false;
  if (prev) playSounds(prev, g);
  render();
  // Our seat shown without a connection while we are connected: the server forgot it.
  if (seatShownGone(state.seat, g, socket.connected)) rejoin();
  // A premove waits for the opponent's move: played as soon as it is our turn.
  if (myTurn()) cg.playPremove();
}

const isPlayer = () => state.seat === "white" || state.seat === "black";
const opposite = (c) => (c === "white" ? "black" : "white");

function destsOf(g) {
  const dests = new Map();
  for (const uci of g.legal || []) {
    const from = uci.slice(0, 2);
    const to = uci.slice(2, 4);
    if (!dests.has(from)) dests.set(from, []);
    if (!dests.get(from).includes(to)) dests.get(from).push(to);
  }
  return dests;
}

const myTurn = () => {
  const g = state.game;
  return isPlayer() && g.status === "started" && g.turn === state.seat && !state.pending;
};
// Replay is for a finished game, and for spectators during one.
const canReplay = () => state.game && (state.game.status === "ended" || !isPlayer());

function render() {
  const g = state.game;
  if (!canReplay()) state.view = null;
  const ply = state.view ?? g.moves.length;
  const last = g.moves[ply - 1];
  const lastSan = g.san[ply - 1] || "";
  const live = state.view === null;
  const turn = ply % 2 === 0 ? "white" : "black";
  // While playing, our pieces stay movable on the opponent's turn too: that is a premove.
  const playing = live && isPlayer() && g.status === "started" && !state.pending;
  cg.set({
    fen: live ? g.fen : placementAfter(g.moves, ply),
    orientation: state.orientation,
    turnColor: live ? g.turn : turn,
    lastMove: last ? [last.slice(0, 2), last.slice(2, 4)] : undefined,
    check: /[+#]$/.test(lastSan) ? (live ? g.turn : turn) : false,
    movable: { color: playing ? state.seat : undefined, dests: myTurn() ? destsOf(g) : new Map() },
  });
  if (!playing) cg.cancelPremove();
  $("board").classList.toggle("replaying", !live);
  renderPlayers();
  renderMoves();
  renderStatus();
  renderActions();
  renderReplay();
  $("spectators").textContent = `${g.spectators} watching`;
  renderTitle();
}

// The title, flagged "your turn" while the page is hidden and it is our move.
function renderTitle() {
  const g = state.game;
  const flag = document.hidden && myTurn() ? "● Your turn · " : "";
  document.title = `${flag}${g.players.white ?? "?"} vs ${g.players.black ?? "?"} · Kibitz chess`;
}

function renderPlayers() {
  const g = state.game;
  const bottom = state.orientation;
  for (const [el, color] of [[$("player-bottom"), bottom], [$("player-top"), opposite(bottom)]]) {
    el.dataset.color = color;
    const name = g.players[color];
    el.querySelector(".pname").textContent = name ?? "waiting for an opponent…";
    el.querySelector(".dot").dataset.on = String(Boolean(g.connected[color]));
    el.querySelector(".dot").title = g.connected[color] ? "connected" : "disconnected";
    el.classList.toggle("you", state.seat === color);
    el.classList.toggle("to-move", g.status === "started" && g.turn === color);
    el.querySelector(".clock").hidden = !g.clock;
  }
}

function fmtClock(ms) {
  ms = Math.max(0, ms);
  if (ms < 10000) return `${Math.floor(ms / 1000)}.${Math.floor((ms % 1000) / 100)}`;
  const s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

// Clocks and countdowns, every frame, from the server's figures and the time since they came.
function tick() {
  requestAnimationFrame(tick);
  const g = state.game;
  if (!g) return;
  const elapsed = performance.now() - state.receivedAt;
  if (g.clock) {
    for (const el of [$("player-top"), $("player-bottom")]) {
      const color = el.dataset.color;
      let ms = g.clock[`${color}_ms`];
      const running = g.clock.running === color;
      if (running) ms -= elapsed;
      const c = el.querySelector(".clock");
      c.textContent = fmtClock(ms);
      c.classList.toggle("running", running);
      c.classList.toggle("low", ms < 10000);
      if (color === state.seat) warnLowTime(ms);
    }
  }
  for (const el of [$("player-top"), $("player-bottom")]) {
    const away = g.away_ms?.[el.dataset.color];
    el.querySelector(".away").textContent =
      away == null || g.status !== "started" ? "" : `gone ${Math.floor((away + elapsed) / 1000)}s`;
  }
  renderNotice(elapsed);
}

function renderNotice(elapsed) {
  const g = state.game;
  const el = $("notice");
  if (!isPlayer() || g.status !== "started") return void (el.hidden = true);
  const away = g.away_ms?.[opposite(state.seat)];
  if (away == null) return void (el.hidden = true);
  el.hidden = false;
  const left = g.claim_grace_ms - away - elapsed;
  el.textContent = g.claimable === state.seat || left <= 0
    ? "Your opponent left the game. You can claim the victory or wait."
    : `Your opponent left the game. You can claim the victory in ${Math.ceil(left / 1000)} s.`;
}

function renderMoves() {
  const g = state.game;
  const ol = $("moves");
  ol.replaceChildren();
  for (let i = 0; i < g.san.length; i += 2) {
    const li = document.createElement("li");
    for (const san of [g.san[i], g.san[i + 1]]) {
      const span = document.createElement("span");
      span.className = "san";
      span.textContent = san ?? "";
      li.append(span);
    }
    ol.append(li);
  }
  const spans = ol.querySelectorAll(".san");
  spans[g.san.length - 1]?.classList.add("current");
  spans.forEach((span, i) => {
    if (i < g.san.length) span.onclick = () => viewPly(i + 1);
  });
  if (state.view !== null) spans[state.view - 1]?.classList.add("viewing");
  else ol.scrollTop = ol.scrollHeight;
}

const REASONS = {
  checkmate: "by checkmate", resign: "by resignation", timeout: "on time",
  stalemate: "by stalemate", threefold: "by threefold repetition", fifty_moves: "by the fifty-move rule",
  insufficient_material: "by insufficient material", agreement: "by agreement",
  abandoned: "— the opponent left",
};

function resultText(g) {
  if (g.reason === "aborted") return "Game aborted";
  if (g.result === "1/2-1/2") return `Draw ${REASONS[g.reason] ?? ""}`;
  const winner = g.result === "1-0" ? "White" : "Black";
  return `${winner} wins ${REASONS[g.reason] ?? ""}`;
}

function renderStatus() {
  const g = state.game;
  const banner = $("banner");
  banner.hidden = g.status !== "ended";
  if (g.status === "ended") {
    banner.textContent = resultText(g);
    banner.dataset.result = g.result ?? "none";
  }
  let text;
  if (g.status === "waiting") {
    text = isPlayer() ? "Waiting for an opponent: share the link below." : "Waiting for a second player.";
  } else if (g.status === "started") {
    const who = g.turn === state.seat ? "Your move" : `${g.turn === "white" ? "White" : "Black"} to move`;
    text = isPlayer() ? who : `Watching · ${who}`;
    if (g.draw_offer) {
      text += g.draw_offer === state.seat ? " · draw offered" : ` · ${g.draw_offer} offers a draw`;
    }
    if (g.takeback) {
      text += g.takeback === state.seat ? " · takeback asked" : ` · ${g.takeback} asks for a takeback`;
    }
  } else {
    text = g.rematch ? "A rematch has started." : "";
    if (g.rematch_offer && isPlayer())
      text = g.rematch_offer === state.seat ? "Rematch offered…" : "Your opponent wants a rematch.";
  }
  $("status").textContent = text;
}

function show(id, on) { $(id).hidden = !on; }

function renderActions() {
  const g = state.game;
  const playing = isPlayer() && g.status !== "ended";
  const started = g.status === "started";
  const theirDraw = started && g.draw_offer === opposite(state.seat);
  show("btn-abort", playing && g.moves.length < 2);
  show("btn-resign", playing && started && g.moves.length >= 2);
  show("btn-draw", playing && started && !theirDraw);
  $("btn-draw").disabled = g.draw_offer === state.seat;
  show("btn-draw-accept", playing && theirDraw);
  show("btn-draw-decline", playing && theirDraw);
  show("btn-claim", playing && g.claimable === state.seat);
  const canRematch = isPlayer() && g.status === "ended" && !g.rematch;
  show("btn-rematch", canRematch);
  $("btn-rematch").textContent = g.rematch_offer === opposite(state.seat) ? "Accept rematch" : "Rematch";
  $("btn-rematch").disabled = g.rematch_offer === state.seat;
  $("btn-resign").textContent = state.confirmResign ? "Really resign?" : "Resign";
  // A takeback needs a move of ours on the board.
  const theirTakeback = started && g.takeback === opposite(state.seat);
  const mine = g.moves.length >= 2 || (g.moves.length === 1 && state.seat === "white");
  show("btn-takeback", playing && started && mine && !theirTakeback);
  $("btn-takeback").disabled = g.takeback === state.seat;
  show("btn-takeback-accept", playing && theirTakeback);
  show("btn-takeback-decline", playing && theirTakeback);
}

async function act(event, payload = {}) {
  const ack = await call(event, { game: gameId, ...payload });
  if (!ack.ok) flash(ack.error.message);
  if (seatForgotten(state.seat, ack)) seatLost();
  return ack;
}

// The server refused a request of ours as not a player's although we hold a seat: join again
// with the seat's token. The request is not sent again: the user sees why and acts again.
function seatLost() {
  rejoin().then(() => {
    if (state.seat === "white" || state.seat === "black")
      flash("The server had lost your seat; you have it again: please play that again.");
  });
}

function flash(text) {
  const el = $("status");
  el.textContent = text;
  el.classList.add("flash");
  setTimeout(() => el.classList.remove("flash"), 1200);
}

function bindActions() {
  $("btn-abort").onclick = () => act("abort");
  $("btn-draw").onclick = () => act("draw", { action: "offer" });
  $("btn-draw-accept").onclick = () => act("draw", { action: "accept" });
  $("btn-draw-decline").onclick = () => act("draw", { action: "decline" });
  $("btn-claim").onclick = () => act("claim");
  $("btn-resign").onclick = () => {
    if (!state.confirmResign) {
      state.confirmResign = true;
      renderActions();
      setTimeout(() => { state.confirmResign = false; if (state.game) renderActions(); }, 3000);
      return;
    }
    state.confirmResign = false;
    act("resign");
  };
  $("btn-rematch").onclick = () => {
    const g = state.game;
    act("rematch", { action: g.rematch_offer === opposite(state.seat) ? "accept" : "offer" });
  };
  $("btn-flip").onclick = () => {
    state.flipped = true;
    state.orientation = opposite(state.orientation);
    if (state.game) render();
  };
  $("btn-copy").onclick = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      $("btn-copy").textContent = "Copied";
    } catch {
      $("share-link").select();
    }
    setTimeout(() => ($("btn-copy").textContent = "Copy"), 1500);
  };
}

// A move made on the board: promotion asks which piece, then the move goes to the server.
async function onUserMove(orig, dest) {
  const g = state.game;
  let uci = orig + dest;
  if ((g.legal || []).includes(`${uci}q`)) {
    const piece = await pickPromotion(dest);
    if (!piece) return render();
    uci += piece;
  }
  return sendMove(uci);
}

// Sends a legal move of ours, after the confirmation when that option is on.
async function sendMove(uci) {
  const g = state.game;
  if (state.confirmMoves && !(await confirmMove(uci))) return render();
  if (state.game !== g) return;
  state.pending = true;
  const ack = await call("move", { game: gameId, uci, ply: g.moves.length });
  if (!ack.ok) {
    state.pending = false;
    flash(ack.error.message);
    if (ack.error.code === "stale_ply") return rejoin();
    if (seatForgotten(state.seat, ack)) seatLost();
    render();
  }
}

if (gameId) showGame();
else showLobby();
