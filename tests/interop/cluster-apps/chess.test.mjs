// /chess across two kibitz nodes on one Redis and one PostgreSQL 15 (issue 12, docs/cluster.md
// "The chess across nodes"): a game created on one node is joined, played and watched from the
// other; every spectator on either node sees every `v` once, in order; the lobby is the
// cluster's; a stale or illegal move is refused once; when the owner node is SIGKILLed the game
// goes on from the other node once its claim expired (--chess-owner-ttl), with the survivor's
// sockets seated again by themselves.

import { test } from "node:test";
import assert from "node:assert/strict";
import { freshCluster, startNode, eventually, twoNodes as twoNodesOf, assertInOrder, withStores } from "./lib.mjs";
import { client, call, waitFor, close as closeAll } from "../chess/helpers.mjs";

const OWNER_TTL_MS = 1500;

const stores = withStores();

const twoNodes = (more = []) => twoNodesOf(stores.pg, stores.redis, ["--chess-owner-ttl", String(OWNER_TTL_MS), ...more]);

async function move(socket, id, uci, ply) {
  const ack = await call(socket, "move", { game: id, uci, ply });
  assert.equal(ack.ok, true, `${uci}: ${JSON.stringify(ack)}`);
  return ack.game;
}

for (const protocol of ["classic", "sharded"])
test(`a game created on A is joined, played and watched from both nodes (${protocol})`, async () => {
  const { a, b } = await twoNodes(["--redis-protocol", protocol]);
  const sockets = [];
  try {
    const lobbyB = await client(b.url);
    const white = await client(a.url);
    const black = await client(b.url);
    const specA = await client(a.url);
    const specB = await client(b.url);
    sockets.push(lobbyB, white, black, specA, specB);
    const created = await call(white, "create", { name: "alice", color: "white", clock: null });
    assert.equal(created.ok, true, JSON.stringify(created));
    const id = created.game.id;
    // The lobby on B lists A's waiting game (the cluster's lobby).
    await waitFor(lobbyB, (l) => l.games.some((g) => g.id === id), {
      event: "lobby", list: lobbyB.lobbies, what: "A's game in B's lobby",
    });
    const joined = await call(black, "join", { game: id, name: "bob" });
    assert.equal(joined.ok, true, JSON.stringify(joined));
    assert.equal(joined.seat, "black");
    // Once started it leaves the lobby on B too.
    await waitFor(lobbyB, (l) => !l.games.some((g) => g.id === id), {
      event: "lobby", list: lobbyB.lobbies, what: "A's game gone from B's lobby",
    });
    for (const spec of [specA, specB]) {
      const ack = await call(spec, "join", { game: id, name: "carol" });
      assert.equal(ack.seat, "spectator", JSON.stringify(ack));
    }
    await move(white, id, "e2e4", 0);
    await move(black, id, "e7e5", 1);
    // A stale ply and an illegal move from B are refused, once, and change nothing.
    const stale = await call(black, "move", { game: id, uci: "d7d5", ply: 0 });
    assert.equal(stale.error?.code, "stale_ply", JSON.stringify(stale));
    await move(white, id, "g1f3", 2);
    const illegal = await call(black, "move", { game: id, uci: "e5e4", ply: 3 });
    assert.equal(illegal.error?.code, "illegal_move", JSON.stringify(illegal));
    const last0 = await move(black, id, "b8c6", 3);
    // A spectator on B leaving is seen by the owner on A (the count drops, one change).
    await waitFor(specB, (g) => g.id === id && g.v === last0.v, { what: `spectator on B at v ${last0.v}` });
    closeAll(specB);
    const fewer = await waitFor(white, (g) => g.id === id && g.v === last0.v + 1, { what: "B's spectator gone" });
    assert.equal(fewer.spectators, last0.spectators - 1);
    const last = fewer;
    assert.deepEqual(last.moves, ["e2e4", "e7e5", "g1f3", "b8c6"]);
    for (const [s, what] of [[specA, "spectator on A"], [white, "white on A"], [black, "black on B"]]) {
      await waitFor(s, (g) => g.id === id && g.v === last.v, { what: `${what} at v ${last.v}` });
      const vs = assertInOrder(s, id, what);
      assert.equal(vs.at(-1), last.v, what);
    }
    // The joiner on B got its join's own change as an event too (it was in the room first),
    // and A's sockets and B's saw the same changes from the join on.
    assert.ok(black.games.some((g) => g.id === id && g.v === joined.game.v), JSON.stringify(black.games.map((g) => g.v)));
    const fromJoin = (s) => s.games.filter((g) => g.id === id && g.v >= joined.game.v + 2 && g.v <= last0.v).map((g) => g.v);
    assert.deepEqual(fromJoin(specA), fromJoin(specB));
    assertInOrder(specB, id, "spectator on B");
    assert.equal(specB.games.filter((g) => g.id === id).at(-1).v, last0.v);
  } finally {
    closeAll(...sockets);
    await Promise.all([a.close(), b.close()]);
  }
});

