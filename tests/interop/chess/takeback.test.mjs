// `takeback` (an addition, docs/chess_app.md) and `Game.lag`, against the real kibitz binary
// with npm socket.io-client: every action and error code, versions seen by a spectator, the
// clocks put back, a restart after SIGKILL keeping the offer, and the heartbeat's lag estimate.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { call, client, close, newGame, play, startChess, waitFor } from "./helpers.mjs";

const code = (ack) => (ack.ok ? "ok" : ack.error.code);

describe("/chess takeback", () => {
  let server;
  before(async () => {
    server = await startChess({ args: ["--ping-interval", "100", "--ping-timeout", "2000", "--chess-lag-per-move", "250", "--chess-lag-per-game", "5000"] });
  });
  after(async () => {
    await server?.stopAndClean();
  });

  it("offers, declines, offers again and accepts; a spectator sees every version", async () => {
    const g = await newGame(server.url);
    const watcher = await client(server.url);
    await call(watcher, "join", { game: g.id, name: "carol" });
    let game = await play(g, ["e2e4", "e7e5", "g1f3"]);
    const offered = await call(g.black, "takeback", { game: g.id, action: "offer" });
    assert.equal(code(offered), "ok");
    assert.equal(offered.game.takeback, "black");
    assert.equal(offered.game.v, game.v + 1);
    const again = await call(g.black, "takeback", { game: g.id, action: "offer" });
    assert.equal(again.game.v, offered.game.v, "a second offer changes nothing");
    const declined = await call(g.white, "takeback", { game: g.id, action: "decline" });
    assert.equal(declined.game.takeback, null);
    assert.equal(declined.game.v, offered.game.v + 1);
    await call(g.black, "takeback", { game: g.id, action: "offer" });
    const accepted = await call(g.white, "takeback", { game: g.id, action: "accept" });
    assert.equal(code(accepted), "ok");
    // Black was to move: black's e5 and white's Nf3 went.
    assert.deepEqual(accepted.game.moves, ["e2e4"]);
    assert.equal(accepted.game.turn, "black");
    assert.equal(accepted.game.takeback, null);
    assert.equal(accepted.game.v, declined.game.v + 2);
    const seen = await waitFor(watcher, (x) => x.v === accepted.game.v, { what: "the takeback" });
    assert.deepEqual(seen.moves, ["e2e4"]);
    const vs = watcher.games.map((x) => x.v).filter((v) => v > game.v);
    assert.deepEqual(vs, [game.v + 1, game.v + 2, game.v + 3, game.v + 4]);
    g.last = accepted.game;
    game = await play(g, ["c7c5"]);
    assert.deepEqual(game.moves, ["e2e4", "c7c5"]);
    close(g.white, g.black, watcher);
  });

  it("answers every error code", async () => {
    const g = await newGame(server.url);
    const watcher = await client(server.url);
    await call(watcher, "join", { game: g.id, name: "carol" });
    const t = (s, action, game = g.id) => call(s, "takeback", { game, action });
    assert.equal(code(await t(watcher, "offer")), "not_a_player");
    assert.equal(code(await t(g.white, "offer")), "nothing_to_take_back");
    assert.equal(code(await t(g.black, "accept")), "no_offer");
    assert.equal(code(await t(g.black, "decline")), "no_offer");
    await play(g, ["d2d4"]);
    assert.equal(code(await t(g.black, "offer")), "nothing_to_take_back");
    assert.equal(code(await t(g.white, "offer", "nosuchgame00")), "not_found");
    // An offer lapses when a move is made.
    assert.equal(code(await t(g.white, "offer")), "ok");
    const moved = await play(g, ["d7d5"]);
    assert.equal(moved.takeback, null);
    assert.equal(code(await t(g.black, "accept")), "no_offer");
    for (const bad of [{ game: g.id }, { game: g.id, action: "maybe" }, { action: "offer" }, "x"])
      assert.equal(code(await call(g.white, "takeback", bad)), "bad_request", JSON.stringify(bad));
    await call(g.white, "resign", { game: g.id });
    assert.equal(code(await t(g.white, "offer")), "game_over");
    assert.equal(g.white.connected && g.black.connected, true);
    close(g.white, g.black, watcher);
  });

  it("puts the clocks back as they were before the moves", async () => {
    const g = await newGame(server.url, { clock: { initial_ms: 600000, increment_ms: 5000 } });
    await play(g, ["e2e4", "e7e5"]);
    const before = g.last.clock; // white's clock runs from here
    await play(g, ["g1f3", "b8c6"]);
    await call(g.white, "takeback", { game: g.id, action: "offer" });
    const back = await call(g.black, "takeback", { game: g.id, action: "accept" });
    assert.deepEqual(back.game.moves, ["e2e4", "e7e5"]);
    assert.equal(back.game.clock.running, "white");
    assert.equal(back.game.clock.black_ms, 605000);
    assert.ok(back.game.clock.white_ms <= 605000 && back.game.clock.white_ms > before.white_ms - 2000,
      `white ${back.game.clock.white_ms}`);
    close(g.white, g.black);
  });

  it("shows each player's lag from the heartbeat", async () => {
    const g = await newGame(server.url);
    // With a 100 ms ping interval, both clients have answered a ping after a few intervals.
    const pinged = (s) => new Promise((r) => s.io.engine.once("ping", r));
    await Promise.all([pinged(g.white), pinged(g.black)]);
    await Promise.all([pinged(g.white), pinged(g.black)]);
    const { game } = await call(g.white, "join", { game: g.id, name: "alice" });
    for (const color of ["white", "black"]) {
      assert.equal(typeof game.lag[color], "number", JSON.stringify(game.lag));
      assert.ok(game.lag[color] >= 0 && game.lag[color] < 1000, JSON.stringify(game.lag));
    }
    close(g.white, g.black);
    const watcher = await client(server.url);
    const seen = await call(watcher, "join", { game: g.id, name: "carol" });
    assert.deepEqual(seen.game.lag, { white: null, black: null }, "nobody seated is connected");
    close(watcher);
  });
});

describe("/chess takeback across a restart", () => {
  let dir;
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the offer after SIGKILL, and the accept works on the stored clocks", async () => {
    let server = await startChess();
    dir = server.dir;
    const g = await newGame(server.url, { clock: { initial_ms: 600000, increment_ms: 2000 } });
    await play(g, ["e2e4", "e7e5", "g1f3"]);
    const offered = await call(g.white, "takeback", { game: g.id, action: "offer" });
    assert.equal(offered.ok, true);
    server.proc.kill("SIGKILL");
    await server.exited;
    close(g.white, g.black);
    server = await startChess({ dir });
    try {
      const black = await client(server.url);
      const rejoined = await call(black, "join", { game: g.id, name: "bob", token: g.tokens.black });
      assert.equal(rejoined.game.takeback, "white");
      assert.ok(rejoined.game.v > offered.game.v);
      const accepted = await call(black, "takeback", { game: g.id, action: "accept" });
      assert.equal(code(accepted), "ok");
      assert.deepEqual(accepted.game.moves, ["e2e4", "e7e5"]);
      assert.equal(accepted.game.clock.black_ms, 602000);
      assert.equal(accepted.game.clock.running, "white");
      close(black);
    } finally {
      await server.stop();
    }
  });
});
