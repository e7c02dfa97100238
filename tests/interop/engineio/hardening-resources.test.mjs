// Hardening (docs/security.md): what a peer that does not read can make the server hold: queued replies (pongs for a
// ping flood), writes that never finish (WebSocket, long-poll, plain HTTP), each read from the
// server's /proc entries (RSS, open descriptors); a bystander keeps getting its echoes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startServer, withTimeout } from "../lib/server.mjs";
import { HttpConn, eioUrl, handshake, procStats, push, socketsTo, target, waitFor } from "../lib/eio.mjs";
import { connectWs, encodeFrame, OP } from "../lib/rawws.mjs";

const WRITE_TIMEOUT_MS = 500;
const WS_TARGET = "/engine.io/?EIO=4&transport=websocket";
// A WebSocket upgrade request, for sockets that are then left unread.
const upgradeHead = (port, query = WS_TARGET) =>
  `GET ${query} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

// A TCP connection that sends `head` and then never reads again (after the first `readBytes`
// bytes, if asked, so a 101 can be seen to arrive).
function silentPeer(port, head, { readBytes = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: "127.0.0.1" });
    let got = 0;
    sock.on("error", () => {});
    sock.on("connect", () => {
      sock.write(head);
      if (readBytes === 0) {
        sock.pause();
        resolve(sock);
      }
    });
    sock.on("data", (chunk) => {
      got += chunk.length;
      if (got >= readBytes && !sock.isPaused()) {
        sock.pause();
        resolve(sock);
      }
    });
    setTimeout(() => reject(new Error("silent peer: no answer")), 5000).unref();
  });
}

// A WebSocket session that echoes, read normally: the bystander.
async function bystanderWs(port) {
  const ws = await connectWs(port, WS_TARGET);
  assert.match(await ws.nextText(), /^0\{/);
  return ws;
}

async function echoes(ws, text = "bystander") {
  const started = Date.now();
  ws.sendText(`4${text}`);
  for (;;) {
    const m = await ws.nextText(5000);
    if (m === "2") {
      ws.sendText("3");
      continue;
    }
    assert.equal(m, `4${text}`);
    return Date.now() - started;
  }
}

// Whether the server (pid) still holds a descriptor for each of these client sockets.
const held = (pid, socks) => socketsTo(pid, socks.map((s) => s.localPort));

// The sanitizer build keeps freed memory in quarantine (256 MB by default), which would count
// as growth: keep it small, so RSS shows what the server really holds.
process.env.ASAN_OPTIONS = [process.env.ASAN_OPTIONS, "quarantine_size_mb=4"].filter(Boolean).join(":");

describe("peers that do not read", () => {
  let server;
  let bystander;
  before(async () => {
    // A long heartbeat, so only the write deadline can end the stalled connections.
    server = await startServer("conformance-server", [
      "--write-timeout-ms", String(WRITE_TIMEOUT_MS),
      "--ping-interval-ms", "60000",
      "--ping-timeout-ms", "60000",
    ]);
    bystander = await bystanderWs(server.port);
  });
  after(async () => {
    bystander?.destroy();
    await server?.stop();
  });

  it("answers a ping flood from a peer that never reads with one pending pong, then closes it", async (t) => {
    const pid = server.proc.pid;
    const before = procStats(pid);
    const sock = await silentPeer(server.port, upgradeHead(server.port));
    // 200,000 pings of 125 bytes: 26 MB in, and each would be a queued pong if kept.
    const ping = encodeFrame({ opcode: OP.ping, payload: Buffer.alloc(125, 0x61) });
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => ping));
    const written = new Promise((resolve) => {
      for (let i = 0; i < 199; i++) sock.write(batch);
      sock.write(batch, resolve);
    });
    const latency = await echoes(bystander);
    await withTimeout(written, 20_000, "the flood was not taken by the server");
    // The server stops waiting for the flooder to read: its descriptor goes.
    await waitFor(() => held(pid, [sock]) === 0, {
      timeoutMs: 20_000,
      what: "the flooder's descriptor to be freed",
    });
    const after = procStats(pid);
    const growthMb = (after.rssKb - before.rssKb) / 1024;
    // Before the fix every pong was queued: ~60 MB for this flood.
    assert.ok(growthMb < 16, `RSS grew ${growthMb.toFixed(1)} MB under the ping flood`);
    t.diagnostic(`RSS growth ${growthMb.toFixed(1)} MB, bystander echo ${latency} ms`);
    assert.ok(latency < 2000, `bystander echo took ${latency} ms`);
    await echoes(bystander);
    sock.destroy();
  });

  it("frees a WebSocket whose peer stops reading within the write timeout", async (t) => {
    const pid = server.proc.pid;
    const baseline = procStats(pid).fds;
    // The 101 and the open packet are read; then ~11 MB of echoes are left unread.
    const sock = await silentPeer(server.port, upgradeHead(server.port), { readBytes: 100 });
    const message = encodeFrame({ opcode: OP.text, payload: Buffer.from("4" + "x".repeat(950_000)) });
    const written = new Promise((resolve) => {
      for (let i = 0; i < 11; i++) sock.write(message);
      sock.write(message, resolve);
    });
    await withTimeout(written, 10_000, "the messages were not taken by the server");
    assert.equal(held(pid, [sock]), 1, "the server closed the connection before it stalled");
    const took = await waitFor(() => held(pid, [sock]) === 0, {
      timeoutMs: WRITE_TIMEOUT_MS + 5000,
      what: "the stalled WebSocket's descriptor to be freed",
    });
    t.diagnostic(`stalled WebSocket freed ${took} ms after its writes were taken`);
    assert.ok(took < WRITE_TIMEOUT_MS + 4000, `freed after ${took} ms`);
    assert.ok(procStats(pid).fds <= baseline, "descriptors above the baseline");
    await echoes(bystander);
    sock.destroy();
  });

  it("frees a long-poll whose peer stops reading a large response within the write timeout", async (t) => {
    const pid = server.proc.pid;
    const { sid } = await handshake(server.url);
    // ~11 MB of echoes wait in the session's queue.
    const body = "4" + "y".repeat(950_000);
    for (let i = 0; i < 12; i++) assert.equal((await push(server.url, sid, body)).status, 200);
    const sock = await silentPeer(
      server.port,
      `GET ${target(eioUrl(server.url, { sid }))} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    );
    await waitFor(() => held(pid, [sock]) === 1, { what: "the poll's connection to be open" });
    const took = await waitFor(() => held(pid, [sock]) === 0, {
      timeoutMs: WRITE_TIMEOUT_MS + 5000,
      what: "the stalled poll's descriptor to be freed",
    });
    t.diagnostic(`stalled long-poll freed after ${took} ms`);
    await echoes(bystander);
    sock.destroy();
  });
});

