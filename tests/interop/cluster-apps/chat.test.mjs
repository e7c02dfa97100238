// /chat across two kibitz nodes on one Redis and one PostgreSQL 15 (issue 12, docs/cluster.md
// "The chat across nodes"): names unique across nodes, presence lists across nodes, public and
// private messages delivered once to exactly the right sockets, unknown_recipient, history equal
// from both nodes, a token take-over across nodes, a SIGKILLed node's users leaving within the
// bound, Redis SIGKILLed and restarted empty, PostgreSQL killed under chat load, the sharded
// protocol, bad flags (/chess across nodes: chess.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { binDir, withTimeout } from "../lib/server.mjs";
import { joined, call, closeAll, connectChat, Events, tempData } from "../chat/chat.mjs";
import { freshCluster, startNode, eventually, withStores } from "./lib.mjs";

const stores = withStores();

// Runs `body({a, b, all})` on two fresh nodes with `extra` flags each; then closes the sockets of
// the participants it pushed to `all` and both nodes.
async function onTwoNodes(extra, body) {
  const cluster = freshCluster(stores.pg, stores.redis);
  const [a, b] = await Promise.all([startNode(cluster, extra), startNode(cluster, extra)]);
  const all = [];
  try {
    await body({ a, b, all });
  } finally {
    closeAll(...all.map((p) => p.socket));
    await Promise.all([a.close(), b.close()]);
  }
}

const lastUsers = (rec, room) => rec.of("users").filter((u) => u.room === room).at(-1)?.users;
const usersAre = (rec, room, names) =>
  rec.until("users", (l) => JSON.stringify(l.filter((u) => u.room === room).at(-1)?.users) === JSON.stringify(names),
    5000, `users of ${room} = ${names}`);

// Retries a join while the answer is name_taken (the previous holder's name not yet free).
async function joinWhenFree(url, name, room, capMs) {
  let last;
  await eventually(async () => {
    const socket = await connectChat(url);
    const rec = new Events(socket);
    last = await call(socket, "join", { name, room });
    if (last.ok) {
      last = { socket, rec, ack: last };
      return true;
    }
    socket.disconnect();
    assert.equal(last.error.code, "name_taken");
    return false;
  }, capMs, `${name} free again`, 200);
  return last;
}

test("names, presence, delivery and history across two nodes", async () => {
  await onTwoNodes([], async ({ a, b, all }) => {
  const alice = await joined(a.url, "alice", "r");
  const bob = await joined(b.url, "bob", "r");
  const dave = await joined(a.url, "dave", "r");
  const eve = await joined(b.url, "eve", "r");
  const frank = await joined(b.url, "frank", "other");
  all.push(alice, bob, dave, eve, frank);
  // A name held on one node is taken on the other, in any case.
  for (const name of ["alice", "ALICE", "Bob"]) {
    const s = await connectChat(name === "alice" ? b.url : a.url);
    const ack = await call(s, "join", { name, room: "r" });
    assert.equal(ack.ok, false, name);
    assert.equal(ack.error.code, "name_taken");
    s.disconnect();
  }
  // Every node lists everyone, both in the join answer and in `users`.
  assert.deepEqual(eve.ack.users, ["alice", "bob", "dave", "eve"]);
  for (const p of [alice, bob, dave, eve]) await usersAre(p.rec, "r", ["alice", "bob", "dave", "eve"]);
  await alice.rec.find("user joined", (e) => e.name === "eve" && e.room === "r");
  // Each node hears from the other: one peer, its users (GET /metrics).
  const metrics = await (await fetch(`${a.url}/metrics`)).text();
  assert.match(metrics, /^kibitz_chat_cluster_peers 1$/m);
  assert.match(metrics, /^kibitz_chat_cluster_remote_users 3$/m);
  assert.equal(lastUsers(frank.rec, "other").join(), "frank");

  // Public: each socket of the room, on both nodes, once.
  const pub = await call(alice.socket, "message", { room: "r", text: "hello all", id: "p1" });
  assert.equal(pub.ok, true);
  for (const p of [alice, bob, dave, eve]) await p.rec.find("message", (m) => m.text === "hello all");
  // Private both ways across nodes: the two of them, nobody else.
  const priv1 = await call(alice.socket, "message", { room: "r", text: "for bob", to: "bob" });
  const priv2 = await call(bob.socket, "message", { room: "r", text: "@dave for dave" });
  assert.equal(priv1.ok, true);
  assert.equal(priv2.ok, true);
  await bob.rec.find("message", (m) => m.text === "for bob");
  await dave.rec.find("message", (m) => m.text === "for dave");
  // Drain: one more public message seen by all after the private ones.
  await call(eve.socket, "message", { room: "r", text: "fence" });
  for (const p of [alice, bob, dave, eve]) await p.rec.find("message", (m) => m.text === "fence");
  const seen = (p, text) => p.rec.messages(text).length;
  assert.deepEqual([alice, bob, dave, eve, frank].map((p) => seen(p, "hello all")), [1, 1, 1, 1, 0]);
  assert.deepEqual([alice, bob, dave, eve, frank].map((p) => seen(p, "for bob")), [1, 1, 0, 0, 0]);
  assert.deepEqual([alice, bob, dave, eve, frank].map((p) => seen(p, "for dave")), [0, 1, 1, 0, 0]);
  // Nobody by that name in this room, on any node.
  for (const to of ["frank", "zed"]) {
    const ack = await call(alice.socket, "message", { room: "r", text: "hi", to });
    assert.equal(ack.error?.code, "unknown_recipient", to);
  }
  // The same history from both nodes (dave on A, eve on B see the same public messages).
  const hd = await call(dave.socket, "history", { room: "r" });
  const he = await call(eve.socket, "history", { room: "r" });
  assert.deepEqual(hd.messages.filter((m) => !m.to).map((m) => m.id), he.messages.filter((m) => !m.to).map((m) => m.id));
  assert.deepEqual(he.messages.map((m) => m.text), ["hello all", "fence"]);
  // A resend of the same client id through the same name: stored and delivered once.
  const again = await call(alice.socket, "message", { room: "r", text: "hello all", id: "p1" });
  assert.equal(again.message.id, pub.message.id);
  // Leaving on one node updates the other's lists.
  assert.equal((await call(bob.socket, "leave", { room: "r" })).ok, true);
  await alice.rec.find("user left", (e) => e.name === "bob");
  await usersAre(dave.rec, "r", ["alice", "dave", "eve"]);
  // And the name is free again once its socket is gone.
  bob.socket.disconnect();
  const bob2 = await joinWhenFree(a.url, "bob", "r", 5000);
  all.push(bob2);
  await usersAre(eve.rec, "r", ["alice", "bob", "dave", "eve"]);
  });
});

