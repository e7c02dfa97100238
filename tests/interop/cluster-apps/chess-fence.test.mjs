// Fencing a frozen chess owner (docs/cluster.md "A frozen owner"): owner A is SIGSTOPped past its
// claim's ttl, B takes the game over (a request through B loads it from PostgreSQL and stores its
// restore, v + 1), and a request that A reads when it resumes must not be stored or sent: A's
// lease on the game ended, Redis says B owns it, so A answers `unavailable`, lets the game go, and
// the retry goes to B. Nobody joins again: B seats its own sockets again when it restores the
// game, and A's sockets join B's game by themselves once A let it go (docs/cluster.md "Who is
// in a game"). Every spectator on both nodes sees every `v` once, in order. And the store's
// own guard on PostgreSQL: a save of a lower `v` never replaces a higher one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { freshCluster, startNode, eventually, twoNodes, assertInOrder, withStores } from "./lib.mjs";
import { client, call, waitFor, close as closeAll } from "../chess/helpers.mjs";

const OWNER_TTL_MS = 1500;

let raw;
const stores = withStores({
  up: async (s) => {
    raw = createClient({ url: s.redis.url });
    await raw.connect();
  },
  down: () => raw?.quit(),
});

test("a frozen owner whose game was taken over stores and sends nothing more", async () => {
  const { cluster, a, b } = await twoNodes(stores.pg, stores.redis, ["--chess-owner-ttl", String(OWNER_TTL_MS)]);
  const db = new URL(cluster.postgres).pathname.slice(1);
  const sockets = [];
  let stopped = false;
  try {
    const white = await client(a.url);
    const black = await client(b.url);
    const specA = await client(a.url);
    const specB = await client(b.url);
    sockets.push(white, black, specA, specB);
    const created = await call(white, "create", { name: "alice", color: "white", clock: null });
    const id = created.game.id;
    assert.equal((await call(black, "join", { game: id, name: "bob" })).seat, "black");
    for (const s of [specA, specB]) assert.equal((await call(s, "join", { game: id, name: "carol" })).seat, "spectator");
    const moved = await call(white, "move", { game: id, uci: "e2e4", ply: 0 });
    assert.equal(moved.ok, true, JSON.stringify(moved));
    const v1 = moved.game.v;
    await waitFor(specB, (g) => g.id === id && g.v === v1, { what: "the move on B" });
    const key = `${cluster.prefix}:kibitz:chess:owner:${id}`;

    a.proc.kill("SIGSTOP");
    stopped = true;
    const stoppedAt = Date.now();
    // A's claim expires; B's next request for the game claims it and restores it from the store.
    await eventually(async () => (await raw.get(key)) === null, OWNER_TTL_MS + 5000, "A's claim expired", 20);
    // Black's socket never left B: B remembers how its sockets joined the game and seats them
    // again in the batch of the restore (v1 + 1, stored and sent first), so the move is played.
    const played = await call(black, "move", { game: id, uci: "e7e5", ply: 1 });
    assert.equal(played.ok, true, JSON.stringify(played));
    assert.deepEqual(played.game.moves, ["e2e4", "e7e5"]);
    assert.equal(played.game.connected.black, true);
    const restored = await waitFor(specB, (g) => g.id === id && g.v === v1 + 1, { what: "B's restore" });
    assert.equal(restored.status, "started");
    assert.notEqual(await raw.get(key), null, "B claimed the game");
    const row = () => stores.pg.psql(db, `SELECT v, status FROM games WHERE id = '${id}'`);
    assert.equal(row(), `${played.game.v}|started`);
    // White, on frozen A, resigns: A reads it when it resumes, with its old state (v1): unfenced,
    // it would store its own v1 + 1 over B's restore and send a second v1 + 1.
    const first = call(white, "resign", { game: id });
    a.proc.kill("SIGCONT");
    stopped = false;
    const resumedAt = Date.now();
    const answer = await first;
    console.log(`# fence: A frozen ${Date.now() - stoppedAt} ms; its resign answered ${JSON.stringify(answer.error ?? answer.ok)}`);
    // A fenced it (`unavailable`), or had let the game go already and forwarded it to B before
    // white's seat was there again.
    assert.notEqual(answer.ok, true, JSON.stringify(answer));
    // A stored nothing: the row is B's (A's would be its resign on the position before e7e5);
    // B may have stored the re-seating of A's sockets meanwhile (below).
    const [v, status, moves] = stores.pg.psql(db, `SELECT v, status, moves FROM games WHERE id = '${id}'`).split("|");
    assert.deepEqual([status, moves], ["started", "e2e4 e7e5"], "A stored nothing");
    assert.ok(Number(v) >= played.game.v);
    // A let the game go and its sockets in it join B's game by themselves: white's seat and
    // A's spectator are back without a `join` of theirs.
    await waitFor(specB, (g) => g.id === id && g.connected.white && g.spectators === 2, { what: "A's sockets back in B's game" });
    console.log(`# fence: A's player and spectator seated on the new owner ${Date.now() - resumedAt} ms after A resumed`);
    // White resigns again, through A (forwarded to the owner, B).
    const again = await call(white, "resign", { game: id });
    assert.equal(again.ok, true, JSON.stringify(again));
    const resigned = again.game;
    for (const [s, what] of [[specA, "spectator on A"], [specB, "spectator on B"], [black, "black on B"], [white, "white on A"]]) {
      await waitFor(s, (g) => g.id === id && g.v === resigned.v, { what: `${what} at the resign` });
      const vs = assertInOrder(s, id, what);
      assert.equal(vs.filter((v) => v === v1 + 1).length, 1, `${what}: one v ${v1 + 1}: ${vs.join(",")}`);
    }
    assert.equal(specB.games.filter((g) => g.id === id).at(-1).reason, "resign");
  } finally {
    if (stopped) a.proc.kill("SIGCONT");
    closeAll(...sockets);
    await Promise.all([a.close(), b.close()]);
  }
});

