// Socket.IO helpers shared by the interop tests under tests/interop/socketio/: the test server
// (tests/integration/sio_test_server.cpp), socket.io-client factories, an event recorder, and a
// raw Socket.IO client over the raw WebSocket of rawws.mjs for what a polite client never sends.
// Every wait has a cap that turns a hang into a clear failure; nothing waits for a fixed time.

import { before, after } from "node:test";
import { io } from "socket.io-client";
import { startServer, once, withTimeout } from "./server.mjs";
import { connectWs } from "./rawws.mjs";

export const CAP_MS = 5000;
export const SERVER = "sio-test-server";

// Starts sio-test-server with `args` (see its header comment for the flags).
export function startSio(args = []) {
  return startServer(SERVER, args);
}

// A socket.io-client socket on `nsp` of a fresh Manager (unless `opts.forceNew` is false);
// resolves once connected, rejects on connect_error with the error.
export async function connect(url, nsp = "/", opts = {}) {
  const socket = io(url + nsp, { forceNew: true, reconnection: false, ...opts });
  try {
    await connected(socket);
  } catch (err) {
    socket.disconnect();
    throw err;
  }
  return socket;
}

// Resolves when `socket` connects; rejects with the connect_error, or after the cap.
export function connected(socket, timeoutMs = CAP_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no connect within ${timeoutMs} ms`)), timeoutMs);
    const onConnect = () => done(null);
    const onError = (err) => done(err);
    function done(err) {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
      if (err) reject(err);
      else resolve(socket);
    }
    socket.once("connect", onConnect);
    socket.once("connect_error", onError);
  });
}

// Resolves with the connect_error `socket` gets (rejects if it connects instead).
export function connectError(socket, timeoutMs = CAP_MS) {
  return once(socket, "connect_error", timeoutMs, { rejectOn: ["connect"] }).then(([err]) => err);
}

// Emits `event` with `args` and resolves with the first ack argument (the server's answer).
export function call(socket, event, ...args) {
  return socket.timeout(CAP_MS).emitWithAck(event, ...args);
}

// Disconnects every socket in `sockets` (undefined entries are skipped).
export function closeAll(...sockets) {
  for (const s of sockets) if (s) s.disconnect();
}

// Records every `event` on `socket` (its argument lists) and lets a test wait for a count.
export class Recorder {
  constructor(socket, event) {
    this.event = event;
    this.calls = [];
    this.waiters = [];
    socket.on(event, (...args) => {
      this.calls.push(args);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  // The first argument of each call.
  get firsts() {
    return this.calls.map((c) => c[0]);
  }

  // Resolves once at least `n` calls were recorded.
  async waitFor(n, timeoutMs = CAP_MS) {
    await withTimeout(
      new Promise((resolve) => {
        const check = () => {
          if (this.calls.length >= n) return resolve();
          this.waiters.push(check);
        };
        check();
      }),
      timeoutMs,
      `${n} '${this.event}' events (got ${this.calls.length})`,
    );
    return this.calls;
  }
}

// Asks the server (through `observer`, any connected socket) for the record of socket `id`'s
// disconnect, waiting until it happens: { id, nsp, reason }.
export function serverDisconnect(observer, id) {
  return call(observer, "wait-disconnect", { id });
}

// ---- A raw Socket.IO client over one raw WebSocket ----

// Opens a raw WebSocket Engine.IO session on /socket.io/; resolves with a RawSio after the
// open packet. Call .connect(nsp, auth) to join a namespace.
export async function openRaw(port, { query = "" } = {}) {
  const ws = await connectWs(port, `/socket.io/?EIO=4&transport=websocket${query}`);
  const raw = new RawSio(ws);
  const open = await raw.ws.nextText(CAP_MS);
  if (!open.startsWith("0")) throw new Error(`expected an open packet, got ${open}`);
  raw.open = JSON.parse(open.slice(1));
  return raw;
}

// One Engine.IO session spoken by hand. Engine.IO pings ("2") are answered unless `silent`;
// every other message is handed to next()/nextText() in order.
export class RawSio {
  constructor(ws) {
    this.ws = ws;
    this.silent = false;
    this.pings = 0;
  }

  // The next message other than an Engine.IO ping ({ type, data } as rawws gives it).
  async next(timeoutMs = CAP_MS) {
    for (;;) {
      const m = await this.ws.next(timeoutMs);
      if (m.type === "text" && m.data === "2") {
        this.pings++;
        if (!this.silent) this.ws.sendText("3");
        continue;
      }
      return m;
    }
  }

  async nextText(timeoutMs = CAP_MS) {
    const m = await this.next(timeoutMs);
    if (m.type !== "text") throw new Error(`expected text, got binary ${m.data.toString("hex")}`);
    return m.data;
  }

  // Sends a Socket.IO packet as an Engine.IO message ("4" + packet).
  send(packet) {
    this.ws.sendText("4" + packet);
  }

  // Sends one binary attachment.
  sendBinary(bytes) {
    this.ws.sendBinary(bytes);
  }

  // Joins `nsp` with `auth`; resolves with the CONNECT answer's payload ({ sid, ... }).
  async connect(nsp = "/", auth) {
    const prefix = nsp === "/" ? "" : `${nsp},`;
    this.send(`0${prefix}${auth === undefined ? "" : JSON.stringify(auth)}`);
    const answer = await this.nextText();
    const expected = `40${prefix}`;
    if (!answer.startsWith(expected)) throw new Error(`expected ${expected}..., got ${answer}`);
    return JSON.parse(answer.slice(expected.length));
  }

  // Emits `event` with `args` on `nsp` (text only), with ack id `id` when given.
  emit(event, args = [], { nsp = "/", id } = {}) {
    const prefix = nsp === "/" ? "" : `${nsp},`;
    this.send(`2${prefix}${id ?? ""}${JSON.stringify([event, ...args])}`);
  }

  // Resolves once the server has closed the TCP connection; { closeFrame }.
  closed(timeoutMs = CAP_MS) {
    return this.ws.closed(timeoutMs);
  }

  // Stops reading from the TCP socket: the kernel buffers fill and the server's writes stall.
  pause() {
    this.ws.sock.pause();
  }

  resume() {
    this.ws.sock.resume();
  }

  destroy() {
    this.ws.destroy();
  }
}

// ---- A raw Socket.IO client over HTTP long-polling (fetch) ----

// Opens a polling session on /socket.io/; resolves with { sid, open, get(), post(body),
// connect(nsp, auth) }. get() is one long-poll, post() one POST; both resolve with
// { status, body }.
export async function pollingSession(base) {
  const url = (sid) => `${base}/socket.io/?EIO=4&transport=polling${sid ? `&sid=${encodeURIComponent(sid)}` : ""}`;
  const answer = async (res) => ({ status: res.status, body: await res.text() });
  const first = await answer(await fetch(url()));
  if (first.status !== 200 || !first.body.startsWith("0")) {
    throw new Error(`polling handshake failed: ${first.status} ${first.body}`);
  }
  const open = JSON.parse(first.body.slice(1));
  const session = {
    sid: open.sid,
    open,
    get: async () => answer(await fetch(url(open.sid), { signal: AbortSignal.timeout(CAP_MS) })),
    post: async (body) =>
      answer(await fetch(url(open.sid), { method: "POST", body, signal: AbortSignal.timeout(CAP_MS) })),
    // Sends a CONNECT and resolves with the CONNECT answer's payload.
    async connect(nsp = "/", auth) {
      const prefix = nsp === "/" ? "" : `${nsp},`;
      await session.post(`40${prefix}${auth === undefined ? "" : JSON.stringify(auth)}`);
      const res = await session.get();
      const expected = `40${prefix}`;
      if (!res.body.startsWith(expected)) throw new Error(`expected ${expected}..., got ${res.status} ${res.body}`);
      return JSON.parse(res.body.slice(expected.length));
    },
  };
  return session;
}

// Stops `server` (SIGTERM) and throws unless it exited with status 0 and without a sanitizer
// report (ASan/UBSan write theirs to stderr).
export async function stopClean(server) {
  if (!server) return;
  const { code, signal } = await server.stop();
  const stderr = server.stderr();
  const report = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.exec(stderr);
  if (code !== 0 || report) {
    throw new Error(`${SERVER} exited with code ${code}, signal ${signal}\nstderr:\n${stderr.slice(-8000)}`);
  }
}

// For the describe block it is called in: sio-test-server with `args`, and two bystanders
// connected throughout, one over WebSocket and one over polling. Returns {server, ws, polling},
// filled before the first test; after the last, the bystanders go and the server must exit
// cleanly (stopClean).
export function withBystanders(args) {
  const fixture = {};
  before(async () => {
    fixture.server = await startSio(args);
    fixture.ws = await connect(fixture.server.url, "/", { transports: ["websocket"] });
    fixture.polling = await connect(fixture.server.url, "/", { transports: ["polling"] });
  });
  after(async () => {
    closeAll(fixture.ws, fixture.polling);
    await stopClean(fixture.server);
  });
  return fixture;
}