test("a token takes a name over from the other node; the old socket leaves /chat within 5 s", async () => {
  await onTwoNodes([], async ({ a, b, all }) => {
  const alice = await joined(a.url, "alice", "r");
  const watcher = await joined(a.url, "watcher", "r");
  const far = await joined(b.url, "far", "r");
  all.push(alice, watcher, far);
  await usersAre(far.rec, "r", ["alice", "far", "watcher"]);
  const seenBefore = { watcher: watcher.rec.of("users").length, far: far.rec.of("users").length };
  const gone = new Promise((resolve) => alice.socket.once("disconnect", resolve));
  const started = Date.now();
  const socket = await connectChat(b.url);
  const rec = new Events(socket);
  all.push({ socket });
  const ack = await call(socket, "join", { name: "alice", room: "r", token: alice.ack.token });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  assert.equal(ack.token, alice.ack.token);
  await withTimeout(gone, 5000, "the old socket disconnected");
  console.log(`# take-over across nodes: old socket gone after ${Date.now() - started} ms`);
  // Still one alice in every list; the room saw no one leave or join.
  const m = await call(socket, "message", { room: "r", text: "moved", id: "m1" });
  assert.equal(m.ok, true);
  await watcher.rec.find("message", (x) => x.text === "moved");
  await far.rec.find("message", (x) => x.text === "moved");
  await usersAre(watcher.rec, "r", ["alice", "far", "watcher"]);
  // No list on either node went out without alice in between.
  for (const [p, from] of [[watcher, seenBefore.watcher], [far, seenBefore.far], [{ rec }, 0]])
    for (const u of p.rec.of("users").slice(from).filter((x) => x.room === "r"))
      assert.ok(u.users.includes("alice"), JSON.stringify(u));
  assert.equal(watcher.rec.of("user left").filter((e) => e.name === "alice").length, 0);
  assert.equal(far.rec.of("user joined").filter((e) => e.name === "alice").length, 0);
  // The new holder gets private messages on its node; the old socket got nothing more.
  await call(watcher.socket, "message", { room: "r", text: "to new alice", to: "alice" });
  await rec.find("message", (x) => x.text === "to new alice");
  assert.equal(alice.rec.messages("to new alice").length, 0);
  // The same client id resent through the other node is stored once.
  const h = await call(far.socket, "history", { room: "r" });
  assert.deepEqual(h.messages.map((x) => x.text), ["moved"]);
  });
});

