// A tiny RFC 6455 WebSocket client over `net`, for tests that need what a polite client never
// sends: invalid UTF-8, oversize frames, silence instead of pongs, or a look at the raw HTTP
// answer to a refused upgrade.
//
// Frames from the server are reassembled into messages and queued, so a test can `await next()`
// without missing anything that arrived earlier. WebSocket-level pings are answered; Engine.IO
// pings ("2") are text messages and are left to the test.

import { EventEmitter } from "node:events";
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
export const OP = { cont: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

// Opens a TCP connection to 127.0.0.1:`port` and asks to upgrade `target` (path and query).
// Resolves with { ws } on 101 (accept key checked), or { status, headers, body } for any other
// answer (the body read until the server closes or Content-Length is met).
// `key` and `version` replace the Sec-WebSocket-Key and Sec-WebSocket-Version sent (a test of
// refusals); `hostHeader` replaces the Host header.
export function connectRaw(
  port,
  target,
  { headers = {}, timeoutMs = 5000, host = "127.0.0.1", key: keyOverride, version = "13", hostHeader } = {},
) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    const key = keyOverride ?? randomBytes(16).toString("base64");
    let buf = Buffer.alloc(0);
    let head = null;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`raw WebSocket: no complete answer to the upgrade of ${target} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (value) => {
      clearTimeout(timer);
      sock.off("data", onData);
      resolve(value);
    };
    const finishHttp = () => {
      done({ status: head.status, headers: head.headers, body: buf.toString("utf8") });
      sock.destroy();
    };
    sock.on("error", (err) => {
      if (head) return finishHttp();
      clearTimeout(timer);
      reject(new Error(`raw WebSocket: ${err.message} before an answer to ${target}`));
    });
    sock.on("close", () => {
      if (head) return finishHttp();
      clearTimeout(timer);
      reject(new Error(`raw WebSocket: connection closed before an answer to ${target}`));
    });
    sock.on("connect", () => {
      const lines = [
        `GET ${target} HTTP/1.1`,
        `Host: ${hostHeader ?? `${host}:${port}`}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${key}`,
        `Sec-WebSocket-Version: ${version}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      sock.write(lines.join("\r\n") + "\r\n\r\n");
    });
    function onData(chunk) {
      buf = Buffer.concat([buf, chunk]);
      if (!head) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        head = parseHead(buf.subarray(0, end).toString("latin1"));
        buf = buf.subarray(end + 4);
        if (head.status === 101) {
          const expected = createHash("sha1").update(key + GUID).digest("base64");
          if (head.headers["sec-websocket-accept"] !== expected) {
            clearTimeout(timer);
            sock.destroy();
            reject(new Error(`raw WebSocket: bad Sec-WebSocket-Accept ${head.headers["sec-websocket-accept"]}`));
            return;
          }
          sock.removeAllListeners("error");
          sock.removeAllListeners("close");
          const ws = new RawWs(sock, head);
          done({ ws, status: 101, headers: head.headers });
          if (buf.length) ws._onData(buf);
          return;
        }
      }
      const len = Number(head.headers["content-length"]);
      if (Number.isFinite(len) && buf.length >= len) finishHttp();
    }
    sock.on("data", onData);
  });
}

// Like connectRaw, but rejects unless the upgrade succeeds; resolves with the RawWs.
export async function connectWs(port, target, opts) {
  const res = await connectRaw(port, target, opts);
  if (!res.ws) throw new Error(`raw WebSocket: upgrade of ${target} refused: ${res.status} ${res.body}`);
  return res.ws;
}

function parseHead(text) {
  const [statusLine, ...rest] = text.split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers = {};
  for (const line of rest) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers };
}

// Encodes one frame; client frames are masked unless `mask` is false.
export function encodeFrame({ fin = true, opcode, payload = Buffer.alloc(0), mask = true, rsv = 0 }) {
  payload = Buffer.from(payload);
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lenBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  header[1] = (mask ? 0x80 : 0) | (len < 126 ? len : len < 65536 ? 126 : 127);
  if (lenBytes === 2) header.writeUInt16BE(len, 2);
  if (lenBytes === 8) header.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lenBytes);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i] ^ key[i & 3];
  return Buffer.concat([header, masked]);
}

