// GET /chess/games.json and the /chess/games page against the real kibitz binary: finished
// games newest first with their players, result and time control, paged through `next` and
// `before`, aborted and running games left out, bounds on `limit`, malformed cursors refused,
// and every listed game's PGN and replay address answering.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { call, client, close, newGame, play, startChess, waitFor } from "./helpers.mjs";

describe("/chess/games.json", () => {
  let server;
  const finished = [];
  before(async () => {
    server = await startChess();
    for (let i = 0; i < 5; i++) {
      const g = await newGame(server.url, { clock: i === 0 ? { initial_ms: 180000, increment_ms: 2000 } : null });
      await play(g, ["e2e4", "e7e5"]);
      const r = await call(i % 2 ? g.white : g.black, "resign", { game: g.id });
      assert.equal(r.ok, true);
      finished.unshift(g.id); // newest first
      close(g.white, g.black);
    }
    const aborted = await newGame(server.url);
    await call(aborted.white, "abort", { game: aborted.id });
    const running = await newGame(server.url);
    await play(running, ["d2d4"]);
    close(aborted.white, aborted.black, running.white, running.black);
  });
  after(async () => {
    await server?.stopAndClean();
  });

  const get = (q) => fetch(`${server.url}/chess/games.json${q}`);

  it("pages through the finished games, newest first", async () => {
    const seen = [];
    let next = null;
    let pages = 0;
    do {
      const r = await get(`?limit=2${next ? `&before=${next}` : ""}`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get("content-type"), /application\/json/);
      const page = await r.json();
      assert.ok(page.games.length <= 2);
      seen.push(...page.games);
      next = page.next;
      pages++;
    } while (next && pages < 10);
    assert.deepEqual(seen.map((g) => g.id), finished, "every finished game once, newest first");
    const first = seen.at(-1);
    assert.equal(first.time_control, "180+2");
    assert.deepEqual(first.clock, { initial_ms: 180000, increment_ms: 2000 });
    assert.equal(seen[0].time_control, "-");
    for (const g of seen) {
      assert.equal(g.white, "alice");
      assert.equal(g.black, "bob");
      assert.ok(["1-0", "0-1"].includes(g.result));
      assert.equal(g.reason, "resign");
      assert.equal(g.plies, 2);
      assert.equal(typeof g.ended_at, "number");
      assert.equal(g.url, `/chess/${g.id}`);
      const pgn = await fetch(server.url + g.pgn);
      assert.equal(pgn.status, 200);
      assert.match(await pgn.text(), /\[Result "(1-0|0-1)"\]/);
      assert.equal((await fetch(server.url + g.url)).status, 200);
    }
  });

  it("uses 20 games a page by default and refuses bad limits and cursors", async () => {
    const all = await (await get("")).json();
    assert.equal(all.games.length, 5);
    assert.equal(all.next, null, "not a full page: nothing more");
    for (const q of ["?limit=0", "?limit=101", "?limit=x", "?limit=-1", "?before=nodot",
      "?before=12.a%20b", "?before=-5.abc", `?before=1.${"a".repeat(200)}`]) {
      const r = await get(q);
      assert.equal(r.status, 400, q);
    }
    const max = await get("?limit=100");
    assert.equal(max.status, 200);
    assert.equal((await get(`?before=1.zzzz`)).status, 200);
    assert.deepEqual((await (await get("?before=1.zzzz")).json()).games, [], "nothing ended before");
  });

  it("serves the page", async () => {
    const r = await fetch(`${server.url}/chess/games`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /Recent games/);
    const js = await fetch(`${server.url}/chess/games.js`);
    assert.equal(js.status, 200);
  });
});

describe("a started game both players left", () => {
  let server;
  before(async () => {
    server = await startChess({ args: ["--chess-idle", "300"] });
  });
  after(async () => {
    await server?.stopAndClean();
  });

  it("ends (abandoned, for the one who stayed) once nobody has been in it for --chess-idle", async () => {
    const g = await newGame(server.url);
    await play(g, ["e2e4", "e7e5", "g1f3"]);
    close(g.black);
    await waitFor(g.white, (x) => x.connected.black === false, { what: "black gone" });
    close(g.white);
    // The game leaves memory ended, so the list of finished games shows it.
    let listed;
    const deadline = Date.now() + 10_000;
    while (!listed && Date.now() < deadline) {
      const page = await (await fetch(`${server.url}/chess/games.json`)).json();
      listed = page.games.find((x) => x.id === g.id);
      if (!listed) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(listed, "listed as finished within 10 s");
    assert.equal(listed.result, "1-0", "black left first");
    assert.equal(listed.reason, "abandoned");
    // Back from the store, it is over: no move is taken.
    const again = await client(server.url);
    const joined = await call(again, "join", { game: g.id, name: "alice", token: g.tokens.white });
    assert.equal(joined.ok, true);
    assert.equal(joined.game.status, "ended");
    const moved = await call(again, "move", { game: g.id, uci: "e7e6", ply: 3 });
    assert.equal(moved.error?.code, "game_over");
    close(again);
  });
});