test("flood control holds per name across nodes (a sliding window on Redis's clock)", async () => {
  await onTwoNodes(["--chat-messages-per-window", "3", "--chat-window", "60000"], async ({ a, b, all }) => {
  const alice = await joined(a.url, "alice", "r");
  const bystander = await joined(b.url, "bystander", "r");
  all.push(alice, bystander);
  for (let i = 0; i < 3; i++)
    assert.equal((await call(alice.socket, "message", { room: "r", text: `m${i}` })).ok, true);
  // The name moves to the other node: its window goes with it.
  const moved = await connectChat(b.url);
  all.push({ socket: moved });
  assert.equal((await call(moved, "join", { name: "alice", room: "r", token: alice.ack.token })).ok, true);
  const refused = await call(moved, "message", { room: "r", text: "one too many" });
  assert.equal(refused.error?.code, "rate_limited");
  assert.ok(refused.error.retry_after_ms > 50_000 && refused.error.retry_after_ms <= 60_000, JSON.stringify(refused));
  // A resend of a stored message is not counted; other names are not limited.
  assert.equal((await call(bystander.socket, "message", { room: "r", text: "bystander ok" })).ok, true);
  await bystander.rec.find("message", (m) => m.text === "bystander ok");
  assert.equal(bystander.rec.messages("one too many").length, 0);
  });
});

test("a SIGKILLed node: its users leave the other node's lists and their names are free within the bound", async () => {
  const ttl = 2000;
  await onTwoNodes(["--chat-heartbeat", "500", "--chat-presence-ttl", String(ttl)], async ({ a, b, all }) => {
  const alice = await joined(a.url, "alice", "r");
  const bob = await joined(b.url, "bob", "r");
  all.push(alice, bob);
  await usersAre(alice.rec, "r", ["alice", "bob"]);
  const killedAt = Date.now();
  await b.kill();
  await alice.rec.find("user left", (e) => e.name === "bob", ttl + 3000);
  const leftAfter = Date.now() - killedAt;
  await usersAre(alice.rec, "r", ["alice"]);
  const bob2 = await joinWhenFree(a.url, "bob", "r", ttl + 3000);
  all.push(bob2);
  const freeAfter = Date.now() - killedAt;
  console.log(`# node SIGKILL: user left after ${leftAfter} ms, name free after ${freeAfter} ms (ttl ${ttl} ms)`);
  assert.ok(leftAfter <= ttl + 1500, `left after ${leftAfter} ms`);
  // The survivor goes on.
  await call(bob2.socket, "message", { room: "r", text: "still here" });
  await alice.rec.find("message", (m) => m.text === "still here");
  });
});

test("Redis SIGKILLed and restarted empty: presence and delivery back within 10 s, no client dropped", async () => {
  await onTwoNodes([], async ({ a, b, all }) => { // the default heartbeat (5 s) and ttl (15 s)
  const alice = await joined(a.url, "alice", "r");
  const bob = await joined(b.url, "bob", "r");
  all.push(alice, bob);
  await usersAre(alice.rec, "r", ["alice", "bob"]);
  let dropped = 0;
  for (const p of all) p.socket.on("disconnect", () => dropped++);
  await stores.redis.kill();
  // Local delivery goes on during the outage; a new name cannot be checked.
  assert.equal((await call(alice.socket, "message", { room: "r", text: "during" })).ok, true);
  await alice.rec.find("message", (m) => m.text === "during");
  const s = await connectChat(a.url);
  const refused = await call(s, "join", { name: "carol", room: "r" });
  s.disconnect();
  assert.equal(refused.error?.code, "unavailable");
  await stores.redis.restart();
  const upAt = Date.now();
  // Cross-node delivery: alice's messages reach bob again.
  let n = 0;
  await eventually(async () => {
    await call(alice.socket, "message", { room: "r", text: `after ${++n}` });
    return bob.rec.of("message").some((m) => m.text.startsWith("after "));
  }, 10_000, "cross-node delivery after the restart", 200);
  const deliveryAfter = Date.now() - upAt;
  // Names are claimed again: alice is taken on the other node; a new name joins and is listed.
  await eventually(async () => {
    const t = await connectChat(b.url);
    const ack = await call(t, "join", { name: "alice", room: "r" });
    t.disconnect();
    return ack.error?.code === "name_taken";
  }, 10_000, "alice claimed again", 200);
  const carol = await joinWhenFree(b.url, "carol", "r", 10_000);
  all.push(carol);
  await usersAre(alice.rec, "r", ["alice", "bob", "carol"]);
  console.log(`# Redis restart: cross-node delivery back ${deliveryAfter} ms, presence ${Date.now() - upAt} ms after it answered`);
  assert.ok(Date.now() - upAt < 10_000);
  assert.equal(dropped, 0);
  });
});

