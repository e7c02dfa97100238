// The /chess events and their error codes (PROTOCOL.md "Namespace /chess"), against the real
// kibitz binary with npm socket.io-client.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { FOOLS_MATE, call, client, close, newGame, play, startChess, waitFor } from "./helpers.mjs";

const code = (ack) => (ack.ok ? "ok" : ack.error.code);

describe("/chess events", () => {
  let server;
  before(async () => {
    server = await startChess();
  });
  after(async () => {
    await server?.stopAndClean();
  });

  it("sends the lobby on connect and whenever it changes", async () => {
    const watcher = await client(server.url);
    await waitFor(watcher, () => true, { event: "lobby", list: watcher.lobbies, what: "lobby" });
    const creator = await client(server.url);
    const created = await call(creator, "create", {
      name: "lobbyist", color: "random", clock: { initial_ms: 60000, increment_ms: 1000 },
    });
    assert.equal(created.ok, true);
    assert.ok(["white", "black"].includes(created.seat));
    assert.match(created.game.id, /^[A-Za-z0-9_-]{8,}$/);
    const listed = await waitFor(watcher, (l) => l.games.some((g) => g.id === created.game.id),
      { event: "lobby", list: watcher.lobbies, what: "the game in the lobby" });
    assert.deepEqual(listed.games.find((g) => g.id === created.game.id), {
      id: created.game.id, creator: "lobbyist", color: "random",
      clock: { initial_ms: 60000, increment_ms: 1000 },
    });
    // The creator leaves: the game is no longer listed.
    close(creator);
    await waitFor(watcher, (l) => !l.games.some((g) => g.id === created.game.id),
      { event: "lobby", list: watcher.lobbies.slice(-1), what: "the game gone from the lobby" });
    close(watcher);
  });

  it("answers bad payloads with bad_request and keeps the connection", async () => {
    const s = await client(server.url);
    for (const [event, payload] of [
      ["create", {}], ["create", { name: "" }], ["create", { name: "a b" }],
      ["create", { name: "x", color: "green" }], ["create", { name: "x", clock: { initial_ms: 0, increment_ms: 0 } }],
      ["create", "text"], ["join", { game: 5, name: "x" }], ["join", { game: "abcdefgh" }],
      ["move", { game: "abcdefgh", uci: "e2e4" }], ["move", { game: "abcdefgh", uci: "e2e4", ply: -1 }],
      ["resign", {}], ["draw", { game: "abcdefgh", action: "maybe" }], ["abort", null],
      ["claim", []], ["rematch", { game: "abcdefgh", action: "decline" }], ["pgn", { game: 1 }],
    ]) {
      const ack = await call(s, event, payload);
      assert.equal(code(ack), "bad_request", `${event} ${JSON.stringify(payload)}`);
      assert.equal(typeof ack.error.message, "string");
    }
    assert.equal(s.connected, true);
    close(s);
  });

  it("answers not_found for unknown games", async () => {
    const s = await client(server.url);
    for (const event of ["join", "move", "pgn"]) {
      const ack = await call(s, event, { game: "nosuchgame1", name: "x", uci: "e2e4", ply: 0 });
      assert.equal(code(ack), "not_found", event);
    }
    close(s);
  });

  it("checks every move and answers each error code", async () => {
    const white = await client(server.url);
    const created = await call(white, "create", { name: "alice", color: "white" });
    const id = created.game.id;
    assert.equal(code(await call(white, "move", { game: id, uci: "e2e4", ply: 0 })), "not_started");
    const black = await client(server.url);
    await call(black, "join", { game: id, name: "bob" });
    const watcher = await client(server.url);
    const spectating = await call(watcher, "join", { game: id, name: "carol" });
    assert.equal(spectating.seat, "spectator");
    assert.equal(spectating.token, undefined);
    assert.equal(code(await call(watcher, "move", { game: id, uci: "e2e4", ply: 0 })), "not_a_player");
    assert.equal(code(await call(black, "move", { game: id, uci: "e7e5", ply: 0 })), "not_your_turn");
    assert.equal(code(await call(white, "move", { game: id, uci: "e2e5", ply: 0 })), "illegal_move");
    assert.equal(code(await call(white, "move", { game: id, uci: "e2e4", ply: 1 })), "stale_ply");
    for (const [event, payload] of [
      ["resign", {}], ["draw", { action: "offer" }], ["abort", {}], ["claim", {}], ["rematch", { action: "offer" }],
    ]) assert.equal(code(await call(watcher, event, { game: id, ...payload })), "not_a_player", event);
    assert.equal(code(await call(white, "draw", { game: id, action: "accept" })), "no_offer");
    assert.equal(code(await call(white, "draw", { game: id, action: "decline" })), "no_offer");
    assert.equal(code(await call(white, "claim", { game: id })), "too_early");
    await play({ id, white, black, last: created.game }, ["e2e4", "e7e5"]);
    assert.equal(code(await call(white, "abort", { game: id })), "too_late");
    await call(white, "resign", { game: id });
    for (const [event, payload] of [
      ["move", { uci: "g1f3", ply: 2 }], ["resign", {}], ["draw", { action: "offer" }], ["abort", {}], ["claim", {}],
    ]) assert.equal(code(await call(white, event, { game: id, ...payload })), "game_over", event);
    assert.equal(code(await call(white, "rematch", { game: id, action: "accept" })), "no_offer");
    close(white, black, watcher);
  });

  it("answers a retry of the move played at that ply with ok and changes nothing", async () => {
    const g = await newGame(server.url);
    const first = await call(g.white, "move", { game: g.id, uci: "e2e4", ply: 0 });
    assert.equal(first.ok, true);
    const retry = await call(g.white, "move", { game: g.id, uci: "e2e4", ply: 0 });
    assert.equal(retry.ok, true);
    assert.equal(retry.game.v, first.game.v);
    assert.deepEqual(retry.game.moves, ["e2e4"]);
    assert.equal(code(await call(g.white, "move", { game: g.id, uci: "d2d4", ply: 0 })), "stale_ply");
    assert.equal(g.white.games.filter((x) => x.v === first.game.v).length, 1);
    close(g.white, g.black);
  });

  it("sends every version to every socket in order, spectators included", async () => {
    const g = await newGame(server.url);
    const watcher = await client(server.url);
    const joined = await call(watcher, "join", { game: g.id, name: "carol" });
    const start = joined.game.v;
    const last = await play(g, FOOLS_MATE);
    assert.equal(last.status, "ended");
    await waitFor(watcher, (x) => x.v === last.v, { what: `v ${last.v}` });
    const seen = watcher.games.map((x) => x.v);
    assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => start + i));
    const white = g.white.games.map((x) => x.v);
    assert.deepEqual(white, Array.from({ length: white.length }, (_, i) => white[0] + i));
    for (let i = 0; i < 4; i++) assert.equal(watcher.games[i + 1].moves.length, i + 1);
    close(g.white, g.black, watcher);
  });

  it("raises v when connections go and come back and spectators change", async () => {
    const g = await newGame(server.url);
    const watcher = await client(server.url);
    const j = await call(watcher, "join", { game: g.id, name: "carol" });
    assert.equal(j.game.spectators, 1);
    close(watcher);
    const fewer = await waitFor(g.white, (x) => x.v === j.game.v + 1, { what: "spectator gone" });
    assert.equal(fewer.spectators, 0);
    close(g.black);
    const gone = await waitFor(g.white, (x) => x.v === j.game.v + 2, { what: "black gone" });
    assert.equal(gone.connected.black, false);
    // A new connection retakes the seat with the token.
    const back = await client(server.url);
    const retaken = await call(back, "join", { game: g.id, name: "bob", token: g.tokens.black });
    assert.equal(retaken.seat, "black");
    assert.equal(retaken.token, g.tokens.black);
    assert.equal(retaken.game.v, j.game.v + 3);
    assert.equal(retaken.game.connected.black, true);
    const moved = await call(back, "move", { game: g.id, uci: "e7e5", ply: 0 }).catch((e) => e);
    assert.equal(code(moved), "not_your_turn");
    await call(g.white, "move", { game: g.id, uci: "e2e4", ply: 0 });
    assert.equal((await call(back, "move", { game: g.id, uci: "e7e5", ply: 1 })).ok, true);
    // A wrong token makes a spectator.
    const other = await client(server.url);
    assert.equal((await call(other, "join", { game: g.id, name: "eve", token: "nope" })).seat, "spectator");
    close(g.white, back, other);
  });

  it("offers, declines and accepts a draw; a move clears the offer", async () => {
    const g = await newGame(server.url);
    let ack = await call(g.black, "draw", { game: g.id, action: "offer" });
    assert.equal(ack.game.draw_offer, "black");
    await play(g, ["e2e4"]);
    assert.equal(g.last.draw_offer, null);
    ack = await call(g.white, "draw", { game: g.id, action: "offer" });
    assert.equal(ack.game.draw_offer, "white");
    ack = await call(g.black, "draw", { game: g.id, action: "decline" });
    assert.equal(ack.game.draw_offer, null);
    await call(g.white, "draw", { game: g.id, action: "offer" });
    ack = await call(g.black, "draw", { game: g.id, action: "accept" });
    assert.equal(ack.game.status, "ended");
    assert.equal(ack.game.result, "1/2-1/2");
    assert.equal(ack.game.reason, "agreement");
    close(g.white, g.black);
  });

  it("plays a rematch with colours swapped, the same clock and the same tokens", async () => {
    const g = await newGame(server.url, { clock: { initial_ms: 60000, increment_ms: 2000 } });
    await call(g.white, "resign", { game: g.id });
    let ack = await call(g.white, "rematch", { game: g.id, action: "offer" });
    assert.equal(ack.game.rematch_offer, "white");
    await waitFor(g.black, (x) => x.rematch_offer === "white", { what: "the offer" });
    ack = await call(g.black, "rematch", { game: g.id, action: "accept" });
    assert.equal(ack.ok, true);
    assert.equal(ack.game.id, g.id);
    const [forWhite] = await Promise.all([
      waitFor(g.white, () => true, { event: "rematch", list: g.white.rematches, what: "rematch" }),
      waitFor(g.black, () => true, { event: "rematch", list: g.black.rematches, what: "rematch" }),
    ]);
    const nid = forWhite.game;
    assert.notEqual(nid, g.id);
    assert.equal(g.black.rematches[0].game, nid);
    const asBlack = await call(g.white, "join", { game: nid, name: "alice", token: g.tokens.white });
    assert.equal(asBlack.seat, "black");
    const asWhite = await call(g.black, "join", { game: nid, name: "bob", token: g.tokens.black });
    assert.equal(asWhite.seat, "white");
    assert.equal(asWhite.game.status, "started");
    assert.deepEqual(asWhite.game.players, { white: "bob", black: "alice" });
    assert.equal(asWhite.game.clock.white_ms, 60000);
    assert.equal(asWhite.game.clock.increment_ms, 2000);
    assert.equal((await call(g.black, "move", { game: nid, uci: "e2e4", ply: 0 })).ok, true);
    close(g.white, g.black);
  });

  it("lists the legal moves and takes a promotion in UCI", async () => {
    const g = await newGame(server.url);
    assert.equal(g.last.legal.length, 20);
    assert.ok(g.last.legal.includes("g1f3"));
    const before = await play(g, ["a2a4", "b7b5", "a4b5", "a7a6", "b5a6", "c8b7", "a6b7", "b8c6"]);
    assert.ok(before.legal.includes("b7a8q") && before.legal.includes("b7a8n"));
    assert.equal(code(await call(g.white, "move", { game: g.id, uci: "b7a8", ply: 8 })), "illegal_move");
    const promoted = await play(g, ["b7a8q"]);
    assert.equal(promoted.san.at(-1), "bxa8=Q");
    assert.match(promoted.fen, /^Q/);
    close(g.white, g.black);
  });

  it("sends the PGN over the socket", async () => {
    const g = await newGame(server.url);
    await play(g, FOOLS_MATE);
    const watcher = await client(server.url);
    const ack = await call(watcher, "pgn", { game: g.id });
    assert.equal(ack.ok, true);
    assert.match(ack.pgn, /\[White "alice"\]/);
    assert.match(ack.pgn, /\[Black "bob"\]/);
    assert.match(ack.pgn, /\[Result "0-1"\]/);
    assert.match(ack.pgn, /1\. f3 e5 2\. g4 Qh4# 0-1/);
    close(g.white, g.black, watcher);
  });
});
