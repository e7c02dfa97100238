// Anyone may download a PGN over HTTP, without a session: a flood of downloads for games that
// are not in memory is bounded on its own (a few store reads at once, 503 past them) and never
// makes /chess refuse the players' moves; the list of finished games (games.json) shares that cap.

import { test } from "node:test";
import assert from "node:assert/strict";
import { call, close, newGame, startChess } from "./helpers.mjs";

test("a PGN download flood gets 503 past its cap while the players' moves are acked", async () => {
  const server = await startChess();
  try {
    const g = await newGame(server.url);
    const ids = Array.from({ length: 400 }, (_, i) => `nosuchgame${String(i).padStart(6, "0")}`);
    const downloads = Promise.all(
      ids.map((id) =>
        fetch(`${server.url}/chess/games/${id}.pgn`).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    // The players go on while the downloads are in flight.
    const moves = ["e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "g8f6"];
    for (const [ply, uci] of moves.entries()) {
      const mover = ply % 2 === 0 ? g.white : g.black;
      const ack = await call(mover, "move", { game: g.id, uci, ply });
      assert.equal(ack.ok, true, `${uci}: ${JSON.stringify(ack)}`);
    }
    const statuses = await downloads;
    const count = (s) => statuses.filter((x) => x === s).length;
    console.log(`# ${count(404)} answered 404 from the store, ${count(503)} refused with 503`);
    assert.equal(count(404) + count(503), ids.length, `unexpected statuses: ${[...new Set(statuses)]}`);
    assert.ok(count(404) > 0, "some reads reached the store");
    assert.ok(count(503) > 0, "400 downloads at once never met the cap on store reads");
    // The flood is over: a download is served again.
    const res = await fetch(`${server.url}/chess/games/${g.id}.pgn`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /1\. e4 e5 2\. Nf3 Nc6 3\. Bc4 Nf6/);
    close(g.white, g.black);
  } finally {
    await server.stopAndClean();
  }
});

test("a flood of game-list reads shares that cap: 503 past it, the players' moves acked", async () => {
  const server = await startChess();
  try {
    const g = await newGame(server.url);
    const lists = Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        fetch(`${server.url}/chess/games.json?limit=${1 + (i % 100)}`).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    const moves = ["d2d4", "d7d5", "c2c4", "e7e6"];
    for (const [ply, uci] of moves.entries()) {
      const mover = ply % 2 === 0 ? g.white : g.black;
      const ack = await call(mover, "move", { game: g.id, uci, ply });
      assert.equal(ack.ok, true, `${uci}: ${JSON.stringify(ack)}`);
    }
    const statuses = await lists;
    const count = (s) => statuses.filter((x) => x === s).length;
    console.log(`# ${count(200)} lists answered, ${count(503)} refused with 503`);
    assert.equal(count(200) + count(503), statuses.length, `unexpected statuses: ${[...new Set(statuses)]}`);
    assert.ok(count(200) > 0, "some reads reached the store");
    assert.ok(count(503) > 0, "400 lists at once never met the cap on store reads");
    const after = await fetch(`${server.url}/chess/games.json`);
    assert.equal(after.status, 200, "the flood is over: the list is served again");
    close(g.white, g.black);
  } finally {
    await server.stopAndClean();
  }
});
