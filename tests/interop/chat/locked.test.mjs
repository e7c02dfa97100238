// Ack after commit (docs/security.md): while another process holds the SQLite write lock past the busy
// timeout (5 s), `message` and `edit` answer `unavailable` and nothing is delivered or stored;
// once the lock is gone, messages flow again.

import { test } from "node:test";
import assert from "node:assert/strict";
import { holdWriteLock } from "../lib/sqlite-lock.mjs";
import path from "node:path";
import { startChat, call, joined, closeAll } from "./chat.mjs";

test("no ok ack and no delivery while the database is locked past the busy timeout", async () => {
  const server = await startChat();
  let lock;
  try {
    const a = await joined(server.url, "writer", "locked");
    const b = await joined(server.url, "reader", "locked");
    const before = await call(a.socket, "message", { room: "locked", text: "before" });
    assert.equal(before.ok, true);
    lock = await holdWriteLock(path.join(server.dataDir, "kibitz.db"));
    // An edit is acked only after commit too: refused while locked, seen by nobody.
    const edit = await a.socket.timeout(20_000).emitWithAck("edit", { id: before.message.id, text: "changed" });
    assert.equal(edit.ok, false, JSON.stringify(edit));
    assert.equal(edit.error.code, "unavailable");
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
    assert.equal(h.messages[0].edited, undefined, "the refused edit changed nothing");
    assert.deepEqual(b.rec.of("message updated"), []);
    closeAll(a.socket, b.socket);
  } finally {
    await lock?.release();
    await server.close();
  }
});
