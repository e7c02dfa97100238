// Games ended by each rule of PROTOCOL.md: checkmate, stalemate, threefold repetition, the
// fifty-move rule, insufficient material, timeout, resignation, agreement, abort and abandonment.
// The long move lists come from seeded random games played with libs/chess (the fifty-move and
// insufficient-material ones) and were checked with it; each ends exactly on its last move.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { FOOLS_MATE, GRACE_MS, call, close, newGame, play, startChess, waitFor } from "./helpers.mjs";

const moves = (text) => text.trim().split(/\s+/);

// Sam Loyd's ten-move stalemate.
const STALEMATE = moves("e2e3 a7a5 d1h5 a8a6 h5a5 h7h5 h2h4 a6h6 a5c7 f7f6 c7d7 e8f7 d7b7 d8d3 b7b8 d3h7 b8c8 f7g6 c8e6");
const THREEFOLD = moves("g1f3 g8f6 f3g1 f6g8 g1f3 g8f6 f3g1 f6g8");
const FIFTY_MOVES = moves(`
  b2b3 g8f6 c1a3 d7d6 e2e4 b7b6 g2g3 e7e5 d1c1 a7a6 c2c4 e8d7 d2d3 h7h5 f1h3 d7e8 g1e2 c8g4 a3b2
  e8d7 f2f3 h5h4 c1c3 d7e7 g3h4 h8h4 c3d2 b8d7 d2d1 c7c6 b1c3 d6d5 c3b1 h4h6 b1c3 d8c7 e2c1 h6h4
  a1b1 e7e6 d1d2 g4h3 d2h6 c7c8 a2a4 c8d8 f3f4 h3f5 f4e5 d7b8 d3d4 h4h2 c3a2 d8d7 e4f5 e6f5 h6g7
  f6h7 b2a3 d7c7 a3d6 h2d2 d6a3 b8d7 h1g1 f5f4 a3b4 f7f6 b4d6 f4e4 b1b2 c6c5 e1d2 a8c8 g7g6 f6f5
  g6g2 e4d4 d2d1 d5c4 c1d3 c7d6 g2g6 f8g7 g1g3 d7b8 d1c2 h7f8 c2c1 d6g6 b2g2 g6c6 g3e3 f8d7 d3b4
  c6a8 b4c2 d4d5 g2d2 d5c6 c2a1 a8b7 e3f3 d7e5 d2d5 g7f6 f3e3 b7a8 d5d2 c4b3 a4a5 e5d7 e3e4 a8b7
  e4e6 c6b5 a1c2 f6g5 e6e2 b7g2 c2e1 c8c6 e2e6 f5f4 c1b2 c5c4 e6f6 g2d2 b2a3 c4c3 f6c6 d2d4 a2c1
  d4g7 c6f6 c3c2 f6b6 d7b6 a3b3 g7b2 b3b2 b5b4 c1a2 b4b5 a2c1 g5f6 b2c2 f6g5 c1a2 g5e7 c2b2 b5c5
  b2c1 e7f6 c1d2 f6b2 e1d3 c5d5 d2e1 b6d7 d3b4 d5c5 e1d2 c5b5 b4c6 b2c1 a2c1 b5a4 c6d4 b8c6 d4c2
  a4a5 c1a2 c6a7 a2c3 a5b6 d2d1 d7c5 c3e4 b6b7 e4g5 b7b6 d1d2 f4f3 g5h7 c5a4 d2d1 b6b7 d1d2 a4c3
  c2a1 c3a4 d2c2 a7c6 c2b3 c6b8 b3c2 b7c7 c2b3 c7c8 b3b4 a4b2 a1b3 c8d7 b3c5 d7c8 c5d7 b2d3 b4b3
  c8b7 b3a2 d3e1 a2b3 a6a5 d7c5 b7c7 c5e6 c7d7 b3a4 b8a6 h7g5 a6c7 e6f8 d7d8 g5h7 c7b5 a4a5 b5c3
  h7f6 c3a4 f8h7 a4b6 a5b6 f3f2 f6g4 d8e7 b6c6 e1c2 g4e5 f2f1n c6c5 c2b4 e5f3 e7e8 c5d6 f1e3 f3e5
  b4d5 e5c6 d5f6 c6a7 e3f5 d6e6 f5e7 e6d6 f6d5 d6c5 e7g8 a7c6 d5e3 h7f8 e3f1 f8g6 f1h2 c5b6 e8f7
  b6a7 f7e8 a7a6 g8f6 a6b6 h2f1 c6b4 e8f7 b6b5 f1h2 b4c6 f6d5 g6e5 f7g8 c6a7 h2f3 e5g6 f3g1 g6f4
  g8h8 f4d3 h8h7 d3e1 d5f6 e1c2 h7h8 c2a3 h8h7 b5c5 f6d7 c5c4 d7f8 a7b5 f8e6 c4b4 e6f4 b4c4 h7g8
  a3b1 f4d5 b5d6 g8h8 c4d4 h8g8 b1c3 d5f6 d4d3 g8f8 d6f5 f6g8 f5d6 g1f3 d6f5 g8e7 f5d6 e7g8 c3d1
  g8e7 d3c3 f3h2 d6c4 f8g7 c4b2 g7g6 c3d2 e7c8 b2d3 h2g4 d3e1 g4h6 d2d3 h6f5 d3c4 g6f7
`);
const INSUFFICIENT = moves(`
  h2h4 e7e5 f2f4 e5f4 c2c3 d8h4 h1h4 f7f5 h4f4 c7c5 f4f5 g7g5 f5f8 e8f8 b2b3 f8e7 c1a3 a7a5 a3c5
  e7e6 c3c4 e6e5 d1c1 d7d5 c4d5 e5d5 c5e3 g8f6 e3g5 b7b5 c1c8 h8c8 g5f6 a5a4 b3a4 b5a4 f6h8 c8h8
  g1f3 d5c4 g2g4 h7h6 e1d1 c4c5 f3g1 c5d6 d2d3 d6e6 a2a3 e6d6 b1c3 h8g8 c3a4 g8g4 a4b6 a8a3 a1a3
  g4g1 a3a2 g1f1 d1c2 f1g1 b6c4 d6e6 c4a5 e6f5 a2a3 g1d1 c2d1 b8c6 a5c6 f5g5 d3d4 h6h5 a3a2 g5f6
  a2b2 f6f7 d4d5 f7f8 b2b5 f8g7 b5a5 g7h6 d1e1 h5h4 e1f2 h4h3 a5a1 h6h5 a1g1 h5h4 e2e4 h3h2 d5d6
  h2g1r f2g1 h4g4 c6b8 g4h3 g1f2 h3h2 d6d7 h2h1 f2e1 h1g1 d7d8n g1h2 d8c6 h2h3 e1d1 h3g2 b8a6
  g2f2 c6d4 f2g2 d1e2 g2h3 d4c6 h3g4 c6b4 g4f4 b4c6 f4e4 c6e7 e4f4 e2d2 f4e4 d2e2 e4e5 e2e3 e5d6
  e3e4 d6e7
`);

