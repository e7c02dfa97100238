// Engine.IO helpers shared by the interop tests: raw long-polling requests with `fetch`, a raw
// HTTP/1.1 exchange over `net` for requests `fetch` cannot make, and an engine.io-client factory.

import net from "node:net";
import { before, after } from "node:test";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { Socket } from "engine.io-client";
import { once, startServer } from "./server.mjs";

export const EIO_PATH = "/engine.io/";
// Engine.IO v4 payload separator (record separator).
export const SEP = "\x1e";

// `${base}/engine.io/?EIO=4&transport=polling` plus `query` (a value of null drops the key).
export function eioUrl(base, query = {}) {
  const params = { EIO: "4", transport: "polling", ...query };
  const qs = Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  return `${base}${EIO_PATH}?${qs}`;
}

async function answer(res) {
  return { status: res.status, body: await res.text(), headers: res.headers };
}

// Opens a polling session; returns the parsed open packet and the raw response.
export async function handshake(base, query = {}) {
  const res = await answer(await fetch(eioUrl(base, query)));
  if (res.status !== 200 || !res.body.startsWith("0")) {
    throw new Error(`handshake failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { ...res, open: JSON.parse(res.body.slice(1)), sid: JSON.parse(res.body.slice(1)).sid };
}

// One long-polling GET on session `sid`.
export async function poll(base, sid, query = {}) {
  return answer(await fetch(eioUrl(base, { sid, ...query })));
}

// One long-polling POST of `body` on session `sid`.
export async function push(base, sid, body, { headers = {}, query = {} } = {}) {
  return answer(await fetch(eioUrl(base, { sid, ...query }), { method: "POST", body, headers }));
}

// A raw HTTP/1.1 client connection for requests `fetch` cannot make or order: requests go one at a
// time over one keep-alive TCP connection; responses are framed by Content-Length or chunked
// encoding, or end when the server closes.
export class HttpConn {
  static open(port, { host = "127.0.0.1", timeoutMs = 5000 } = {}) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`raw HTTP: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      sock.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      sock.once("connect", () => {
        clearTimeout(timer);
        resolve(new HttpConn(sock));
      });
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.current = null;
    this.reset = null;
    this.closed = false;
    sock.on("data", (chunk) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this._parse();
    });
    sock.on("error", (err) => {
      this.reset = err.code || err.message;
    });
    sock.on("close", () => {
      this.closed = true;
      this._parse(true);
    });
  }

  // Sends `head` (request line and headers, without the blank line) and `body`; resolves with
  // { status, headers, body, reset } once the response is complete. Tolerates the server closing
  // while the body is still being written, as long as a response arrived first. `onWritten` is
  // called once the request has been handed to the kernel.
  request(head, body = Buffer.alloc(0), { timeoutMs = 10_000, onWritten = () => {} } = {}) {
    if (this.current) throw new Error("raw HTTP: one request at a time");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.current = null;
        this.sock.destroy();
        reject(new Error(`raw HTTP: no complete response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.current = {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        parsed: null,
      };
      this.sock.write(head + "\r\n\r\n");
      this.sock.write(body, () => onWritten());
      this._parse();
    });
  }

  _parse(atClose = false) {
    const cur = this.current;
    if (!cur) return;
    if (!cur.parsed) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end >= 0) {
        const [statusLine, ...lines] = this.buf.subarray(0, end).toString("latin1").split("\r\n");
        const headers = {};
        for (const line of lines) {
          const i = line.indexOf(":");
          if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        cur.parsed = { status: Number(statusLine.split(" ")[1]), headers };
        this.buf = this.buf.subarray(end + 4);
      }
    }
    const done = (body) => {
      this.current = null;
      cur.resolve({ ...cur.parsed, body: body.toString("utf8"), reset: this.reset });
    };
    if (!cur.parsed) {
      if (atClose) {
        this.current = null;
        cur.reject(new Error(`raw HTTP: connection ${this.reset ? `reset (${this.reset})` : "closed"} before a response arrived`));
      }
      return;
    }
    const { headers } = cur.parsed;
    if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
      const body = decodeChunked(this.buf);
      if (body) {
        this.buf = this.buf.subarray(body.consumed);
        return done(body.data);
      }
    } else if (headers["content-length"] !== undefined) {
      const len = Number(headers["content-length"]);
      if (this.buf.length >= len) {
        const body = this.buf.subarray(0, len);
        this.buf = this.buf.subarray(len);
        return done(body);
      }
    }
    if (atClose) done(this.buf);
  }

  close() {
    this.sock.destroy();
  }
}

// Decodes a complete chunked body at the start of `buf`, or returns null if it is incomplete.
function decodeChunked(buf) {
  const parts = [];
  let off = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", off);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(off, eol).toString("latin1"), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) {
      const end = buf.indexOf("\r\n\r\n", eol);
      return end < 0 ? null : { data: Buffer.concat(parts), consumed: end + 4 };
    }
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    off = eol + 2 + size + 2;
  }
}

// One request on a fresh connection, closed afterwards (see HttpConn.request).
export async function rawHttp(port, head, body, opts) {
  const conn = await HttpConn.open(port);
  try {
    return await conn.request(head, body, opts);
  } finally {
    conn.close();
  }
}

// The request target (path and query) of `url`, for raw requests.
export function target(url) {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

// Creates an engine.io-client Socket on the echo path and waits for `open`.
export async function openClient(base, opts = {}) {
  const socket = new Socket(base, { path: "/engine.io", ...opts });
  await once(socket, "open", 5000, { rejectOn: ["error", "close"] });
  return socket;
}

// For the describe block it is called in: conformance-server with `args`, and one
// engine.io-client socket at a time in `fx.socket`, closed after the last test. `fx.open(opts)`
// closes the one before and opens another on the echo path.
export function withEchoServer(args = []) {
  const fx = { server: null, socket: null };
  before(async () => {
    fx.server = await startServer("conformance-server", args);
  });
  after(async () => {
    await closeClient(fx.socket);
    await fx.server?.stop();
  });
  fx.open = async (opts) => {
    await closeClient(fx.socket);
    fx.socket = await openClient(fx.server.url, opts);
    return fx.socket;
  };
  return fx;
}

// Closes an engine.io-client socket if it is still open and waits for its `close`.
export async function closeClient(socket) {
  if (!socket || socket.readyState === "closed") return;
  const closed = once(socket, "close", 5000);
  socket.close();
  await closed;
}

// Sends each of `messages` and resolves with the echoes, in arrival order, once as many arrived.
export async function echoAll(socket, messages, timeoutMs = 5000) {
  const got = [];
  const done = new Promise((resolve) => {
    const onMessage = (data) => {
      got.push(data);
      if (got.length < messages.length) return;
      socket.off("message", onMessage);
      resolve(got);
    };
    socket.on("message", onMessage);
  });
  for (const m of messages) socket.send(m);
  let timer;
  const cap = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`got ${got.length} of ${messages.length} echoes within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([done, cap]).finally(() => clearTimeout(timer));
}

// The bytes of a Buffer, ArrayBuffer or typed array, as a plain array for deepEqual.
export function bytes(data) {
  if (typeof data === "string") throw new Error(`expected binary data, got text ${JSON.stringify(data)}`);
  if (data instanceof ArrayBuffer) return [...new Uint8Array(data)];
  return [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

// What /proc says about process `pid` (Linux): resident memory in KiB, open descriptors, and
// CPU time used so far in clock ticks (utime + stime, usually 100 per second).
export function procStats(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  return { rssKb, fds, cpuTicks };
}

// Resolves once `predicate()` holds, checking every `everyMs`; rejects after `timeoutMs` naming
// `what`. For state outside this process (a server's /proc entries) that emits no events.
export async function waitFor(predicate, { timeoutMs = 5000, everyMs = 20, what = "condition" } = {}) {
  const start = Date.now();
  for (;;) {
    if (await predicate()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// How many of process `pid`'s descriptors are TCP sockets connected to one of `remotePorts` on
// loopback (read from /proc/PID/net/tcp{,6} and /proc/PID/fd): whether the server still holds
// a given client's connection, whatever else it has open.
export function socketsTo(pid, remotePorts) {
  const ports = new Set(remotePorts);
  const inodes = new Set();
  for (const file of ["tcp", "tcp6"]) {
    let text = "";
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const remotePort = parseInt(cols[2].split(":")[1], 16);
      if (ports.has(remotePort)) inodes.add(cols[9]);
    }
  }
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link = "";
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m && inodes.has(m[1])) n++;
  }
  return n;
}
