// Helpers for the /chat interop tests: a kibitz server on a fresh data directory, socket.io-client
// sockets on /chat, acked calls, and an event recorder. Every wait has a cap that turns a hang into
// a clear failure; nothing waits for a fixed time.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { startServer, withTimeout } from "../lib/server.mjs";

export const CAP_MS = 5000;

// A fresh data directory, removed by the returned cleanup().
export function tempData() {
  const dir = mkdtempSync(path.join(tmpdir(), "kibitz-chat-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// Starts kibitz on `dataDir` (a new temporary one when not given) with extra flags.
export async function startChat(args = [], dataDir) {
  const data = dataDir ? { dir: dataDir, cleanup() {} } : tempData();
  const server = await startServer("kibitz", ["--data", data.dir, "--log-level", "warn", ...args]);
  return {
    ...server,
    dataDir: data.dir,
    // Stops the server (SIGTERM) and fails when it did not exit cleanly (a sanitizer report
    // at exit makes the code non-zero).
    async close() {
      const { code, signal } = await server.stop();
      data.cleanup();
      if (code !== 0) throw new Error(`kibitz exited with ${code ?? signal}\n${server.stderr()}`);
    },
  };
}

// A connected socket on /chat of a fresh Manager.
export async function connectChat(url, opts = {}) {
  const socket = io(url + "/chat", { forceNew: true, reconnection: false, ...opts });
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    CAP_MS,
    "connect to /chat",
  );
  return socket;
}

// Emits `event` with `payload` and resolves with the ack's single argument.
export function call(socket, event, payload) {
  return socket.timeout(CAP_MS).emitWithAck(event, payload);
}

// A socket that has joined `room` as `name`: { socket, ack, rec } where rec records events.
export async function joined(url, name, room = "lobby", extra = {}) {
  const socket = await connectChat(url);
  const rec = new Events(socket);
  const ack = await call(socket, "join", { name, room, ...extra });
  if (!ack.ok) throw new Error(`join ${name} failed: ${JSON.stringify(ack)}`);
  return { socket, ack, rec };
}

// Records every server event of a socket, by name, and lets tests wait for a condition.
export class Events {
  constructor(socket) {
    this.all = [];
    this.waiters = [];
    socket.onAny((event, ...args) => {
      this.all.push({ event, args });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  // The first argument of every `event` so far.
  of(event) {
    return this.all.filter((e) => e.event === event).map((e) => e.args[0]);
  }

  // Resolves with of(event) once `predicate(of(event))` holds.
  async until(event, predicate, timeoutMs = CAP_MS, what = event) {
    await withTimeout(
      new Promise((resolve) => {
        const check = () => {
          if (predicate(this.of(event))) return resolve();
          this.waiters.push(check);
        };
        check();
      }),
      timeoutMs,
      `${what} (have ${JSON.stringify(this.of(event)).slice(0, 300)})`,
    );
    return this.of(event);
  }

  // Resolves with the first `event` whose payload satisfies `predicate`.
  async find(event, predicate = () => true, timeoutMs = CAP_MS) {
    const list = await this.until(event, (l) => l.some(predicate), timeoutMs);
    return list.find(predicate);
  }

  // The messages received so far with this text.
  messages(text) {
    return this.of("message").filter((m) => m.text === text);
  }
}

export function closeAll(...sockets) {
  for (const s of sockets) s?.disconnect();
}

// A /chat socket that reconnects by itself, quickly, and records every event with its phase
// (which connection of the socket it came on: 1 for the first, 2 after a reconnect, ...).
export function reconnectingChat(url, opts = {}) {
  const socket = io(url + "/chat", {
    forceNew: true,
    transports: ["websocket"],
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
    randomizationFactor: 0,
    ...opts,
  });
  const c = { socket, events: [], connects: [], waiters: [] };
  const wake = () => {
    for (const w of c.waiters.splice(0)) w();
  };
  socket.on("connect", () => {
    c.connects.push({ id: socket.id, recovered: socket.recovered });
    wake();
  });
  socket.onAny((event, ...args) => {
    c.events.push({ event, args, phase: c.connects.length });
    wake();
  });
  socket.on("disconnect", (reason) => {
    c.events.push({ event: "(disconnect)", args: [reason], phase: c.connects.length });
    wake();
  });
  c.until = (what, predicate) =>
    withTimeout(
      new Promise((resolve) => {
        const check = () => (predicate() ? resolve() : c.waiters.push(check));
        check();
      }),
      CAP_MS * 2,
      what,
    );
  c.call = (event, payload) => socket.timeout(CAP_MS * 2).emitWithAck(event, payload);
  c.of = (event, phase) =>
    c.events.filter((e) => e.event === event && (phase === undefined || e.phase === phase));
  return c;
}
