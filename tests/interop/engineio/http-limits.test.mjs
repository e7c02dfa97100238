// The HTTP limits a hostile client meets (docs/security.md): each shows the status or close it gets, and
// that the server goes on serving a well-behaved client afterwards.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer, withTimeout } from "../lib/server.mjs";
import { handshake } from "../lib/eio.mjs";
import { connectRaw } from "../lib/rawws.mjs";

// Writes `request` on a fresh TCP connection and resolves with everything the server sends
// before it closes the connection.
function rawExchange(port, request, { keepWriting = null } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: "127.0.0.1" });
    let data = "";
    sock.setEncoding("latin1");
    sock.on("data", (chunk) => (data += chunk));
    sock.on("error", () => {}); // a reset after the response is fine: `close` follows
    sock.on("close", () => resolve(data));
    sock.on("connect", () => {
      sock.write(request);
      if (keepWriting) keepWriting(sock);
    });
    setTimeout(() => reject(new Error("connection still open after 15 s")), 15_000).unref();
  });
}

async function stillServes(url) {
  const { open } = await handshake(url);
  assert.equal(typeof open.sid, "string");
}

describe("HTTP limits", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server", [
      "--header-timeout-ms", "300",
      "--websocket-origin", "https://allowed.example",
    ]);
  });
  after(async () => server?.stop());

  it("answers 431 to a request head over 16 KiB and goes on serving", async () => {
    const big = "x".repeat(20 * 1024);
    const reply = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${big}\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 431 /);
    await stillServes(server.url);
  });

  it("answers 431 to more than 100 header fields", async () => {
    const fields = Array.from({ length: 120 }, (_, i) => `X-F${i}: v\r\n`).join("");
    const reply = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: a\r\n${fields}\r\n`);
    assert.match(reply, /^HTTP\/1\.1 431 /);
    await stillServes(server.url);
  });

  it("closes a connection whose head never completes (slow loris)", async () => {
    // The head is never finished; the server must close within its header timeout.
    const reply = await withTimeout(
      rawExchange(server.port, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\n"),
      5000,
      "slow head not closed",
    );
    assert.equal(reply, "");
    await stillServes(server.url);
  });

  it("refuses a session past the per-address limit with 403 and frees the slot on close", async () => {
    // Fresh server: the limit counts open sessions from 127.0.0.1.
    const own = await startServer("conformance-server", ["--max-sessions-per-ip", "2"]);
    try {
      const a = await handshake(own.url);
      await handshake(own.url);
      const res = await fetch(`${own.url}/engine.io/?EIO=4&transport=polling`);
      assert.equal(res.status, 403);
      assert.deepEqual(await res.json(), { code: 4, message: "Too many sessions" });
      // The client closes one session: a new one is admitted.
      await fetch(`${own.url}/engine.io/?EIO=4&transport=polling&sid=${a.sid}`, { method: "POST", body: "1" });
      await stillServes(own.url);
    } finally {
      await own.stop();
    }
  });

  it("refuses a WebSocket from an origin that is not allowed, and admits an allowed one", async () => {
    const target = "/engine.io/?EIO=4&transport=websocket";
    const refused = await connectRaw(server.port, target, { headers: { Origin: "https://evil.example" } });
    assert.equal(refused.ws, undefined);
    assert.equal(refused.status, 403);
    const admitted = await connectRaw(server.port, target, { headers: { Origin: "https://allowed.example" } });
    assert.ok(admitted.ws, `allowed origin refused: ${admitted.status}`);
    await admitted.ws.close();
  });
});