test("the owner node SIGKILLed: the game goes on from the other node", async (t) => {
  const { a, b } = await twoNodes();
  const sockets = [];
  try {
    const white = await client(a.url);
    const black = await client(b.url);
    const specB = await client(b.url);
    sockets.push(white, black, specB);
    const created = await call(white, "create", { name: "alice", color: "white", clock: null });
    const id = created.game.id;
    const joined = await call(black, "join", { game: id, name: "bob" });
    assert.equal(joined.seat, "black");
    assert.equal((await call(specB, "join", { game: id, name: "carol" })).seat, "spectator");
    await move(white, id, "e2e4", 0);
    const before = await move(black, id, "e7e5", 1);
    await waitFor(specB, (g) => g.id === id && g.v === before.v, { what: "the last move on B" });
    // A waiting game on A, listed in B's lobby, leaves it once A is dead (peer expiry).
    const lobbyB = await client(b.url);
    const waiting = await client(a.url);
    sockets.push(lobbyB, waiting);
    const open = await call(waiting, "create", { name: "dora", color: "black", clock: null });
    await waitFor(lobbyB, (l) => l.games.some((g) => g.id === open.game.id), {
      event: "lobby", list: lobbyB.lobbies, what: "A's waiting game in B's lobby",
    });
    closeAll(white);
    await a.kill();
    const killedAt = Date.now();
    // White comes back through B with its token; B takes the game over once A's claim expired.
    const white2 = await client(b.url);
    sockets.push(white2);
    let back;
    await eventually(async () => {
      back = await call(white2, "join", { game: id, name: "alice", token: created.token });
      if (back.ok) return true;
      assert.equal(back.error.code, "unavailable", JSON.stringify(back));
      return false;
    }, OWNER_TTL_MS + 5000, "the game taken over by B", 100);
    const tookMs = Date.now() - killedAt;
    await waitFor(lobbyB, (l) => !l.games.some((g) => g.id === open.game.id), {
      event: "lobby", list: lobbyB.lobbies.slice(-1), what: "A's waiting game gone from B's lobby",
    });
    t.diagnostic(`owner SIGKILL: game back on B after ${tookMs} ms (owner ttl ${OWNER_TTL_MS} ms)`);
    assert.equal(back.seat, "white");
    assert.ok(back.game.v > before.v, JSON.stringify(back.game));
    assert.deepEqual(back.game.moves, ["e2e4", "e7e5"]);
    // Black and the spectator, whose sockets never left B, are in B's game without a `join` of
    // theirs: B seats its own sockets again when it restores the game. Play goes on.
    assert.equal(back.game.connected.black, true, JSON.stringify(back.game));
    assert.equal(back.game.spectators, 1, JSON.stringify(back.game));
    await move(white2, id, "g1f3", 2);
    const after = await move(black, id, "b8c6", 3);
    await waitFor(specB, (g) => g.id === id && g.v === after.v, { what: "the moves after the take-over" });
    assertInOrder(specB, id, "spectator on B across the take-over");
    // A move already played is answered as before, once.
    const retry = await call(black, "move", { game: id, uci: "b8c6", ply: 3 });
    assert.equal(retry.ok, true);
    assert.equal(retry.game.v, after.v);
    assert.ok(tookMs < OWNER_TTL_MS + 3000, `take-over took ${tookMs} ms`);
  } finally {
    closeAll(...sockets);
    await b.close();
  }
});

