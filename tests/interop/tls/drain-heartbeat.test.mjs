// Heartbeats during the graceful shutdown: nobody is timed out while the server drains. The
// drain is held open by a store job waiting on SQLite's write lock (a second process holds it),
// so it outlasts heartbeats (--ping-interval 400, --ping-timeout 400). A raw Engine.IO
// WebSocket client stops answering pings at SIGTERM: before the shutdown it would be closed
// 400 ms after its first unanswered ping (shown first, as the control), while draining it gets
// a second ping after the first one's deadline and stays open; once the lock goes, the drain ends, the client is closed by the
// shutdown, the chat message waiting on the store is acked, and the process exits 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer, withTimeout } from "../lib/server.mjs";
import { connectWs } from "../lib/rawws.mjs";
import { holdWriteLock } from "../lib/sqlite-lock.mjs";
import { call, joined } from "../chat/chat.mjs";

const CAP_MS = 8000;
const TARGET = "/socket.io/?EIO=4&transport=websocket";

// A raw session; answers pings while `polite`, counts those it leaves unanswered.
async function rawSession(port) {
  const ws = await connectWs(port, TARGET);
  const open = await ws.nextText(CAP_MS);
  assert.match(open, /^0\{/);
  const s = { ws, polite: true, unanswered: 0, waiters: [] };
  ws.on("message", (m) => {
    if (m.data !== "2") return;
    if (s.polite) return ws.sock.write(pongFrame());
    s.unanswered++;
    for (const w of s.waiters.splice(0)) w();
  });
  s.unansweredReach = (n) =>
    withTimeout(new Promise(function check(resolve) {
      if (s.unanswered >= n) return resolve();
      s.waiters.push(() => check(resolve));
    }), CAP_MS, `${n} unanswered pings`);
  return s;
}

let pongFrame;

test("no ping timeout while draining; the drain's end closes the silent client, exit 0", async () => {
  const { encodeFrame, OP } = await import("../lib/rawws.mjs");
  pongFrame = () => encodeFrame({ opcode: OP.text, payload: Buffer.from("3") });
  const data = mkdtempSync(path.join(tmpdir(), "kibitz-drain-"));
  const server = await startServer("kibitz", ["--data", data, "--log-level", "warn",
    "--ping-interval", "400", "--ping-timeout", "400", "--shutdown-timeout", "8000"]);
  let lock;
  try {
    // The control: a client that stops answering is timed out before any shutdown.
    const control = await rawSession(server.port);
    control.polite = false;
    await control.unansweredReach(1);
    await withTimeout(control.ws.closed(CAP_MS), CAP_MS, "the control's ping timeout");
    assert.equal(control.unanswered, 1, "closed after its first unanswered ping");

    const silent = await rawSession(server.port);
    const alice = await joined(server.url, "alice", "drain");
    // A message whose store job waits for the lock: the drain waits for it.
    lock = await holdWriteLock(path.join(data, "kibitz.db"));
    const acked = call(alice.socket, "message", { room: "drain", text: "in flight" });
    server.proc.kill("SIGTERM");
    silent.polite = false;
    // A second ping comes after the first one's deadline passed unanswered: still open.
    await silent.unansweredReach(2);
    assert.equal(silent.ws.ended, false, "the silent client is still connected");
    const before = Date.now();
    await lock.release();
    lock = null;
    const { closeFrame } = await withTimeout(silent.ws.closed(CAP_MS), CAP_MS, "the shutdown's close");
    assert.ok(closeFrame, "closed with a close frame by the shutdown");
    const ack = await acked;
    assert.equal(ack.ok, true, JSON.stringify(ack));
    const { code, signal } = await withTimeout(server.exited, CAP_MS, "the exit");
    assert.equal(signal, null);
    assert.equal(code, 0, server.stderr());
    assert.ok(Date.now() - before < CAP_MS);
    assert.doesNotMatch(server.stderr(), /shutdown timeout reached/);
  } finally {
    lock?.kill();
    await server.stop();
    rmSync(data, { recursive: true, force: true });
  }
});