// A node frozen past the ttl (SIGSTOP): the owner drops its sockets from its games (their node
// is silent: dead as far as it knows), and when the node is heard again the owner asks it who
// is in its games: its player and spectator are back in the game without a `join` of theirs.
test("a node frozen past the ttl: the owner asks it again who is in its games, its players need nothing", async () => {
  const { a, b } = await twoNodes(stores.pg, stores.redis, ["--chess-owner-ttl", String(OWNER_TTL_MS)]);
  const sockets = [];
  let stopped = false;
  try {
    const white = await client(a.url);
    const black = await client(b.url);
    const specB = await client(b.url);
    sockets.push(white, black, specB);
    const id = (await call(white, "create", { name: "alice", color: "white", clock: null })).game.id;
    assert.equal((await call(black, "join", { game: id, name: "bob" })).seat, "black");
    assert.equal((await call(specB, "join", { game: id, name: "carol" })).seat, "spectator");
    const moved = await call(white, "move", { game: id, uci: "e2e4", ply: 0 });
    assert.equal(moved.game.spectators, 1);
    b.proc.kill("SIGSTOP");
    stopped = true;
    // A, the owner, hears nothing from B for the ttl: B's player and spectator are gone there.
    const dropped = await waitFor(white, (g) => g.id === id && g.v > moved.game.v && !g.connected.black && g.spectators === 0, { what: "B's sockets dropped" });
    b.proc.kill("SIGCONT");
    stopped = false;
    const resumedAt = Date.now();
    const back = await waitFor(white, (g) => g.id === id && g.v > dropped.v && g.connected.black && g.spectators === 1, { what: "B's sockets back" });
    console.log(`# frozen node: its player and spectator back in the owner's game ${Date.now() - resumedAt} ms after SIGCONT`);
    const next = await call(black, "move", { game: id, uci: "e7e5", ply: 1 });
    assert.equal(next.ok, true, JSON.stringify(next));
    assert.ok(next.game.v > back.v);
    for (const [s, what] of [[white, "white on A"], [specB, "spectator on B"], [black, "black on B"]]) {
      await waitFor(s, (g) => g.id === id && g.v === next.game.v, { what: `${what} at the move` });
      assertInOrder(s, id, what);
    }
  } finally {
    if (stopped) b.proc.kill("SIGCONT");
    closeAll(...sockets);
    await Promise.all([a.close(), b.close()]);
  }
});

// The store's own guard, on PostgreSQL: a save never takes a game's `v` back. The row is moved
// ahead behind the node's back (as a newer owner's save would); the node's next save, of a lower
// `v`, leaves it as it is.
test("PostgreSQL: a stale game save never takes v back", async () => {
  const cluster = freshCluster(stores.pg, stores.redis);
  const db = new URL(cluster.postgres).pathname.slice(1);
  const a = await startNode(cluster, ["--chess-owner-ttl", String(OWNER_TTL_MS)]);
  const sockets = [];
  try {
    const white = await client(a.url);
    const black = await client(a.url);
    sockets.push(white, black);
    const created = await call(white, "create", { name: "alice", color: "white", clock: null });
    const id = created.game.id;
    assert.equal((await call(black, "join", { game: id, name: "bob" })).seat, "black");
    const moved = await call(white, "move", { game: id, uci: "e2e4", ply: 0 });
    const row = () => stores.pg.psql(db, `SELECT v, moves FROM games WHERE id = '${id}'`);
    assert.equal(row(), `${moved.game.v}|e2e4`);
    const ahead = moved.game.v + 10;
    stores.pg.psql(db, `UPDATE games SET v = ${ahead}, moves = 'e2e4 e7e5 g1f3' WHERE id = '${id}'`);
    const next = await call(black, "move", { game: id, uci: "c7c5", ply: 1 });
    assert.equal(next.ok, true, JSON.stringify(next));
    assert.ok(next.game.v < ahead);
    assert.equal(row(), `${ahead}|e2e4 e7e5 g1f3`, "the lower v did not overwrite the row");
  } finally {
    closeAll(...sockets);
    await a.close();
  }
});