describe("answers on keep-alive", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server", ["--write-timeout-ms", String(WRITE_TIMEOUT_MS)]);
  });
  after(async () => server?.stop());

  it("closes a keep-alive connection that pipelines requests and never reads the answers", async (t) => {
    const pid = server.proc.pid;
    const before = procStats(pid);
    // 50,000 pipelined requests, each answered with an error body of ~40 bytes (plus headers).
    const one = "GET /engine.io/?EIO=4&transport=polling&sid=nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const sock = await silentPeer(server.port, one.repeat(50_000));
    await waitFor(() => held(pid, [sock]) === 1, { what: "the pipelining connection to be open" });
    const took = await waitFor(() => held(pid, [sock]) === 0, {
      timeoutMs: 20_000,
      what: "the unread keep-alive connection to be closed",
    });
    const growthMb = (procStats(pid).rssKb - before.rssKb) / 1024;
    t.diagnostic(`closed after ${took} ms, RSS growth ${growthMb.toFixed(1)} MB`);
    assert.ok(growthMb < 16, `RSS grew ${growthMb.toFixed(1)} MB`);
    const { sid } = await handshake(server.url);
    assert.equal(typeof sid, "string");
    sock.destroy();
  });
});

describe("plain HTTP responses", () => {
  let server;
  let web;
  let data;
  const big = randomBytes(12 << 20);
  before(async () => {
    web = mkdtempSync(path.join(tmpdir(), "kibitz-web-"));
    data = mkdtempSync(path.join(tmpdir(), "kibitz-data-"));
    writeFileSync(path.join(web, "index.html"), "<h1>hi</h1>");
    writeFileSync(path.join(web, "big.bin"), big);
    server = await startServer("kibitz", [
      "--data", data, "--web", web, "--log-level", "error",
      "--write-timeout", String(WRITE_TIMEOUT_MS),
    ]);
  });
  after(async () => {
    await server?.stop();
    rmSync(web, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it("answers HEAD with the GET's headers and Content-Length, and no body", async () => {
    for (const file of ["/index.html", "/big.bin"]) {
      const get = await fetch(`${server.url}${file}`);
      const getBody = Buffer.from(await get.arrayBuffer());
      const head = await fetch(`${server.url}${file}`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), String(getBody.length), file);
      assert.equal(head.headers.get("content-type"), get.headers.get("content-type"));
      assert.equal((await head.arrayBuffer()).byteLength, 0);
    }
  });

  it("frees a connection whose peer stops reading a 12 MB file within the write timeout", async (t) => {
    const pid = server.proc.pid;
    const peers = [];
    for (let i = 0; i < 4; i++)
      peers.push(await silentPeer(server.port, "GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    await waitFor(() => held(pid, peers) === 4, { what: "the stalled connections to be open" });
    const took = await waitFor(() => held(pid, peers) === 0, {
      timeoutMs: WRITE_TIMEOUT_MS + 5000,
      what: "the stalled responses' descriptors to be freed",
    });
    t.diagnostic(`4 stalled HTTP responses freed after ${took} ms`);
    assert.ok(took < WRITE_TIMEOUT_MS + 4000, `freed after ${took} ms`);
    // A reader still gets the whole file.
    const res = await fetch(`${server.url}/big.bin`);
    assert.equal(Buffer.from(await res.arrayBuffer()).equals(big), true);
    for (const p of peers) p.destroy();
  });
});

describe("what a session keeps of its handshake", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server", [
      "--max-sessions-per-ip", "0",
      "--ping-interval-ms", "60000",
      "--ping-timeout-ms", "60000",
    ]);
  });
  after(async () => server?.stop());

  // Opens `n` polling sessions over one keep-alive connection, each handshake carrying `extra`
  // header lines; resolves with the server's RSS growth in MB.
  async function openSessions(n, extra) {
    const pid = server.proc.pid;
    const conn = await HttpConn.open(server.port);
    const before = procStats(pid).rssKb;
    for (let i = 0; i < n; i++) {
      const res = await conn.request(`GET ${target(eioUrl(server.url))} HTTP/1.1\r\nHost: 127.0.0.1${extra}`);
      assert.equal(res.status, 200);
    }
    conn.close();
    return (procStats(pid).rssKb - before) / 1024;
  }

  it("keeps at most a few KiB of request headers per session, not the whole 16 KiB head", async (t) => {
    const N = 1000;
    await openSessions(200, ""); // warm-up: allocator pools and tables
    const plain = await openSessions(N, "");
    const big = await openSessions(N, `\r\nX-Big: ${"b".repeat(12_000)}\r\nCookie: ${"c".repeat(3000)}`);
    t.diagnostic(`RSS growth for ${N} sessions: ${plain.toFixed(1)} MB plain, ${big.toFixed(1)} MB with 15 KB of headers each`);
    // Kept whole, the headers alone would be 15 MB more.
    assert.ok(big - plain < 6, `${(big - plain).toFixed(1)} MB more with big headers`);
  });
});
