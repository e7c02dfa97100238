// Helpers for the /chess interop tests: a kibitz server on a fresh data directory, clients of
// the /chess namespace that record every `game` and `lobby` event, and a few game scripts.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { once, startServer } from "../lib/server.mjs";

export const CAP_MS = 5000;
export const GRACE_MS = 200;

// A kibitz server with its own data directory; `dir` reuses one (a restart).
export async function startChess({ dir, args = [] } = {}) {
  const data = dir ?? mkdtempSync(path.join(tmpdir(), "kibitz-chess-"));
  const server = await startServer("kibitz", ["--data", data, "--chess-claim-grace", String(GRACE_MS), ...args]);
  return {
    ...server,
    dir: data,
    async stopAndClean() {
      await server.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

// A connected /chess client; `games` holds every `game` event, `lobbies` every `lobby` event.
export async function client(url, opts = {}) {
  const s = io(`${url}/chess`, { forceNew: true, reconnection: false, transports: ["websocket"], ...opts });
  s.games = [];
  s.lobbies = [];
  s.rematches = [];
  s.on("game", (g) => s.games.push(g));
  s.on("lobby", (l) => s.lobbies.push(l));
  s.on("rematch", (r) => s.rematches.push(r));
  await once(s, "connect", CAP_MS, { rejectOn: ["connect_error"] });
  return s;
}

export function call(s, event, payload, cap = CAP_MS) {
  return s.timeout(cap).emitWithAck(event, payload);
}

// Resolves with the first recorded event of `list` (s.games by default) that satisfies `pred`,
// waiting for `event` if none has arrived yet.
export function waitFor(s, pred, { event = "game", list = s.games, what = "a matching event" } = {}) {
  const found = list.find(pred);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, check);
      reject(new Error(`timed out waiting for ${what}`));
    }, CAP_MS);
    function check(value) {
      if (!pred(value)) return;
      clearTimeout(timer);
      s.off(event, check);
      resolve(value);
    }
    s.on(event, check);
  });
}

export function close(...sockets) {
  for (const s of sockets) s?.disconnect();
}

// White (alice) creates, black (bob) joins; both are seated.
export async function newGame(url, { clock = null } = {}) {
  const white = await client(url);
  const black = await client(url);
  const created = await call(white, "create", { name: "alice", color: "white", clock });
  if (!created.ok) throw new Error(JSON.stringify(created));
  const id = created.game.id;
  const joined = await call(black, "join", { game: id, name: "bob" });
  if (!joined.ok || joined.seat !== "black") throw new Error(JSON.stringify(joined));
  return { id, white, black, tokens: { white: created.token, black: joined.token }, last: joined.game };
}

// Plays the UCI moves in turn; returns the last ack's game.
export async function play(g, moves) {
  let game = g.last;
  for (const uci of moves) {
    const mover = game.turn === "white" ? g.white : g.black;
    const ack = await call(mover, "move", { game: g.id, uci, ply: game.moves.length });
    if (!ack.ok) throw new Error(`${uci} at ply ${game.moves.length}: ${JSON.stringify(ack)}`);
    game = ack.game;
  }
  g.last = game;
  return game;
}

export const FOOLS_MATE = ["f2f3", "e7e5", "g2g4", "d8h4"];
