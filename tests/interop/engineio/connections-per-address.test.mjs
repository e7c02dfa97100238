// Hardening (docs/security.md): one remote address may hold only so many TCP connections
// (--max-connections-per-ip), so it cannot take every slot or descriptor; another address is
// still served, and a place freed by a close is taken again.

import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer, withTimeout } from "../lib/server.mjs";

const REQUEST = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\n\r\n";

// Opens a TCP connection from `localAddress`, sends one polling handshake and resolves with
// { socket, status } once the response head arrives, or { closed: true } when the server closes
// the connection without answering.
function ask(port, localAddress = "127.0.0.1") {
  return withTimeout(
    new Promise((resolve) => {
      const socket = net.connect({ port, host: "127.0.0.1", localAddress });
      let data = "";
      socket.on("connect", () => socket.write(REQUEST));
      socket.on("data", (d) => {
        data += d;
        const m = /^HTTP\/1\.1 (\d+)/.exec(data);
        if (m) resolve({ socket, status: Number(m[1]) });
      });
      socket.on("error", () => {});
      socket.on("close", () => resolve({ closed: true, data }));
    }),
    5000,
    "an answer or a close",
  );
}

test("connections per address are capped; other addresses and freed places are served", async () => {
  const server = await startServer("conformance-server", ["--max-connections-per-ip", "8"]);
  const held = [];
  try {
    for (let i = 0; i < 8; i++) {
      const r = await ask(server.port);
      assert.equal(r.status, 200, `connection ${i} was not served`);
      held.push(r.socket);
    }
    const ninth = await ask(server.port);
    assert.equal(ninth.closed, true, "a ninth connection from the same address was served");
    assert.equal(ninth.data, "");
    // Another address is not affected.
    const other = await ask(server.port, "127.0.0.2");
    assert.equal(other.status, 200);
    other.socket.destroy();
    // A close frees a place (the server sees it shortly after the client does).
    held.pop().destroy();
    let again = { closed: true };
    for (let i = 0; i < 50 && again.closed; i++) again = await ask(server.port);
    assert.equal(again.status, 200, "no place freed after a close");
    again.socket.destroy();
  } finally {
    for (const s of held) s.destroy();
    await server.stop();
  }
});
