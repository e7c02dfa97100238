// The chess page's play extras: replay (arrows, Home/End, the buttons, the move list), moves
// typed on the keyboard, sounds, move confirmation, copying FEN and PGN. initExtras() hands in
// the page's state and functions (chess.js) before anything here runs.
import { placementAfter, parseTyped } from "./moves.js";
import { play as sound, setSound, soundOn } from "./sounds.js";

let ctx = null;
let state = null;
let $ = null;

export function initExtras(c) {
  ctx = c;
  state = c.state;
  $ = c.$;
}


export function viewPly(ply) {
  if (!ctx.canReplay()) return;
  const n = state.game.moves.length;
  ply = Math.max(0, Math.min(n, ply));
  state.view = ply === n ? null : ply;
  ctx.render();
}

export function renderReplay() {
  const g = state.game;
  const on = ctx.canReplay();
  $("replay-bar").dataset.off = String(!on);
  for (const id of ["btn-first", "btn-prev", "btn-next", "btn-last"]) $(id).disabled = !on;
  const ply = state.view ?? g.moves.length;
  $("replay-text").textContent = !on ? "" : state.view === null
    ? (g.status === "ended" ? "final position" : "live")
    : `move ${Math.ceil(ply / 2)}${ply % 2 ? "" : "…"} (${ply} of ${g.moves.length})`;
  $("keyboard").hidden = !(ctx.isPlayer() && g.status === "started");
}

export function playSounds(prev, g) {
  if (g.status === "ended" && prev.status !== "ended") return sound("end");
  if (g.moves.length <= prev.moves.length) return;
  const san = g.san.at(-1) || "";
  sound(/[+#]$/.test(san) ? "check" : san.includes("x") ? "capture" : "move");
}

// A low-time warning once a game, under 10 s on our own clock.
export function warnLowTime(ms) {
  if (state.lowWarned || !ctx.isPlayer() || state.game.status !== "started") return;
  if (state.game.clock?.running !== state.seat || ms >= 10000) return;
  state.lowWarned = true;
  sound("low");
}

export function confirmMove(uci) {
  const box = $("confirm");
  $("confirm-text").textContent = `Play ${uci}?`;
  box.hidden = false;
  return new Promise((resolve) => {
    const done = (ok) => {
      box.hidden = true;
      $("btn-confirm").onclick = $("btn-cancel").onclick = null;
      resolve(ok);
    };
    $("btn-confirm").onclick = () => done(true);
    $("btn-cancel").onclick = () => done(false);
  });
}

async function copyText(button, text) {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(await text());
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
  setTimeout(() => (button.textContent = label), 1500);
}

export function bindExtras() {
  $("btn-takeback").onclick = () => ctx.act("takeback", { action: "offer" });
  $("btn-takeback-accept").onclick = () => ctx.act("takeback", { action: "accept" });
  $("btn-takeback-decline").onclick = () => ctx.act("takeback", { action: "decline" });
  $("btn-first").onclick = () => viewPly(0);
  $("btn-prev").onclick = () => viewPly((state.view ?? state.game.moves.length) - 1);
  $("btn-next").onclick = () => viewPly((state.view ?? state.game.moves.length) + 1);
  $("btn-last").onclick = () => viewPly(Infinity);
  document.addEventListener("keydown", (e) => {
    if (!state.game || e.target.closest?.("input, textarea, kibitz-chat")) return;
    const at = state.view ?? state.game.moves.length;
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: Infinity }[e.key];
    if (to === undefined || !ctx.canReplay()) return;
    e.preventDefault();
    viewPly(to);
  });
  document.addEventListener("visibilitychange", () => state.game && ctx.renderTitle());
  $("keyboard").onsubmit = (e) => {
    e.preventDefault();
    const g = state.game;
    const input = $("move-input");
    if (!ctx.myTurn()) return ctx.flash("It is not your move.");
    const { uci, why } = parseTyped(input.value, g.legal || [], g.fen);
    if (!uci) return why && ctx.flash(why);
    input.value = "";
    ctx.sendMove(uci);
  };
  $("opt-sound").checked = soundOn();
  $("opt-sound").onchange = (e) => setSound(e.target.checked);
  $("opt-confirm").checked = state.confirmMoves;
  $("opt-confirm").onchange = (e) => {
    state.confirmMoves = e.target.checked;
    localStorage.setItem("kibitz.chess.confirm", e.target.checked ? "on" : "off");
  };
  $("btn-copy-fen").onclick = () => copyText($("btn-copy-fen"), async () =>
    state.view === null ? state.game.fen : `${placementAfter(state.game.moves, state.view)} ${state.view % 2 ? "b" : "w"} - - 0 ${Math.floor(state.view / 2) + 1}`);
  $("btn-copy-pgn").onclick = () => copyText($("btn-copy-pgn"), async () =>
    (await fetch(`/chess/games/${ctx.gameId}.pgn`)).text());
}

// The promotion picker over the board: resolves with q, n, r, b, or null when cancelled.
export function pickPromotion(dest) {
  const box = $("promotion");
  const color = state.seat;
  const file = dest.charCodeAt(0) - 97;
  const col = state.orientation === "white" ? file : 7 - file;
  box.replaceChildren();
  box.style.left = `${col * 12.5}%`;
  box.dataset.from = state.orientation === color ? "top" : "bottom";
  return new Promise((resolve) => {
    for (const [role, letter] of [["queen", "q"], ["knight", "n"], ["rook", "r"], ["bishop", "b"]]) {
      const b = document.createElement("button");
      b.className = "promo";
      b.title = role;
      b.dataset.piece = letter;
      const p = document.createElement("piece");
      p.className = `${role} ${color}`;
      b.append(p);
      b.onclick = () => done(letter);
      box.append(b);
    }
    const cancel = document.createElement("button");
    cancel.className = "promo cancel";
    cancel.textContent = "×";
    cancel.onclick = () => done(null);
    box.append(cancel);
    box.hidden = false;
    function done(v) {
      box.hidden = true;
      resolve(v);
    }
  });
}