test("PostgreSQL killed under chat load: unavailable, no acked message lost, back after the restart", async () => {
  await onTwoNodes(["--chat-messages-per-window", "0"], async ({ a, b, all }) => {
  const alice = await joined(a.url, "alice", "load");
  const bob = await joined(b.url, "bob", "load");
  all.push(alice, bob);
  const acked = new Set();
  let unavailable = 0;
  let stop = false;
  let n = 0;
  const sender = async (p) => {
    while (!stop) {
      const text = `${p === alice ? "a" : "b"}-${++n}`;
      const ack = await call(p.socket, "message", { room: "load", text, id: text });
      if (ack.ok) acked.add(text);
      else {
        assert.equal(ack.error.code, "unavailable");
        unavailable++;
        await new Promise((r) => setTimeout(r, 100)); // a client backing off between retries
      }
    }
  };
  const load = [sender(alice), sender(bob)];
  await eventually(() => acked.size >= 10, 5000, "some messages acked");
  await stores.pg.crash();
  const crashedAt = Date.now();
  await eventually(() => unavailable >= 2, 12_000, "unavailable while PostgreSQL is down");
  const refusedAfter = Date.now() - crashedAt;
  const before = acked.size;
  await stores.pg.start();
  const upAt = Date.now();
  await eventually(() => acked.size > before + 4, 15_000, "ok acks again");
  const backAfter = Date.now() - upAt;
  stop = true;
  await Promise.all(load);
  console.log(`# PostgreSQL kill: unavailable after ${refusedAfter} ms, ok again ${backAfter} ms after the restart; ${acked.size} acked, ${unavailable} refused`);
  // Every acked message is stored, once, and the same from both nodes.
  const read = async (p) => {
    const texts = [];
    let beforeId;
    for (;;) {
      const h = await call(p.socket, "history", { room: "load", limit: 100, ...(beforeId ? { before: beforeId } : {}) });
      texts.push(...h.messages.map((m) => m.text));
      if (h.messages.length < 100) return texts;
      beforeId = h.messages[0].id;
    }
  };
  const [fromA, fromB] = await Promise.all([read(alice), read(bob)]);
  assert.deepEqual(fromA.slice().sort(), fromB.slice().sort());
  for (const text of acked) assert.ok(fromA.includes(text), `acked ${text} lost`);
  assert.equal(new Set(fromA).size, fromA.length);
  // Nothing that was refused was delivered: every delivered message is a stored one.
  for (const m of bob.rec.of("message")) assert.ok(fromA.includes(m.text), `${m.text} delivered, not stored`);
  });
});

test("the same across nodes on the sharded protocol (SPUBLISH)", async () => {
  await onTwoNodes(["--redis-protocol", "sharded"], async ({ a, b, all }) => {
  const alice = await joined(a.url, "alice", "r");
  const bob = await joined(b.url, "bob", "r");
  const carol = await joined(b.url, "carol", "r");
  all.push(alice, bob, carol);
  assert.deepEqual(carol.ack.users, ["alice", "bob", "carol"]);
  await usersAre(alice.rec, "r", ["alice", "bob", "carol"]);
  const taken = await connectChat(b.url);
  all.push({ socket: taken });
  assert.equal((await call(taken, "join", { name: "Alice", room: "r" })).error?.code, "name_taken");
  await call(alice.socket, "message", { room: "r", text: "private", to: "bob" });
  await call(alice.socket, "message", { room: "r", text: "public" });
  for (const p of all.slice(0, 3)) await p.rec.find("message", (m) => m.text === "public");
  assert.deepEqual([alice, bob, carol].map((p) => p.rec.messages("private").length), [1, 1, 0]);
  assert.deepEqual([alice, bob, carol].map((p) => p.rec.messages("public").length), [1, 1, 1]);
  });
});

test("bad cluster flags are refused at start with a clear message", () => {
  const data = tempData();
  const run = (...args) =>
    spawnSync(path.join(binDir(), "kibitz"), ["--port", "0", "--data", data.dir, ...args], { encoding: "utf8", timeout: 10_000 });
  let r = run("--redis", "http://nope");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--redis wants redis:\/\//);
  r = run("--redis-protocol", "pubsub");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad value for --redis-protocol/);
  r = run("--chat-heartbeat", "5000", "--chat-presence-ttl", "6000");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--chat-presence-ttl must be at least twice --chat-heartbeat/);
  data.cleanup();
});
