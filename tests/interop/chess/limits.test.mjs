// Flood control and caps of /chess against the real binary: a connection over its rate gets
// `rate_limited` with error.retry_after_ms while a bystander's moves are acked at once; open
// games are capped per creator and in total (`too_many_games`), spectators per game
// (`too_many_spectators`), games per connection (`too_many_games`); creates in one burst reach the other sockets as fewer `lobby` events,
// each the full list; a waiting game whose creator left is removed from the store after the
// grace period; the process stays small.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { call, client, close, newGame, play, startChess, waitFor } from "./helpers.mjs";

const code = (ack) => (ack.ok ? "ok" : ack.error.code);
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

// Waits (with a safety cap) until the PGN of game `id` is a 404: the game left the store.
async function waitGone(url, id) {
  let status = 200;
  const deadline = Date.now() + 5000;
  while (status !== 404 && Date.now() < deadline) {
    status = (await fetch(`${url}/chess/games/${id}.pgn`)).status;
    if (status !== 404) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(status, 404, `waiting game ${id} removed`);
}

describe("/chess limits", () => {
  let server;
  before(async () => {
    server = await startChess({
      args: ["--chess-max-open-per-creator", "2", "--chess-max-open-games", "12",
        "--chess-max-spectators", "2", "--chess-max-games-per-connection", "3", "--chess-waiting-grace", "300", "--chess-pgns-per-window", "20"],
    });
  });
  after(async () => {
    await server?.stopAndClean();
  });

  it("rate-limits one connection's flood and leaves a bystander's moves fast", async (t) => {
    const g = await newGame(server.url);
    await play(g, ["e2e4"]);
    const flooder = await client(server.url);
    const rss0 = rssKb(server.proc.pid);
    const flood = [];
    for (let i = 0; i < 400; i++) flood.push(call(flooder, "pgn", { game: g.id }));
    const t0 = performance.now();
    const moved = await call(g.black, "move", { game: g.id, uci: "e7e5", ply: 1 });
    const bystanderMs = performance.now() - t0;
    const answers = await Promise.all(flood);
    const limited = answers.filter((a) => code(a) === "rate_limited");
    assert.equal(answers.filter((a) => a.ok).length, 20, "the burst of the window, then refusals");
    assert.equal(limited.length, 380);
    assert.ok(limited.every((a) => a.error.retry_after_ms > 0 && a.error.retry_after_ms <= 10000));
    assert.equal(code(moved), "ok");
    assert.ok(bystanderMs < 1000, `bystander's move acked in ${bystanderMs} ms`);
    const grown = rssKb(server.proc.pid) - rss0;
    t.diagnostic(`bystander move acked in ${bystanderMs.toFixed(1)} ms during the flood; RSS +${grown} kB`);
    assert.ok(grown < 20000, `RSS grew by ${grown} kB`);
    close(g.white, g.black, flooder);
  });

  it("caps open games per creator and in total, and spectators per game", async () => {
    const g = await newGame(server.url);
    const a = await client(server.url);
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const ack = await call(a, "create", { name: "ann", color: "white" });
      assert.equal(code(ack), "ok");
      ids.push(ack.game.id);
    }
    const third = await call(a, "create", { name: "ann", color: "white" });
    assert.equal(code(third), "too_many_games");
    const others = [];
    let refused = null;
    for (let i = 0; i < 12 && !refused; i++) {
      const s = await client(server.url);
      others.push(s);
      const ack = await call(s, "create", { name: `p${i}`, color: "black" });
      if (!ack.ok) refused = ack;
      else ids.push(ack.game.id);
    }
    assert.equal(code(refused), "too_many_games", "12 open games in total");
    const fans = [await client(server.url), await client(server.url), await client(server.url)];
    assert.equal((await call(fans[0], "join", { game: g.id, name: "f0" })).seat, "spectator");
    assert.equal((await call(fans[1], "join", { game: g.id, name: "f1" })).seat, "spectator");
    assert.equal(code(await call(fans[2], "join", { game: g.id, name: "f2" })), "too_many_spectators");
    // The players are unaffected.
    assert.equal(code(await call(g.white, "move", { game: g.id, uci: "e2e4", ply: 0 })), "ok");
    close(a, ...others, g.white, g.black, ...fans);
    // Their creators gone, the waiting games leave the lobby at once.
    const watcher = await client(server.url);
    await waitFor(watcher, (l) => l.games.length === 0, { event: "lobby", list: watcher.lobbies, what: "an empty lobby" });
    // After the grace period they are gone from the store too.
    for (const id of ids) await waitGone(server.url, id);
    close(watcher);
  });

  it("caps the games one connection is in", async () => {
    const games = [];
    for (let i = 0; i < 4; i++) games.push(await newGame(server.url));
    const fan = await client(server.url);
    for (const g of games.slice(0, 3)) assert.equal((await call(fan, "join", { game: g.id, name: "fan" })).seat, "spectator");
    assert.equal(code(await call(fan, "join", { game: games[3].id, name: "fan" })), "too_many_games");
    assert.equal(code(await call(fan, "create", { name: "fan", color: "white" })), "too_many_games");
    assert.equal((await call(fan, "join", { game: games[0].id, name: "fan" })).seat, "spectator", "one it is in");
    assert.equal(code(await call(games[3].white, "move", { game: games[3].id, uci: "e2e4", ply: 0 })), "ok");
    close(fan, ...games.flatMap((g) => [g.white, g.black]));
  });

  it("coalesces the lobby: a burst of creates reaches a watcher as fewer full lobbies", async (t) => {
    const watcher = await client(server.url);
    await waitFor(watcher, (l) => l.games.length === 0, { event: "lobby", list: watcher.lobbies, what: "an empty lobby" });
    const creators = [];
    for (let i = 0; i < 10; i++) creators.push(await client(server.url));
    const start = watcher.lobbies.length;
    const acks = await Promise.all(creators.map((s, i) => call(s, "create", { name: `c${i}`, color: "white" })));
    assert.ok(acks.every((a) => a.ok));
    const full = await waitFor(watcher, (l) => l.games.length === 10, { event: "lobby", list: watcher.lobbies, what: "ten games" });
    const sent = watcher.lobbies.length - start;
    t.diagnostic(`${sent} lobby events for 10 simultaneous creates`);
    assert.ok(sent < 10, `${sent} lobby events for 10 creates`);
    assert.deepEqual(full.games.map((x) => x.creator).sort(), creators.map((_, i) => `c${i}`).sort());
    // The creators leave; after the grace period their games are gone from the store too.
    const ids = acks.map((a) => a.game.id);
    close(...creators);
    for (const id of ids) await waitGone(server.url, id);
    close(watcher);
  });
});

describe("/chess waiting games per address", () => {
  let server;
  before(async () => {
    server = await startChess({ args: ["--chess-max-open-per-ip", "3"] });
  });
  after(async () => {
    await server?.stopAndClean();
  });

  it("caps waiting games whose creators share an address; another address creates", async () => {
    const create = (s, name) => call(s, "create", { name, color: "white" });
    const [c1, c2, c3] = [await client(server.url), await client(server.url), await client(server.url)];
    assert.equal((await create(c1, "one")).ok, true);
    assert.equal((await create(c1, "one")).ok, true);
    assert.equal((await create(c2, "two")).ok, true);
    const refused = await create(c3, "three");
    assert.equal(code(refused), "too_many_games");
    assert.match(refused.error.message, /address/);
    const elsewhere = await client(server.url, { localAddress: "127.0.0.2" });
    assert.equal((await create(elsewhere, "elsewhere")).ok, true);
    close(c1, c2, c3, elsewhere);
  });
});