// One upgraded connection. Events: 'message' ({ type: 'text'|'binary', data }), 'pong' (payload),
// 'close' ({ code, reason }) when the server's close frame arrives, 'end' when TCP closes.
export class RawWs extends EventEmitter {
  constructor(sock, head) {
    super();
    this.sock = sock;
    this.headers = head.headers;
    this.buf = Buffer.alloc(0);
    this.fragments = null;
    this.queue = [];
    this.waiters = [];
    this.closeFrame = null;
    this.ended = false;
    this.endedPromise = new Promise((resolve) => {
      sock.on("close", () => {
        this.ended = true;
        this.emit("end");
        for (const w of this.waiters.splice(0)) w.reject(new Error(`connection ended while waiting for a message${this._closeInfo()}`));
        resolve();
      });
    });
    sock.on("error", () => {});
    sock.on("data", (chunk) => this._onData(chunk));
  }

  _closeInfo() {
    return this.closeFrame ? ` (close frame ${this.closeFrame.code} '${this.closeFrame.reason}')` : " (no close frame)";
  }

  _onData(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const frame = this._parseFrame();
      if (!frame) return;
      this._onFrame(frame);
    }
  }

  _parseFrame() {
    const b = this.buf;
    if (b.length < 2) return null;
    const fin = (b[0] & 0x80) !== 0;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return null;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return null;
      len = Number(b.readBigUInt64BE(2));
      off = 10;
    }
    const maskKey = masked ? b.subarray(off, off + 4) : null;
    if (masked) off += 4;
    if (b.length < off + len) return null;
    let payload = Buffer.from(b.subarray(off, off + len));
    if (maskKey) for (let i = 0; i < len; i++) payload[i] ^= maskKey[i & 3];
    this.buf = b.subarray(off + len);
    return { fin, opcode, masked, rsv: (b[0] >> 4) & 7, payload };
  }

  _onFrame(f) {
    if (f.opcode === OP.ping) return this.sock.write(encodeFrame({ opcode: OP.pong, payload: f.payload }));
    if (f.opcode === OP.pong) return this.emit("pong", f.payload);
    if (f.opcode === OP.close) {
      const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
      const reason = f.payload.subarray(2).toString("utf8");
      this.closeFrame = { code, reason, masked: f.masked };
      this.emit("close", this.closeFrame);
      // Echo the close (without a code when none came) and let the server end TCP.
      if (!this.sock.destroyed) this.sock.write(encodeFrame({ opcode: OP.close, payload: f.payload.subarray(0, 2) }));
      return;
    }
    if (f.opcode === OP.cont) {
      if (!this.fragments) return;
      this.fragments.parts.push(f.payload);
    } else {
      this.fragments = { opcode: f.opcode, parts: [f.payload], masked: f.masked, rsv: f.rsv };
    }
    if (!f.fin) return;
    const { opcode, parts, masked, rsv } = this.fragments;
    this.fragments = null;
    const data = Buffer.concat(parts);
    const msg = opcode === OP.text
      ? { type: "text", data: data.toString("utf8"), masked, rsv }
      : { type: "binary", data, masked, rsv };
    this.emit("message", msg);
    const w = this.waiters.shift();
    if (w) w.resolve(msg);
    else this.queue.push(msg);
  }

  // Resolves with the next message (queued or future); rejects on TCP close or after the cap.
  next(timeoutMs = 5000) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.ended) return Promise.reject(new Error(`connection already ended${this._closeInfo()}`));
    return new Promise((resolve, reject) => {
      const w = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no WebSocket message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  // Resolves with the next text message's string; rejects if it is binary.
  async nextText(timeoutMs) {
    const m = await this.next(timeoutMs);
    if (m.type !== "text") throw new Error(`expected a text message, got binary ${m.data.toString("hex")}`);
    return m.data;
  }

  // Resolves with { closeFrame, ended } once TCP closes; rejects after the cap.
  async closed(timeoutMs = 5000) {
    let timer;
    const cap = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms${this._closeInfo()}`)), timeoutMs);
    });
    await Promise.race([this.endedPromise, cap]).finally(() => clearTimeout(timer));
    return { closeFrame: this.closeFrame };
  }

  sendText(text) {
    this.sock.write(encodeFrame({ opcode: OP.text, payload: Buffer.from(text, "utf8") }));
  }

  sendBinary(bytes) {
    this.sock.write(encodeFrame({ opcode: OP.binary, payload: Buffer.from(bytes) }));
  }

  sendFrame(frame) {
    this.sock.write(encodeFrame(frame));
  }

  // Sends a close frame with `code` and waits for the TCP close.
  async close(code = 1000, timeoutMs = 5000) {
    if (this.ended) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.sock.write(encodeFrame({ opcode: OP.close, payload }));
    await this.closed(timeoutMs).catch(() => this.sock.destroy());
  }

  destroy() {
    this.sock.destroy();
  }
}
