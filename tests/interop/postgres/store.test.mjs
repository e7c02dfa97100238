// The PostgreSQL store (`kibitz --postgres URL`) against a real PostgreSQL 15 started here: the
// chat and chess keep their contracts there; two nodes started at the same moment on an empty
// database create the tables once; the same client message id sent through another node is
// stored once; and while PostgreSQL is down, a message is answered `unavailable` within 10 s,
// nothing unacked is delivered, and the node reconnects by itself once it is back.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { io } from "socket.io-client";
import { startPostgres } from "../lib/postgres.mjs";
import { binDir, startServer, withTimeout } from "../lib/server.mjs";
import { tempData, joined, call, closeAll, connectChat } from "../chat/chat.mjs";

let pg;
let n = 0;

before(async () => {
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
});

// A fresh database and a node (or several) on it.
function freshDatabase() {
  const name = `kibitz_${process.pid}_${++n}`;
  pg.createDatabase(name);
  return pg.url(name);
}

async function node(url, extra = []) {
  const data = tempData(); // --data stays a node's own folder; the store is PostgreSQL
  const server = await startServer("kibitz", ["--data", data.dir, "--postgres", url, "--log-level", "error", ...extra]);
  return {
    ...server,
    async close() {
      const { code, signal } = await server.stop();
      data.cleanup();
      if (code !== 0) throw new Error(`kibitz exited with ${code ?? signal}\n${server.stderr()}`);
    },
  };
}

test("chat on PostgreSQL: messages, edits, private history and identities survive a restart", async () => {
  const url = freshDatabase();
  let a = await node(url);
  const alice = await joined(a.url, "alice", "pg");
  const bob = await joined(a.url, "bob", "pg");
  const hello = await call(alice.socket, "message", { room: "pg", text: "hello @bob", id: "c1" });
  assert.equal(hello.ok, true, JSON.stringify(hello));
  assert.deepEqual(hello.message.mentions, ["bob"]);
  assert.equal((await call(alice.socket, "message", { room: "pg", text: "@bob secret" })).ok, true);
  const edited = await call(alice.socket, "edit", { id: hello.message.id, text: "hello all" });
  assert.equal(edited.ok, true);
  const typo = await call(bob.socket, "message", { room: "pg", text: "tpyo" });
  assert.deepEqual(await call(bob.socket, "delete", { id: typo.message.id }), { ok: true });
  const token = alice.ack.token;
  closeAll(alice.socket, bob.socket);
  await a.close();

  a = await node(url);
  try {
    const back = await connectChat(a.url);
    const ack = await call(back, "join", { name: "alice", room: "pg", token });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    const h = ack.history;
    assert.deepEqual(h.map((m) => m.text ?? null), ["hello all", "secret", null]);
    assert.equal(h[0].edited, edited.message.edited);
    assert.deepEqual(h[2], { id: typo.message.id, room: "pg", from: "bob", ts: typo.message.ts, deleted: true });
    // A resend of c1 is found, not stored again.
    const again = await call(back, "message", { room: "pg", text: "hello @bob", id: "c1" });
    assert.equal(again.message.id, hello.message.id);
    // A newcomer does not see the private message.
    const eve = await joined(a.url, "eve", "pg");
    assert.ok(!eve.ack.history.some((m) => m.text === "secret"));
    closeAll(back, eve.socket);
  } finally {
    await a.close();
  }
});

