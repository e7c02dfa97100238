// Helpers of the Admin UI tests: Kibitz with its admin namespace on, the Node reference
// (node-admin.mjs: socket.io 4.8 + @socket.io/admin-ui 0.5.1 instrument()), admin clients that
// record what they receive, and the shape of a JSON value for side-by-side comparisons. Every
// process is started here and stopped by its own PID; every wait has a cap.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import bcrypt from "bcryptjs";
import { startServer, startNodeScript } from "../lib/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const USER = "admin";
export const PASSWORD = "changeit";
// Cost 4, the lowest bcrypt allows: the tests check the protocol, not the work factor.
export const HASH = bcrypt.hashSync(PASSWORD, 4);
export const CAP_MS = 8000;

// The kibitz binary with the admin namespace (basic auth, development mode) and a fresh data dir.
export async function startKibitzAdmin(extra = []) {
  const dir = mkdtempSync(path.join(tmpdir(), "kibitz-admin-"));
  const server = await startServer("kibitz", [
    "--data", dir, "--log-level", "warn",
    "--admin-user", USER, "--admin-password-hash", HASH, "--admin-mode", "development",
    ...extra,
  ]);
  const stop = server.stop;
  server.stop = async () => {
    const r = await stop();
    rmSync(dir, { recursive: true, force: true });
    return r;
  };
  return server;
}

// node node-admin.mjs USER HASH SERVER_ID [REDIS_URL]; resolves with {url, port, proc, stop()}.
export function startNodeAdmin(serverId = "node-ref", redisUrl = undefined) {
  const args = [USER, HASH, serverId, ...(redisUrl ? [redisUrl] : [])];
  return startNodeScript(path.join(here, "node-admin.mjs"), args, "node-admin");
}

// A socket.io-client socket that records every event it receives: `events` in order, and
// `next(event, predicate)` resolving with the args of the first (past or future) match.
export function recorded(socket) {
  const events = [];
  const waiters = [];
  socket.onAny((event, ...args) => {
    events.push({ event, args });
    for (const w of [...waiters]) if (w.event === event && w.predicate(args)) w.done(args);
  });
  socket.next = (event, predicate = () => true, what = event) =>
    new Promise((resolve, reject) => {
      const past = events.find((e) => e.event === event && predicate(e.args));
      if (past) return resolve(past.args);
      const w = {
        event,
        predicate,
        done(args) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(w), 1);
          resolve(args);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`no ${what} within ${CAP_MS} ms`));
      }, CAP_MS);
      waiters.push(w);
    });
  socket.events = events;
  return socket;
}

// Connects to `nsp` of `url`; resolves with the recorded socket, rejects with the connect_error.
export function connectTo(url, nsp = "/", opts = {}) {
  const socket = recorded(io(url + nsp, { forceNew: true, reconnection: false, ...opts }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connect to ${nsp} within ${CAP_MS} ms`)), CAP_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(err);
    });
  });
}

export const connectAdmin = (url, auth = { username: USER, password: PASSWORD }, opts = {}) =>
  connectTo(url, "/admin", { auth, ...opts });

// The shape of a JSON value: its type, and for objects the shapes of their fields (sorted), for
// arrays the shape of their first element.
export function shape(v) {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v === null) return "null";
  if (typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape(v[k])]));
  }
  return typeof v;
}
