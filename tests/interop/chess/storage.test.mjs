// Ack after commit: while another process holds the SQLite write lock on the server's database
// (a python3 sqlite3 child in BEGIN EXCLUSIVE), every /chess change is answered `unavailable`,
// nothing is sent for it and the game stays as stored; once the lock is gone the same requests
// succeed with the v they would have had, and a restart after kill -9 shows exactly the acked
// changes.

import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { holdWriteLock } from "../lib/sqlite-lock.mjs";
import { rmSync } from "node:fs";
import path from "node:path";
import { call, client, close, newGame, play, startChess, waitFor } from "./helpers.mjs";

// The store waits its busy timeout (5 s) for the lock before it fails.
const LOCKED_CAP_MS = 20000;

const code = (ack) => (ack.ok ? "ok" : ack.error.code);

// Resolves once the server's stderr contains `text` (its log of a failed commit).
function logged(server, text, from = 0) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + LOCKED_CAP_MS;
    (function poll() {
      if (server.stderr().indexOf(text, from) >= 0) return resolve();
      if (Date.now() > deadline) return reject(new Error(`the server never logged ${text}`));
      setTimeout(poll, 20);
    })();
  });
}

describe("/chess acks only what is stored", () => {
  const dirs = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("answers unavailable while the database is locked, sends nothing, loses nothing", async () => {
    let server = await startChess();
    dirs.push(server.dir);
    let lock;
    try {
      const g = await newGame(server.url, { clock: { initial_ms: 600000, increment_ms: 0 } });
      const before = await play(g, ["e2e4"]);
      const lobbyWatcher = await client(server.url);
      const creator = await client(server.url);
      lock = await holdWriteLock(path.join(server.dir, "kibitz.db"));
      const seenByWhite = g.white.games.length;
      const lobbiesBefore = lobbyWatcher.lobbies.length;

      const [moved, created, resigned] = await Promise.all([
        call(g.black, "move", { game: g.id, uci: "e7e5", ply: 1 }, LOCKED_CAP_MS),
        call(creator, "create", { name: "carol", color: "white" }, LOCKED_CAP_MS),
        call(g.white, "resign", { game: g.id }, LOCKED_CAP_MS),
      ]);
      assert.equal(code(moved), "unavailable");
      assert.equal(code(created), "unavailable");
      assert.equal(code(resigned), "unavailable");
      assert.equal(g.white.games.length, seenByWhite, "no game event for a change not stored");
      assert.equal(lobbyWatcher.lobbies.length, lobbiesBefore, "no lobby for a game not stored");
      await lock.release();
      lock = null;
      const again = await call(g.black, "move", { game: g.id, uci: "e7e5", ply: 1 });
      assert.equal(code(again), "ok");
      assert.deepEqual(again.game.moves, ["e2e4", "e7e5"]);
      assert.equal(again.game.v, before.v + 1, "memory kept the stored game: no v was used up");
      assert.equal(again.game.status, "started");
      assert.ok(again.game.clock.white_ms <= 600000);
      assert.equal(code(await call(creator, "create", { name: "carol", color: "white" })), "ok");

      server.proc.kill("SIGKILL");
      await server.exited;
      close(g.white, g.black, lobbyWatcher, creator);
      server = await startChess({ dir: server.dir });
      const back = await client(server.url);
      const rejoined = await call(back, "join", { game: g.id, name: "bob", token: g.tokens.black });
      assert.equal(rejoined.seat, "black");
      assert.equal(rejoined.game.status, "started", "the refused resignation was not stored");
      assert.deepEqual(rejoined.game.moves, ["e2e4", "e7e5"], "the acked move survived kill -9");
      assert.ok(rejoined.game.v > again.game.v, "v never goes back");
      close(back);
    } finally {
      lock?.kill();
      await server.stop();
    }
  });

  it("a flag that falls while the database is locked is announced only once stored", async () => {
    const server = await startChess();
    dirs.push(server.dir);
    let lock;
    try {
      const g = await newGame(server.url, { clock: { initial_ms: 1500, increment_ms: 0 } });
      const before = await play(g, ["e2e4", "e7e5"]);
      assert.equal(before.clock.running, "white");
      const mark = server.stderr().length;
      lock = await holdWriteLock(path.join(server.dir, "kibitz.db"));
      // The timer ends the game on time, the commit fails: nothing is sent.
      await logged(server, "cannot store", mark);
      assert.equal(g.black.games.filter((x) => x.status === "ended").length, 0);
      await lock.release();
      lock = null;
      const ended = await waitFor(g.black, (x) => x.status === "ended", { what: "the flag" });
      assert.equal(ended.reason, "timeout");
      assert.equal(ended.result, "0-1");
      assert.equal(ended.v, before.v + 1, "the failed attempt used up no v");
      assert.equal(code(await call(g.white, "move", { game: g.id, uci: "g1f3", ply: 2 })), "game_over");
      close(g.white, g.black);
    } finally {
      lock?.kill();
      await server.stop();
    }
  });
});