test("two nodes started together migrate once; one client id through both nodes is stored once", async () => {
  const url = freshDatabase();
  const [a, b] = await Promise.all([node(url), node(url)]);
  try {
    // One row, at the latest version (3 and counting).
    const [rows, version] = pg.psql(url.split("/").pop(), "SELECT count(*) || ':' || max(version) FROM schema_version").split(":");
    assert.equal(rows, "1");
    assert.ok(Number(version) >= 3, version);
    const onA = await joined(a.url, "alice", "both");
    const res1 = await call(onA.socket, "message", { room: "both", text: "once", id: "same-id" });
    assert.equal(res1.ok, true);
    // The same identity (its token) on the other node, resending the same client id.
    const onB = await connectChat(b.url);
    const ack = await call(onB, "join", { name: "alice", room: "both", token: onA.ack.token });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    const res2 = await call(onB, "message", { room: "both", text: "once", id: "same-id" });
    assert.equal(res2.ok, true);
    assert.equal(res2.message.id, res1.message.id);
    const h = await call(onB, "history", { room: "both" });
    assert.equal(h.messages.filter((m) => m.text === "once").length, 1);
    closeAll(onA.socket, onB);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("chess on PostgreSQL: a game and its seats survive a restart", async () => {
  const url = freshDatabase();
  let a = await node(url);
  const chess = (u) => io(u + "/chess", { forceNew: true, reconnection: false, transports: ["websocket"] });
  const white = chess(a.url);
  const black = chess(a.url);
  const created = await white.timeout(5000).emitWithAck("create", { name: "ann", color: "white", clock: null });
  assert.equal(created.ok, true, JSON.stringify(created));
  const id = created.game.id;
  const joinedGame = await black.timeout(5000).emitWithAck("join", { game: id, name: "bo" });
  assert.equal(joinedGame.seat, "black");
  const moved = await white.timeout(5000).emitWithAck("move", { game: id, uci: "e2e4", ply: 0 });
  assert.equal(moved.ok, true, JSON.stringify(moved));
  white.disconnect();
  black.disconnect();
  await a.close();
  a = await node(url);
  try {
    const again = chess(a.url);
    const back = await again.timeout(5000).emitWithAck("join", { game: id, name: "ann", token: created.token });
    assert.equal(back.ok, true, JSON.stringify(back));
    assert.equal(back.seat, "white");
    assert.deepEqual(back.game.moves, ["e2e4"]);
    assert.ok(back.game.v >= moved.game.v);
    again.disconnect();
  } finally {
    await a.close();
  }
});

test("chess on PostgreSQL: a takeback survives a restart; finished games are listed and paged", async () => {
  const url = freshDatabase();
  let a = await node(url);
  const chess = (u) => io(u + "/chess", { forceNew: true, reconnection: false, transports: ["websocket"] });
  const ask = (s, event, payload) => s.timeout(5000).emitWithAck(event, payload);
  const ids = [];
  let kept;
  try {
    for (let i = 0; i < 3; i++) {
      const white = chess(a.url);
      const black = chess(a.url);
      const created = await ask(white, "create", { name: "ann", color: "white", clock: { initial_ms: 60000, increment_ms: 1000 } });
      const id = created.game.id;
      await ask(black, "join", { game: id, name: "bo" });
      await ask(white, "move", { game: id, uci: "e2e4", ply: 0 });
      await ask(black, "move", { game: id, uci: "e7e5", ply: 1 });
      await ask(white, "move", { game: id, uci: "g1f3", ply: 2 });
      const offered = await ask(white, "takeback", { game: id, action: "offer" });
      assert.equal(offered.game.takeback, "white", JSON.stringify(offered));
      if (i < 2) {
        const back = await ask(black, "takeback", { game: id, action: "accept" });
        assert.deepEqual(back.game.moves, ["e2e4", "e7e5"]);
        await ask(black, "resign", { game: id });
        ids.unshift(id);
      } else {
        kept = { id, token: created.token, black: black };
      }
      white.disconnect();
      if (i < 2) black.disconnect();
    }
    kept.black.disconnect();
  } finally {
    await a.close();
  }
  a = await node(url);
  try {
    const again = chess(a.url);
    const back = await ask(again, "join", { game: kept.id, name: "ann", token: kept.token });
    assert.equal(back.game.takeback, "white", "the offer survived the restart");
    const page1 = await (await fetch(`${a.url}/chess/games.json?limit=1`)).json();
    assert.deepEqual(page1.games.map((g) => g.id), [ids[0]]);
    const page2 = await (await fetch(`${a.url}/chess/games.json?limit=1&before=${page1.next}`)).json();
    assert.deepEqual(page2.games.map((g) => g.id), [ids[1]]);
    assert.equal(page2.games[0].time_control, "60+1");
    const page3 = await (await fetch(`${a.url}/chess/games.json?limit=1&before=${page2.next}`)).json();
    assert.deepEqual(page3, { games: [], next: null });
    again.disconnect();
  } finally {
    await a.close();
  }
});

test("PostgreSQL down: `unavailable` within 10 s and nothing delivered; back by itself", async () => {
  const url = freshDatabase();
  const a = await node(url);
  try {
    const alice = await joined(a.url, "alice", "down");
    const bob = await joined(a.url, "bob", "down");
    assert.equal((await call(alice.socket, "message", { room: "down", text: "before" })).ok, true);
    await pg.crash();
    const started = Date.now();
    const refused = await withTimeout(call(alice.socket, "message", { room: "down", text: "during" }), 12_000, "an answer while down");
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, "unavailable");
    const refusedAfter = Date.now() - started;
    assert.ok(refusedAfter < 10_000, `answered after ${refusedAfter} ms`);
    await pg.start();
    const upAt = Date.now();
    // Back within 15 s, without restarting the node (each try is answered, ok or unavailable).
    const deadline = Date.now() + 15_000;
    let ack;
    for (;;) {
      ack = await call(alice.socket, "message", { room: "down", text: "after", id: "after-1" });
      if (ack.ok || Date.now() > deadline) break;
      assert.equal(ack.error.code, "unavailable");
      await new Promise((r) => setTimeout(r, 200)); // between retries, as a client backs off
    }
    assert.equal(ack.ok, true, `still ${JSON.stringify(ack)} after 15 s`);
    console.log(`# postgres: unavailable answered in ${refusedAfter} ms; ok again ${Date.now() - upAt} ms after the restart`);
    await bob.rec.find("message", (m) => m.text === "after");
    assert.equal(bob.rec.messages("during").length, 0);
    const h = await call(bob.socket, "history", { room: "down" });
    assert.deepEqual(h.messages.map((m) => m.text), ["before", "after"]);
    closeAll(alice.socket, bob.socket);
  } finally {
    await a.close();
  }
});

test("a migration that stalls part-way ends at the statement deadline, not never", async () => {
  const url = freshDatabase();
  const db = url.split("/").pop();
  // Another session creates `games` and does not commit: the migration's first statements run,
  // then its CREATE TABLE games waits for that transaction.
  const holder = spawn("psql", ["-h", "127.0.0.1", "-p", String(pg.port), "-U", "kibitz", "-d", db, "-At"], { stdio: ["pipe", "pipe", "pipe"] });
  holder.stdout.setEncoding("utf8");
  let out = "";
  const created = new Promise((resolve) => holder.stdout.on("data", (d) => (out += d).includes("CREATE TABLE") && resolve()));
  holder.stdin.write("BEGIN;\nCREATE TABLE games (x integer);\n");
  await withTimeout(created, 10_000, "the holder's CREATE TABLE");
  const data = tempData();
  try {
    const started = Date.now();
    const node = spawn(path.join(binDir(), "kibitz"), ["--port", "0", "--data", data.dir, "--postgres", url, "--log-level", "error"], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    node.stderr.setEncoding("utf8");
    node.stderr.on("data", (d) => (err += d));
    const code = await withTimeout(new Promise((resolve) => node.once("exit", resolve)), 20_000, "kibitz to give up on the stalled migration");
    const took = Date.now() - started;
    assert.notEqual(code, 0);
    assert.match(err, /did not answer in time/);
    assert.ok(took < 15_000, `gave up after ${took} ms`);
    console.log(`# postgres: a stalled migration gave up after ${took} ms`);
  } finally {
    holder.stdin.end("ROLLBACK;\n");
    await new Promise((resolve) => holder.once("exit", resolve));
    data.cleanup();
  }
  // With the other transaction gone, the node migrates and serves.
  const a = await node(url);
  try {
    const alice = await joined(a.url, "alice", "after-stall");
    assert.equal((await call(alice.socket, "message", { room: "after-stall", text: "hi" })).ok, true);
    closeAll(alice.socket);
  } finally {
    await a.close();
  }
});

test("unused chat identities are pruned on PostgreSQL too", async () => {
  const url = freshDatabase();
  const a = await node(url, ["--chat-prune-every", "2", "--chat-identity-ttl", "0"]);
  try {
    const talker = await joined(a.url, "talker", "prune");
    assert.equal((await call(talker.socket, "message", { room: "prune", text: "kept" })).ok, true);
    talker.socket.disconnect();
    const silent = await joined(a.url, "silent", "prune"); // the second: prunes (talker has a message)
    assert.equal((await call(silent.socket, "message", { room: "prune", text: "@nobody x" })).error.code, "unknown_recipient");
    const silentToken = silent.ack.token;
    silent.socket.disconnect();
    // Two more new identities: the second prunes `silent` (gone, no message names it).
    const c = await joined(a.url, "c1", "prune");
    const d = await joined(a.url, "c2", "prune");
    assert.equal((await call(d.socket, "message", { room: "prune", text: "after" })).ok, true);
    const back = await joined(a.url, "silent", "prune", { token: silentToken });
    assert.notEqual(back.ack.token, silentToken);
    const talkerBack = await joined(a.url, "talker", "prune", { token: talker.ack.token });
    assert.equal(talkerBack.ack.token, talker.ack.token);
    assert.equal(pg.psql(url.split("/").pop(), "SELECT count(*) FROM identities WHERE name_key = 'silent'"), "1");
    closeAll(c.socket, d.socket, back.socket, talkerBack.socket);
  } finally {
    await a.close();
  }
});
