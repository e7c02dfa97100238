// Helpers for the fault suite (`make faults`, and briefly in `make test`): the real kibitz binary
// on a data directory of the test's own, what /proc says about its process, SQLite's own checks of
// the database, a second process that holds the database lock, and load generators for /chat and
// /chess that record every acked message and move. Every wait has a cap that turns a hang into a
// clear failure; the faults themselves (SIGKILL, SIGSTOP, a held lock, few descriptors, a full
// disk) are inputs, and the assertions are about what was acked and what survived.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { startServer, withTimeout } from "../interop/lib/server.mjs";
import { holdWriteLock } from "../interop/lib/sqlite-lock.mjs";

export const CAP_MS = 10_000;

// Under ASan, freed memory waits in a quarantine (256 MiB by default) that RSS would count: keep
// it small in the servers these tests start, so RSS shows what the server itself holds.
process.env.ASAN_OPTIONS = [process.env.ASAN_OPTIONS, "quarantine_size_mb=8"].filter(Boolean).join(":");

// "brief" in `make test`, "full" in `make faults`: how many rounds and how much load.
export const SCALE = process.env.KIBITZ_FAULTS_SCALE === "full" ? "full" : "brief";
export const pick = (brief, full) => (SCALE === "full" ? full : brief);

// Prints a figure for the closing note of a run ("# fault: ...").
export function figure(text) {
  console.log(`# fault: ${text}`);
}

export function tempDir(prefix = "kibitz-faults-") {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// Flags that take flood control out of the way of a load generator and of the checkers that
// page through the whole history afterwards (100 messages a page: a full run's few thousand
// messages passed the 30 reads per window); the limits have tests of their own, the faults
// suite measures durability, not rate limits.
export const LOAD_FLAGS = [
  "--chat-messages-per-window", "0", "--chat-history-per-window", "0", "--log-level", "error",
];

export async function startKibitz(dataDir, extra = []) {
  return startServer("kibitz", ["--data", dataDir, ...LOAD_FLAGS, ...extra]);
}

// What /proc says about a process: resident memory (bytes), open descriptors, CPU ticks used.
export function procStats(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  // Fields 14 and 15 of /proc/PID/stat (after the command in parentheses): utime and stime.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(rest[11]) + Number(rest[12]);
  return { rss, fds, ticks };
}

// The database file of a data directory.
export function dbFile(dataDir) {
  const names = readdirSync(dataDir).filter((n) => /\.(db|sqlite3?)$/.test(n));
  if (names.length === 0) throw new Error(`no database in ${dataDir}: ${readdirSync(dataDir)}`);
  return path.join(dataDir, names[0]);
}

// SQLite's own verdict on the file: PRAGMA integrity_check (run by Debian's python3 sqlite3).
export function integrityCheck(dataDir) {
  const file = dbFile(dataDir);
  const r = spawnSync(
    "/usr/bin/python3",
    ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('PRAGMA integrity_check').fetchone()[0])", file],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`integrity_check failed to run: ${r.stderr}`);
  return r.stdout.trim();
}

// A second process that holds SQLite's write lock on the data directory's database until
// release() is called. Resolves once the lock is held.
export function holdDatabaseLock(dataDir) {
  return holdWriteLock(dbFile(dataDir));
}

export async function connect(url, nsp, opts = {}) {
  const socket = io(url + nsp, { forceNew: true, reconnection: false, transports: ["websocket"], ...opts });
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    CAP_MS,
    `connect to ${nsp}`,
  );
  return socket;
}

// Emits `event` and resolves with the ack's argument; rejects when no ack comes within `cap` or the
// connection goes first.
export function call(socket, event, payload, cap = CAP_MS) {
  return new Promise((resolve, reject) =>
    socket.timeout(cap).emit(event, payload, (err, ack) => (err ? reject(err) : resolve(ack))),
  );
}

// Every message of `room` visible to `socket`, oldest first, paging back with `before`.
export async function fullHistory(socket, room) {
  const out = [];
  let before;
  for (;;) {
    const page = await call(socket, "history", { room, limit: 100, ...(before ? { before } : {}) });
    if (!page.ok) throw new Error(`history: ${JSON.stringify(page)}`);
    if (page.messages.length === 0) return out;
    out.unshift(...page.messages);
    before = page.messages[0].id;
  }
}

// Percentile of a list of numbers (p in 0..100).
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// A /chat load: `senders` names in `room`, each keeping `window` messages in flight with client
// ids, until stop() or until the server goes away. `acked` maps client id -> Message for every
// `ok` ack, `sent` lists every attempt, `latencies` the ack times of the ok acks.
export class ChatLoad {
  constructor(url, { room = "faults", senders = 3, window = 4, prefix = "load", round = 0 } = {}) {
    Object.assign(this, { url, room, senders, window, prefix, round });
    this.acked = new Map();
    this.sent = [];
    this.failures = new Map(); // error code -> count
    this.latencies = [];
    this.sockets = [];
    this.stopped = false;
  }