test("a frozen bystander node does not hold up requests forwarded to the owner", async () => {
  const cluster = freshCluster(stores.pg, stores.redis);
  const extra = ["--chess-owner-ttl", String(OWNER_TTL_MS)];
  const [a, b, c] = await Promise.all([startNode(cluster, extra), startNode(cluster, extra), startNode(cluster, extra)]);
  const sockets = [];
  let stopped = false;
  try {
    const white = await client(a.url);
    const black = await client(b.url);
    sockets.push(white, black);
    const created = await call(white, "create", { name: "alice", color: "white", clock: null });
    const id = created.game.id;
    assert.equal((await call(black, "join", { game: id, name: "bob" })).seat, "black");
    await move(white, id, "e2e4", 0);
    c.proc.kill("SIGSTOP");
    stopped = true;
    // B's request goes to A alone: only A answers, so C, frozen, holds nothing up (waiting for
    // every node's ack would take the adapter's 5 s request timeout).
    const t0 = Date.now();
    const moved = await move(black, id, "e7e5", 1);
    const took = Date.now() - t0;
    console.log(`# forwarded move with a frozen third node: answered in ${took} ms`);
    // Waiting for every node's ack would have outlasted the forward's own timeout (the ttl):
    // the move would be `unavailable`, not played.
    assert.deepEqual(moved.moves, ["e2e4", "e7e5"]);
  } finally {
    if (stopped) c.proc.kill("SIGCONT");
    closeAll(...sockets);
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

// A's claim lasts 9 s and B forwards for 5 s: frozen for 4.3 s, A still counts B's sockets when it
// wakes up, and reads the forwards B still waits for but sent more than 3/4 of 5 s ago: past
// their deadline, A must drop them (B answers them `unavailable` at its timeout), not play them.
const FROZEN_MS = 4300;

test("forwards to a frozen owner: past --chess-max-forwards refused at once; none applied past its deadline", async () => {
  const { a, b } = await twoNodesOf(stores.pg, stores.redis, ["--chess-owner-ttl", "9000", "--chess-max-forwards", "2"]);
  const sockets = [];
  let stopped = false;
  try {
    const white = await client(a.url);
    const black = await client(b.url);
    const [bw, bb] = [await client(b.url), await client(b.url)];
    sockets.push(white, black, bw, bb);
    const id = (await call(white, "create", { name: "alice", color: "white", clock: null })).game.id;
    assert.equal((await call(black, "join", { game: id, name: "bob" })).seat, "black");
    await move(white, id, "e2e4", 0);
    // A bystander game that B owns.
    const own = (await call(bw, "create", { name: "carol", color: "white", clock: null })).game.id;
    assert.equal((await call(bb, "join", { game: own, name: "dave" })).seat, "black");

    a.proc.kill("SIGSTOP");
    stopped = true;
    const order = [];
    const sent = [0, 1, 2].map((n) =>
      black.timeout(20_000).emitWithAck("move", { game: id, uci: "e7e5", ply: 1 }).then((ack) => {
        order.push(n);
        return ack;
      }));
    // The third finds two forwards waiting: refused at once, before the others end.
    const third = await sent[2];
    assert.equal(third.ok, false);
    assert.equal(third.error.code, "unavailable");
    assert.deepEqual(order, [2]);
    // B's own games go on meanwhile.
    assert.equal((await move(bw, own, "d2d4", 0)).moves.length, 1);
    assert.deepEqual(order, [2], "the bystander was answered while the forwards still waited");
    await new Promise((r) => setTimeout(r, FROZEN_MS)); // the fault: how long A stays frozen
    a.proc.kill("SIGCONT");
    stopped = false;
    for (const ack of await Promise.all(sent.slice(0, 2))) {
      assert.equal(ack.ok, false, JSON.stringify(ack));
      assert.equal(ack.error.code, "unavailable");
    }
    // Nothing of them was played: Black's next move is played on the position without e7e5.
    const next = await call(black, "move", { game: id, uci: "d7d5", ply: 1 });
    assert.equal(next.ok, true, JSON.stringify(next));
    assert.deepEqual(next.game.moves, ["e2e4", "d7d5"]);
  } finally {
    if (stopped) a.proc.kill("SIGCONT");
    closeAll(...sockets);
    await Promise.all([a.close(), b.close()]);
  }
});
