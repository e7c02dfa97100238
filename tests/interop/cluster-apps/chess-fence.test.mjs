// Fencing a frozen chess owner (docs/cluster.md "A frozen owner"): owner A is SIGSTOPped past its
// claim's ttl, B takes the game over (a request through B loads it from PostgreSQL and stores its
// restore, v + 1), and a request that A reads when it resumes must not be stored or sent: A's
// lease on the game ended, Redis says B owns it, so A answers `unavailable`, lets the game go, and
// the retry goes to B. Every spectator on both nodes sees every `v` once, in order. And the
// store's own guard on PostgreSQL: a save of a lower `v` never replaces a higher one.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { startPostgres } from "../lib/postgres.mjs";
import { startRedis } from "../cluster/lib/redis.mjs";
import { freshCluster, startNode, eventually } from "./lib.mjs";
import { client, call, waitFor, close as closeAll } from "../chess/helpers.mjs";

const OWNER_TTL_MS = 1500;

let pg, redis, raw;
before(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  raw = createClient({ url: redis.url });
  await raw.connect();
});
after(async () => {
  await raw?.quit();
  await redis?.stop();
  await pg?.stop();
});

function assertInOrder(socket, id, what) {
  const vs = socket.games.filter((g) => g.id === id).map((g) => g.v);
  for (let i = 1; i < vs.length; i++) assert.equal(vs[i], vs[i - 1] + 1, `${what}: ${vs.join(",")}`);
  return vs;
}

test("a frozen owner whose game was taken over stores and sends nothing more", async () => {
  const cluster = freshCluster(pg, redis);
  const db = new URL(cluster.postgres).pathname.slice(1);
  const extra = ["--chess-owner-ttl", String(OWNER_TTL_MS)];
  const [a, b] = await Promise.all([startNode(cluster, extra), startNode(cluster, extra)]);
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
    // Black's socket never left B, but B's restored game has not seen it: the move is refused,
    // and the restore (v1 + 1) is stored and sent.
    const refused = await call(black, "move", { game: id, uci: "e7e5", ply: 1 });
    assert.notEqual(refused.ok, true, JSON.stringify(refused));
    const restored = await waitFor(specB, (g) => g.id === id && g.v === v1 + 1, { what: "B's restore" });
    assert.equal(restored.status, "started");
    assert.notEqual(await raw.get(key), null, "B claimed the game");
    const row = () => pg.psql(db, `SELECT v, status FROM games WHERE id = '${id}'`);
    assert.equal(row(), `${v1 + 1}|started`);
    // White, on frozen A, resigns: A reads it when it resumes, with its old state (v1): unfenced,
    // it would store its own v1 + 1 over B's restore and send a second v1 + 1.
    const first = call(white, "resign", { game: id });
    a.proc.kill("SIGCONT");
    stopped = false;
    const answer = await first;
    console.log(`# fence: A frozen ${Date.now() - stoppedAt} ms; its resign answered ${JSON.stringify(answer.error ?? answer.ok)}`);
    // A fenced it (`unavailable`), or had let the game go already and forwarded it to B, where
    // white's seat waits for its token.
    assert.notEqual(answer.ok, true, JSON.stringify(answer));
    assert.equal(row(), `${v1 + 1}|started`, "A stored nothing");
    // White takes its seat back through A (forwarded to the owner, B) and resigns there.
    let resigned;
    await eventually(async () => {
      const j = await call(white, "join", { game: id, name: "alice", token: created.token });
      if (j.ok !== true) return assert.equal(j.error?.code, "unavailable", JSON.stringify(j)), false;
      const r = await call(white, "resign", { game: id });
      if (r.ok === true) resigned = r.game;
      return r.ok === true;
    }, 10_000, "the resign through B");
    assert.equal(resigned.status, "ended");
    assert.equal(row(), `${resigned.v}|ended`);
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

// The store's own guard, on PostgreSQL: a save never takes a game's `v` back. The row is moved
// ahead behind the node's back (as a newer owner's save would); the node's next save, of a lower
// `v`, leaves it as it is.
test("PostgreSQL: a stale game save never takes v back", async () => {
  const cluster = freshCluster(pg, redis);
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
    const row = () => pg.psql(db, `SELECT v, moves FROM games WHERE id = '${id}'`);
    assert.equal(row(), `${moved.game.v}|e2e4`);
    const ahead = moved.game.v + 10;
    pg.psql(db, `UPDATE games SET v = ${ahead}, moves = 'e2e4 e7e5 g1f3' WHERE id = '${id}'`);
    const next = await call(black, "move", { game: id, uci: "c7c5", ply: 1 });
    assert.equal(next.ok, true, JSON.stringify(next));
    assert.ok(next.game.v < ahead);
    assert.equal(row(), `${ahead}|e2e4 e7e5 g1f3`, "the lower v did not overwrite the row");
  } finally {
    closeAll(...sockets);
    await a.close();
  }
});
