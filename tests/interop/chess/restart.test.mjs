// Persistence and HTTP: a game in progress survives a server restart (SIGTERM and SIGKILL) on
// the same --data directory and its players rejoin with their tokens; the PGN download; the
// chess page at /chess/ and /chess/<id>.

import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { FOOLS_MATE, call, client, close, newGame, play, startChess } from "./helpers.mjs";

describe("/chess across restarts", () => {
  const dirs = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const signal of ["SIGTERM", "SIGKILL"]) {
    it(`restores a game in progress after ${signal}`, async () => {
      let server = await startChess();
      dirs.push(server.dir);
      const g = await newGame(server.url, { clock: { initial_ms: 600000, increment_ms: 1000 } });
      const before = await play(g, ["e2e4", "e7e5", "g1f3"]);
      assert.equal(before.clock.running, "black");
      if (signal === "SIGKILL") {
        server.proc.kill("SIGKILL");
        await server.exited;
      } else {
        await server.stop();
      }
      close(g.white, g.black);

      server = await startChess({ dir: server.dir });
      try {
        const black = await client(server.url);
        const rejoined = await call(black, "join", { game: g.id, name: "bob", token: g.tokens.black });
        assert.equal(rejoined.ok, true);
        assert.equal(rejoined.seat, "black");
        const game = rejoined.game;
        assert.equal(game.status, "started");
        assert.deepEqual(game.moves, ["e2e4", "e7e5", "g1f3"]);
        assert.ok(game.v > before.v, `v ${game.v} after ${before.v}: never goes back`);
        assert.equal(game.connected.white, false);
        assert.equal(game.connected.black, true);
        assert.equal(game.clock.running, "black");
        assert.equal(game.clock.white_ms, before.clock.white_ms);
        assert.ok(game.clock.black_ms <= 601000 && game.clock.black_ms > 590000, String(game.clock.black_ms));
        const white = await client(server.url);
        const w = await call(white, "join", { game: g.id, name: "alice", token: g.tokens.white });
        assert.equal(w.seat, "white");
        const moved = await call(black, "move", { game: g.id, uci: "b8c6", ply: 3 });
        assert.equal(moved.ok, true);
        assert.equal(moved.game.v, w.game.v + 1);
        close(black, white);
      } finally {
        await server.stop();
      }
    });
  }

  it("serves the PGN over HTTP, 404 for an unknown game, and the page", async () => {
    const server = await startChess();
    dirs.push(server.dir);
    try {
      const g = await newGame(server.url);
      await play(g, FOOLS_MATE);
      close(g.white, g.black);
      const res = await fetch(`${server.url}/chess/games/${g.id}.pgn`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type"), /^text\/plain/);
      const text = await res.text();
      assert.match(text, /\[Result "0-1"\]/);
      assert.match(text, /1\. f3 e5 2\. g4 Qh4# 0-1/);
      assert.equal((await fetch(`${server.url}/chess/games/nosuchgame1.pgn`)).status, 404);
      assert.equal((await fetch(`${server.url}/chess/games/..%2Fx.pgn`)).status, 404);
      for (const path of ["/chess/", `/chess/${g.id}`]) {
        const page = await fetch(`${server.url}${path}`);
        assert.equal(page.status, 200, path);
        assert.match(await page.text(), /<kibitz-chat|chess/i);
      }
    } finally {
      await server.stop();
    }
  });

  it("serves the PGN of an ended game after a restart", async () => {
    let server = await startChess();
    dirs.push(server.dir);
    const g = await newGame(server.url);
    await play(g, FOOLS_MATE);
    close(g.white, g.black);
    await server.stop();
    server = await startChess({ dir: server.dir });
    try {
      const res = await fetch(`${server.url}/chess/games/${g.id}.pgn`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Qh4# 0-1/);
      const s = await client(server.url);
      const j = await call(s, "join", { game: g.id, name: "late" });
      assert.equal(j.seat, "spectator");
      assert.equal(j.game.reason, "checkmate");
      close(s);
    } finally {
      await server.stop();
    }
  });
});