describe("/chess endings", () => {
  let server;
  before(async () => {
    // Scripted games of 130 plies in a second: more than a person plays, so no move limit.
    server = await startChess({ args: ["--chess-moves-per-window", "0"] });
  });
  after(async () => {
    await server?.stopAndClean();
  });

  async function ending(sequence, result, reason) {
    const g = await newGame(server.url);
    const before = g.last;
    const last = await play(g, sequence.slice(0, -1));
    assert.equal(last.status, "started", "not over before the last move");
    const end = await play(g, sequence.slice(-1));
    assert.equal(end.status, "ended");
    assert.equal(end.result, result);
    assert.equal(end.reason, reason);
    assert.equal(end.v, before.v + sequence.length);
    // Both players saw the final version.
    await waitFor(g.black, (x) => x.v === end.v, { what: "the end on black" });
    assert.equal((await call(g.white, "move", { game: g.id, uci: "a2a3", ply: end.moves.length })).error?.code, "game_over");
    close(g.white, g.black);
    return end;
  }

  it("checkmate", async () => {
    const end = await ending(FOOLS_MATE, "0-1", "checkmate");
    assert.deepEqual(end.san, ["f3", "e5", "g4", "Qh4#"]);
  });
  it("stalemate", () => ending(STALEMATE, "1/2-1/2", "stalemate"));
  it("threefold repetition", () => ending(THREEFOLD, "1/2-1/2", "threefold"));
  it("the fifty-move rule", () => ending(FIFTY_MOVES, "1/2-1/2", "fifty_moves"));
  it("insufficient material", () => ending(INSUFFICIENT, "1/2-1/2", "insufficient_material"));

  it("timeout, detected by the server with nobody moving", async () => {
    const g = await newGame(server.url, { clock: { initial_ms: 300, increment_ms: 0 } });
    const afterBoth = await play(g, ["e2e4", "e7e5"]);
    assert.equal(afterBoth.clock.running, "white");
    const end = await waitFor(g.black, (x) => x.reason === "timeout", { what: "the flag" });
    assert.equal(end.status, "ended");
    assert.equal(end.result, "0-1");
    assert.equal(end.clock.white_ms, 0);
    assert.equal(end.clock.running, null);
    close(g.white, g.black);
  });

  it("no clock runs before each side has moved", async () => {
    const g = await newGame(server.url, { clock: { initial_ms: 300, increment_ms: 100 } });
    const first = await play(g, ["e2e4"]);
    assert.equal(first.clock.running, null);
    assert.equal(first.clock.white_ms, 400, "the increment is added after every move");
    assert.equal(first.clock.black_ms, 300);
    close(g.white, g.black);
  });

  it("resignation", async () => {
    const g = await newGame(server.url);
    const ack = await call(g.black, "resign", { game: g.id });
    assert.deepEqual([ack.game.status, ack.game.result, ack.game.reason], ["ended", "1-0", "resign"]);
    close(g.white, g.black);
  });

  it("agreement", async () => {
    const g = await newGame(server.url);
    await call(g.white, "draw", { game: g.id, action: "offer" });
    const ack = await call(g.black, "draw", { game: g.id, action: "accept" });
    assert.deepEqual([ack.game.result, ack.game.reason], ["1/2-1/2", "agreement"]);
    close(g.white, g.black);
  });

  it("abort before both sides have moved", async () => {
    const g = await newGame(server.url);
    await play(g, ["e2e4"]);
    const ack = await call(g.black, "abort", { game: g.id });
    assert.deepEqual([ack.game.status, ack.game.result, ack.game.reason], ["ended", null, "aborted"]);
    close(g.white, g.black);
  });

  it("abandonment: a claim after the grace period", async () => {
    const g = await newGame(server.url);
    close(g.black);
    const gone = await waitFor(g.white, (x) => x.players.black && !x.connected.black, { what: "black gone" });
    assert.equal(gone.claimable, null);
    // The server announces when the claim becomes possible (after GRACE_MS).
    const ready = await waitFor(g.white, (x) => x.claimable === "white", { what: "claimable" });
    assert.equal(ready.v, gone.v + 1);
    assert.ok(ready.away_ms.black >= GRACE_MS);
    const ack = await call(g.white, "claim", { game: g.id });
    assert.deepEqual([ack.game.status, ack.game.result, ack.game.reason], ["ended", "1-0", "abandoned"]);
    close(g.white);
  });
});
