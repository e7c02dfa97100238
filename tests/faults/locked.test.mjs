// Fault: another process holds SQLite's write lock past the busy timeout. A chat message and a
// chess move made meanwhile are answered `unavailable` and change nothing anyone sees; once the
// lock is gone the same server acks again, and after a SIGKILL and restart exactly the acked
// changes are there.

import { test } from "node:test";
import assert from "node:assert/strict";
import { call, connect, figure, holdDatabaseLock, startKibitz, tempDir } from "./lib.mjs";

test("a locked database: unavailable, nothing shown or kept; ok again once the lock is gone", async () => {
  const data = tempDir();
  let server = await startKibitz(data.dir);
  let lock = null;
  try {
    const alice = await connect(server.url, "/chat");
    const bob = await connect(server.url, "/chat");
    assert.equal((await call(alice, "join", { name: "alice", room: "locked" })).ok, true);
    assert.equal((await call(bob, "join", { name: "bob", room: "locked" })).ok, true);
    const seenByBob = [];
    bob.on("message", (m) => seenByBob.push(m.text));

    const white = await connect(server.url, "/chess");
    const black = await connect(server.url, "/chess");
    const created = await call(white, "create", { name: "white", color: "white", clock: null });
    assert.equal(created.ok, true);
    const id = created.game.id;
    const joined = await call(black, "join", { game: id, name: "black" });
    assert.equal(joined.ok, true);
    const first = await call(white, "move", { game: id, uci: "e2e4", ply: 0 });
    assert.equal(first.ok, true);
    const gamesSeen = [];
    black.on("game", (g) => gamesSeen.push(g));

    lock = await holdDatabaseLock(data.dir);
    const t0 = performance.now();
    const [msg, move] = await Promise.all([
      call(alice, "message", { room: "locked", text: "while locked", id: "m-locked" }, 30_000),
      call(black, "move", { game: id, uci: "e7e5", ply: 1 }, 30_000),
    ]);
    const waited = performance.now() - t0;
    assert.equal(msg.ok, false);
    assert.equal(msg.error.code, "unavailable");
    assert.equal(move.ok, false);
    assert.equal(move.error.code, "unavailable");
    assert.ok(!seenByBob.includes("while locked"), "a message that was not stored was delivered");
    assert.ok(!gamesSeen.some((g) => g.moves.length > 1), "a move that was not stored was shown");
    figure(`locked database: message and move answered unavailable after ${waited.toFixed(0)} ms`);

    await lock.release();
    lock = null;
    const msg2 = await call(alice, "message", { room: "locked", text: "after the lock", id: "m-after" });
    assert.equal(msg2.ok, true, JSON.stringify(msg2));
    const move2 = await call(black, "move", { game: id, uci: "e7e5", ply: 1 });
    assert.equal(move2.ok, true, JSON.stringify(move2));
    assert.deepEqual(move2.game.moves, ["e2e4", "e7e5"]);

    server.proc.kill("SIGKILL");
    await server.exited;
    for (const s of [alice, bob, white, black]) s.disconnect();
    server = await startKibitz(data.dir);
    const reader = await connect(server.url, "/chat");
    const ack = await call(reader, "join", { name: "reader", room: "locked" });
    assert.equal(ack.ok, true);
    const texts = ack.history.map((m) => m.text);
    assert.ok(texts.includes("after the lock"));
    assert.ok(!texts.includes("while locked"));
    const viewer = await connect(server.url, "/chess");
    const view = await call(viewer, "join", { game: id, name: "viewer" });
    assert.equal(view.ok, true);
    assert.deepEqual(view.game.moves, ["e2e4", "e7e5"]);
    reader.disconnect();
    viewer.disconnect();
  } finally {
    if (lock) await lock.release();
    await server.stop();
    data.cleanup();
  }
});
