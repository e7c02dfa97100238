// Ack after commit (docs/security.md): while another process holds the SQLite write lock past the busy
// timeout (5 s), `message` answers `unavailable` and nothing is delivered or stored; once the
// lock is gone, messages flow again.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { startChat, call, joined, closeAll } from "./chat.mjs";
import { withTimeout } from "../lib/server.mjs";

// A python3 child that holds BEGIN EXCLUSIVE on `file` until its stdin closes.
async function lockDatabase(file) {
  const code = [
    "import sqlite3, sys",
    "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)",
    "c.execute('BEGIN EXCLUSIVE')",
    "print('locked', flush=True)",
    "sys.stdin.read()",
    "c.execute('ROLLBACK')",
  ].join("\n");
  const child = spawn("/usr/bin/python3", ["-c", code, file], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await withTimeout(
    new Promise((resolve, reject) => {
      child.stdout.on("data", (d) => d.toString().includes("locked") && resolve());
      child.once("exit", (c) => reject(new Error(`python3 exited with ${c}`)));
    }),
    10_000,
    "python3 taking the lock",
  );
  return {
    async release() {
      child.stdin.end();
      await exited;
    },
  };
}

test("no ok ack and no delivery while the database is locked past the busy timeout", async () => {
  const server = await startChat();
  let lock;
  try {
    const a = await joined(server.url, "writer", "locked");
    const b = await joined(server.url, "reader", "locked");
    assert.equal((await call(a.socket, "message", { room: "locked", text: "before" })).ok, true);
    lock = await lockDatabase(path.join(server.dataDir, "kibitz.db"));
    const t0 = performance.now();
    const during = await a.socket.timeout(20_000).emitWithAck("message", { room: "locked", text: "during", id: "d1" });
    const waited = performance.now() - t0;
    assert.equal(during.ok, false, JSON.stringify(during));
    assert.equal(during.error.code, "unavailable");
    assert.ok(waited >= 4000, `answered after ${waited} ms, before the busy timeout`);
    await lock.release();
    lock = null;
    // The same client id again: stored now, once.
    const retry = await call(a.socket, "message", { room: "locked", text: "during", id: "d1" });
    assert.equal(retry.ok, true, JSON.stringify(retry));
    assert.equal((await call(a.socket, "message", { room: "locked", text: "after" })).ok, true);
    await b.rec.find("message", (m) => m.text === "after");
    assert.deepEqual(b.rec.of("message").map((m) => m.text), ["before", "during", "after"]);
    const h = await call(b.socket, "history", { room: "locked" });
    assert.deepEqual(h.messages.map((m) => m.text), ["before", "during", "after"]);
    closeAll(a.socket, b.socket);
  } finally {
    await lock?.release();
    await server.close();
  }
});