  async start() {
    for (let s = 0; s < this.senders; s++) {
      const socket = await connect(this.url, "/chat");
      const ack = await call(socket, "join", { name: `${this.prefix}${s}`, room: this.room });
      if (!ack.ok) throw new Error(`join: ${JSON.stringify(ack)}`);
      this.sockets.push(socket);
    }
    this.done = Promise.all(this.sockets.map((socket, s) => this.#pump(socket, s)));
  }

  async #pump(socket, s) {
    let i = 0;
    const one = async () => {
      while (!this.stopped && socket.connected) {
        const id = `r${this.round}-s${s}-${i}`;
        const text = `${this.prefix} ${this.round} ${s} ${i++}`;
        this.sent.push({ s, id, text });
        const t0 = performance.now();
        let ack;
        try {
          ack = await call(socket, "message", { room: this.room, text, id });
        } catch {
          continue; // no answer (the server went away): not acked
        }
        if (ack.ok) {
          this.acked.set(id, ack.message);
          this.latencies.push(performance.now() - t0);
        } else {
          const code = ack.error?.code ?? "?";
          this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: this.window }, one));
  }

  async stop() {
    this.stopped = true;
    for (const s of this.sockets) s.disconnect();
    await this.done;
  }
}

// A /chess load: `games` games, each played by two sockets that pick moves from the game's
// `legal` list (a deterministic walk), until stop() or until the server goes away. Finished
// games are replaced by new ones. `acked` lists {game, ply, uci} of every `ok` move ack;
// `seats` keeps each game's tokens so a later process can be asked about it.
export class ChessLoad {
  constructor(url, { games = 2, seed = 1 } = {}) {
    Object.assign(this, { url, games, seed });
    this.acked = [];
    this.seats = new Map(); // game id -> {white, black} tokens
    this.failures = new Map();
    this.stopped = false;
    this.sockets = [];
  }

  async start() {
    this.done = Promise.all(Array.from({ length: this.games }, (_, k) => this.#player(k)));
  }

  async #newGame(white, black) {
    const created = await call(white, "create", { name: "white", color: "white", clock: null });
    if (!created.ok) throw new Error(`create: ${JSON.stringify(created)}`);
    const id = created.game.id;
    const joined = await call(black, "join", { game: id, name: "black" });
    if (!joined.ok) throw new Error(`join: ${JSON.stringify(joined)}`);
    this.seats.set(id, { white: created.token, black: joined.token });
    return joined.game;
  }

  async #player(k) {
    let white, black;
    try {
      white = await connect(this.url, "/chess");
      black = await connect(this.url, "/chess");
    } catch {
      return;
    }
    this.sockets.push(white, black);
    let state = this.seed * 7919 + k * 104729;
    try {
      let game = await this.#newGame(white, black);
      while (!this.stopped && white.connected && black.connected) {
        if (game.status === "ended" || !game.legal?.length) {
          game = await this.#newGame(white, black);
          continue;
        }
        state = (state * 1103515245 + 12345) % 2147483648;
        const uci = game.legal[state % game.legal.length];
        const mover = game.turn === "white" ? white : black;
        const ply = game.moves.length;
        let ack;
        try {
          ack = await call(mover, "move", { game: game.id, uci, ply });
        } catch {
          return; // the server went away
        }
        if (ack.ok) {
          this.acked.push({ game: game.id, ply, uci });
          game = ack.game;
        } else {
          const code = ack.error?.code ?? "?";
          this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
          if (code === "rate_limited") await new Promise((r) => setTimeout(r, ack.error.retry_after_ms ?? 100));
          else if (code !== "unavailable") return;
        }
      }
    } catch {
      // A create or join that got no answer: the server went away.
    }
  }

  async stop() {
    this.stopped = true;
    for (const s of this.sockets) s.disconnect();
    await this.done;
  }
}

// Checks, against a (restarted) server, that every acked move of `load` is in its game at its ply.
// Returns the number of games checked.
export async function checkChessMoves(url, load) {
  const byGame = new Map();
  for (const m of load.acked) {
    if (!byGame.has(m.game)) byGame.set(m.game, []);
    byGame.get(m.game).push(m);
  }
  const viewer = await connect(url, "/chess");
  try {
    for (const [id, moves] of byGame) {
      const ack = await call(viewer, "join", { game: id, name: "checker" });
      if (!ack.ok) throw new Error(`game ${id} is gone after the restart: ${JSON.stringify(ack)}`);
      for (const m of moves) {
        if (ack.game.moves[m.ply] !== m.uci)
          throw new Error(`game ${id}: acked ${m.uci} at ply ${m.ply}, stored ${ack.game.moves[m.ply]}`);
      }
    }
  } finally {
    viewer.disconnect();
  }
  return byGame.size;
}

// Checks that every acked chat message of `load` is in the room's history exactly once, as acked.
export async function checkChatMessages(url, loads, room) {
  const reader = await connect(url, "/chat");
  try {
    const ack = await call(reader, "join", { name: "checker", room });
    if (!ack.ok) throw new Error(`join: ${JSON.stringify(ack)}`);
    const history = await fullHistory(reader, room);
    const count = new Map();
    for (const m of history) count.set(m.id, (count.get(m.id) ?? 0) + 1);
    let checked = 0;
    for (const load of loads) {
      for (const [cid, m] of load.acked) {
        if (count.get(m.id) !== 1) throw new Error(`acked ${cid} (${m.id}) found ${count.get(m.id) ?? 0} times`);
        checked++;
      }
    }
    return { checked, stored: history.length };
  } finally {
    reader.disconnect();
  }
}
