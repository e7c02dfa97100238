// Hardening (docs/security.md): the HTTP and admission rules of the Engine.IO layer against the real binary: the
// refusals of malformed or misdirected requests (status and Engine.IO error body), the Origin and
// Host rules, and the caps on sessions and connections; each time a bystander keeps working.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer, withTimeout } from "../lib/server.mjs";
import { HttpConn, eioUrl, handshake, push, rawHttp, target, SEP } from "../lib/eio.mjs";
import { connectRaw, connectWs, encodeFrame, OP } from "../lib/rawws.mjs";

const WS_TARGET = "/engine.io/?EIO=4&transport=websocket";

// A WebSocket session that echoes: resolves with the RawWs once the open packet is read.
async function echoWs(port) {
  const ws = await connectWs(port, WS_TARGET);
  const open = await ws.nextText();
  assert.match(open, /^0\{/);
  return ws;
}

// Sends a text message on a raw WebSocket session and checks the echo (answering pings first).
async function echoes(ws, text = "still here") {
  ws.sendText(`4${text}`);
  for (;;) {
    const m = await ws.nextText();
    if (m === "2") {
      ws.sendText("3");
      continue;
    }
    assert.equal(m, `4${text}`);
    return;
  }
}

function json(res) {
  return JSON.parse(res.body);
}

describe("HTTP correctness", () => {
  let server;
  let bystander;
  before(async () => {
    server = await startServer("conformance-server", [
      "--websocket-origin", "https://allowed.example",
      "--allowed-host", "chat.example",
    ]);
    bystander = await echoWs(server.port);
  });
  after(async () => {
    bystander?.destroy();
    await server?.stop();
  });

  it("answers an unknown method on a session with 400, code 2", async () => {
    const { sid } = await handshake(server.url);
    const res = await rawHttp(server.port, `PUT ${target(eioUrl(server.url, { sid }))} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0`);
    assert.equal(res.status, 400);
    assert.deepEqual(json(res), { code: 2, message: "Bad handshake method" });
    await echoes(bystander);
  });

  it("answers a wrong Sec-WebSocket-Version with 426 and the version it speaks", async () => {
    const res = await connectRaw(server.port, WS_TARGET, { version: "8" });
    assert.equal(res.ws, undefined);
    assert.equal(res.status, 426);
    assert.equal(res.headers["sec-websocket-version"], "13");
    await echoes(bystander);
  });

  it("checks the Sec-WebSocket-Key as base64 of exactly 16 bytes", async () => {
    // 24 characters that are not base64, and base64 of 15 and of 17 bytes.
    for (const key of ["!!!!!!!!!!!!!!!!!!!!!!==", Buffer.alloc(15).toString("base64"), Buffer.alloc(17).toString("base64")]) {
      const res = await connectRaw(server.port, WS_TARGET, { key });
      assert.equal(res.status, 400, `key ${key}`);
      assert.deepEqual(JSON.parse(res.body), { code: 3, message: "Bad request" });
    }
    await echoes(bystander);
  });

  it("refuses polling requests on a session that has upgraded to WebSocket", async () => {
    const { sid } = await handshake(server.url);
    const ws = await connectWs(server.port, `${WS_TARGET}&sid=${sid}`);
    ws.sendText("2probe");
    assert.equal(await ws.nextText(), "3probe");
    ws.sendText("5");
    await echoes(ws, "upgraded");
    for (const transport of ["polling", "websocket"]) {
      const get = await rawHttp(server.port, `GET ${target(eioUrl(server.url, { sid, transport }))} HTTP/1.1\r\nHost: 127.0.0.1`, undefined, { timeoutMs: 3000 });
      assert.equal(get.status, 400, `GET ${transport}`);
      const post = await push(server.url, sid, "4x", { query: { transport } });
      assert.equal(post.status, 400, `POST ${transport}`);
    }
    // The upgraded session itself goes on.
    await echoes(ws, "after the refusals");
    ws.destroy();
  });

  it("applies the Origin allow-list to the polling handshake as to the WebSocket", async () => {
    const foreign = await fetch(eioUrl(server.url), { headers: { Origin: "https://evil.example" } });
    assert.equal(foreign.status, 403);
    assert.deepEqual(await foreign.json(), { code: 4, message: "Forbidden" });
    const ws = await connectRaw(server.port, WS_TARGET, { headers: { Origin: "https://evil.example" } });
    assert.equal(ws.status, 403);
    const allowed = await fetch(eioUrl(server.url), { headers: { Origin: "https://allowed.example" } });
    assert.equal(allowed.status, 200);
    await echoes(bystander);
  });

  it("refuses a Host that is not loopback nor listed (DNS rebinding) with 403", async () => {
    const ask = (host, path = target(eioUrl(server.url))) =>
      rawHttp(server.port, `GET ${path} HTTP/1.1\r\nHost: ${host}`);
    for (const host of ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost.evil.example"]) {
      const res = await ask(host);
      assert.equal(res.status, 403, host);
      assert.deepEqual(json(res), { code: 4, message: "Host not allowed" });
    }
    // Another path gets a plain 403.
    const page = await ask("evil.example", "/");
    assert.equal(page.status, 403);
    const ws = await connectRaw(server.port, WS_TARGET, { hostHeader: "evil.example" });
    assert.equal(ws.status, 403);
    for (const host of ["localhost", "localhost:1234", "app.localhost:80", "127.0.0.1", "127.9.8.7:3000", "[::1]:3000", "chat.example", "CHAT.example:8080"]) {
      const res = await ask(host);
      assert.equal(res.status, 200, `${host}: ${res.body}`);
    }
    await echoes(bystander);
  });

  it("closes a message sent as 200,000 empty continuation frames with 1009", async () => {
    const ws = await echoWs(server.port);
    const empty = encodeFrame({ fin: false, opcode: OP.cont });
    ws.sock.write(Buffer.concat([encodeFrame({ fin: false, opcode: OP.text, payload: Buffer.from("4") }), ...Array(200_000).fill(empty)]));
    const { closeFrame } = await ws.closed(10_000);
    assert.equal(closeFrame?.code, 1009);
    await echoes(bystander);
  });

  it("answers HEAD on an Engine.IO path like any other method that is not GET", async () => {
    const res = await rawHead(server.port, target(eioUrl(server.url)));
    assert.match(res, /^HTTP\/1\.1 400 /);
    const length = Number(/content-length: (\d+)/i.exec(res)[1]);
    assert.equal(length, JSON.stringify({ code: 2, message: "Bad handshake method" }).length);
    await echoes(bystander);
  });
});

// A HEAD request on a fresh connection: resolves with the response head (no body follows).
export function rawHead(port, path, host = "127.0.0.1") {
  return withTimeout(
    new Promise((resolve, reject) => {
      const sock = net.connect({ port, host: "127.0.0.1" });
      let data = "";
      sock.setEncoding("latin1");
      sock.on("error", reject);
      sock.on("data", (chunk) => {
        data += chunk;
        const end = data.indexOf("\r\n\r\n");
        if (end < 0) return;
        sock.destroy();
        resolve(data);
      });
      sock.on("connect", () => sock.write(`HEAD ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
    }),
    5000,
    `HEAD ${path}`,
  );
}

describe("session and connection caps", () => {
  it("caps sessions per address, over one keep-alive connection too, and frees the place", async () => {
    const server = await startServer("conformance-server", ["--max-sessions-per-ip", "5"]);
    const conn = await HttpConn.open(server.port);
    try {
      const sids = [];
      for (let i = 0; i < 5; i++) {
        const res = await conn.request(`GET ${target(eioUrl(server.url))} HTTP/1.1\r\nHost: 127.0.0.1`);
        assert.equal(res.status, 200);
        sids.push(JSON.parse(res.body.slice(1)).sid);
      }
      const refused = await conn.request(`GET ${target(eioUrl(server.url))} HTTP/1.1\r\nHost: 127.0.0.1`);
      assert.equal(refused.status, 403);
      assert.deepEqual(json(refused), { code: 4, message: "Too many sessions" });
      // The sessions already open keep working (the bystanders).
      const echo = await push(server.url, sids[0], `4ping${SEP}4pong`);
      assert.equal(echo.status, 200);
      // One closes: a new one is admitted.
      await push(server.url, sids[1], "1");
      const again = await conn.request(`GET ${target(eioUrl(server.url))} HTTP/1.1\r\nHost: 127.0.0.1`);
      assert.equal(again.status, 200);
    } finally {
      conn.close();
      await server.stop();
    }
  });

  it("caps sessions in total with 503, polling and WebSocket alike", async () => {
    const server = await startServer("conformance-server", ["--max-sessions", "3"]);
    try {
      const ws = await echoWs(server.port);
      const a = await handshake(server.url);
      await handshake(server.url);
      const full = await fetch(eioUrl(server.url));
      assert.equal(full.status, 503);
      assert.deepEqual(await full.json(), { code: 4, message: "Server full" });
      const fullWs = await connectRaw(server.port, WS_TARGET);
      assert.equal(fullWs.status, 503);
      await echoes(ws);
      await push(server.url, a.sid, "1");
      await handshake(server.url);
      ws.destroy();
    } finally {
      await server.stop();
    }
  });

  it("counts WebSockets against max-connections", async () => {
    const server = await startServer("conformance-server", ["--max-connections", "3"]);
    try {
      const open = [await echoWs(server.port), await echoWs(server.port), await echoWs(server.port)];
      // A fourth TCP connection is closed at once, with no answer.
      const refused = await connectRaw(server.port, WS_TARGET).then(
        (r) => r,
        (e) => ({ error: e.message }),
      );
      assert.match(refused.error ?? "", /closed|reset|ECONNRESET/, JSON.stringify(refused));
      await echoes(open[0]);
      open[2].destroy();
      await open[2].closed();
      // Its place is free again (the server sees the close shortly after the client).
      let admitted = null;
      for (let i = 0; i < 50 && !admitted; i++) {
        const r = await connectRaw(server.port, WS_TARGET).catch(() => null);
        if (r?.ws) admitted = r.ws;
      }
      assert.ok(admitted, "no place freed after a WebSocket closed");
      await echoes(open[1]);
      for (const ws of [...open, admitted]) ws.destroy();
    } finally {
      await server.stop();
    }
  });
});
