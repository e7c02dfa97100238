// Faults of the cluster (docs/cluster.md): a peer that never answers requests, broadcasts with ack
// past the cap of ack collections (delivered without ack), and
// Redis SIGKILLed then restarted empty on the same port. Nodes survive, local
// delivery goes on, requests fail fast while Redis is down or end at their timeout with what
// came, pending maps are empty after, and cross-node delivery comes back by itself.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { startRedis } from "./lib/redis.mjs";
import { startKibitz, startNode, control, recordingClient } from "./lib/nodes.mjs";
import { waitFor } from "../lib/eio.mjs";
import { crosses, comesBack, watchDrop } from "./lib/delivery.mjs";

const TIMEOUT_MS = 1000;
const MAX_PENDING = 3;
const MAX_ACKS = 3;
let redis;
let A, B, N;
let a, b, n;

before(async () => {
  redis = await startRedis();
  const flags = ["--requests-timeout-ms", String(TIMEOUT_MS), "--max-pending-requests", String(MAX_PENDING),
    "--max-pending-acks", String(MAX_ACKS)];
  [A, B, N] = await Promise.all([startKibitz(redis.url, flags), startKibitz(redis.url, flags), startNode(redis.url, { timeoutMs: TIMEOUT_MS })]);
  [a, b, n] = await Promise.all([recordingClient(A), recordingClient(B), recordingClient(N)]);
  await waitFor(async () => (await control(a.socket, { op: "serverCount" })).count === 3, { what: "3 servers" });
});

after(async () => {
  for (const c of [a, b, n]) c?.socket.disconnect();
  await Promise.all([A, B, N].filter(Boolean).map((x) => x.stop()));
  await redis?.stop();
});

let seq = 0;

test("a subscriber that never answers: requests end at the timeout with the partial results", async () => {
  const silent = createClient({ url: redis.url });
  await silent.connect();
  await silent.subscribe("socket.io-request#/#", () => {});
  try {
    await waitFor(async () => (await control(a.socket, { op: "serverCount" })).count === 4, { what: "4 subscribers" });
    const t0 = Date.now();
    const f = await control(a.socket, { op: "fetchSockets" });
    const took = Date.now() - t0;
    assert.match(f.error, /timeout/);
    assert.ok(took >= TIMEOUT_MS - 50 && took < TIMEOUT_MS + 2000, `ended after ${took} ms`);
    // A's own socket, and B's and N's answers, are there.
    assert.deepEqual(f.sockets.map((s) => s.id).sort(), [a, b, n].map((c) => c.socket.id).sort());
    const s = await control(a.socket, { op: "serverSideEmit", event: "ping-srv", args: [1], ack: true });
    assert.match(s.error, /timeout/);
    assert.deepEqual(s.responses.map((x) => x.pong).sort(), ["kibitz", "node"]);
    const r = await control(a.socket, { op: "allRooms" });
    assert.match(r.error, /timeout/);
    assert.ok(r.rooms.includes(b.socket.id) && r.rooms.includes(n.socket.id));
    // The cap: MAX_PENDING requests wait; one more fails at once, with this node's part.
    const waiting = Array.from({ length: MAX_PENDING }, () => control(a.socket, { op: "allRooms" }));
    await waitFor(async () => (await control(a.socket, { op: "stats" })).pendingRequests === MAX_PENDING, {
      what: "the cap of pending requests reached",
    });
    const t1 = Date.now();
    const refused = await control(a.socket, { op: "fetchSockets" });
    assert.match(refused.error, /too many/);
    assert.ok(Date.now() - t1 < 500);
    assert.deepEqual(refused.sockets.map((x) => x.id), [a.socket.id]);
    for (const w of await Promise.all(waiting)) assert.match(w.error, /timeout/);
    // A broadcast with ack whose recipients do not all answer: the acks that came, and the
    // collection of the other nodes' answers is gone after its timeout.
    a.socket.once("ask", (q, ack) => ack("a"));
    const partial = await control(a.socket, { op: "emitWithAck", event: "ask", args: ["q"], timeout: 500 });
    assert.match(partial.error, /timed out|timeout/i);
    assert.deepEqual(partial.responses, ["a"]);
    await waitFor(async () => (await control(a.socket, { op: "stats" })).pendingAcks === 0, { what: "ack map empty" });
    // Node's requests end the same way against the silent one, and Kibitz answered them.
    const nf = await control(n.socket, { op: "fetchSockets" });
    assert.match(nf.error, /timeout/);
    // Nothing is left behind, and a bystander's traffic was never held up.
    const st = await control(a.socket, { op: "stats" });
    assert.equal(st.pendingRequests, 0);
    assert.equal(st.pendingAcks, 0);
    await crosses(a, b, 2000);
  } finally {
    await silent.quit();
  }
});

test("malformed messages on every channel are dropped and counted; nothing else breaks", async () => {
  const raw = createClient({ url: redis.url });
  await raw.connect();
  try {
    const before = (await control(a.socket, { op: "stats" })).droppedInvalid;
    const deep = Buffer.alloc(100_000, 0x91); // 100 000 nested arrays
    const bad = [Buffer.from([0xc1]), deep, Buffer.from("{\"type\":"), Buffer.from([0x82, 0xa3, 0x75])];
    // On a room only A has: a Node node drops it before decoding (a malformed broadcast it
    // decodes throws out of its subscriber callback and ends the process, seen here).
    await control(a.socket, { op: "join", room: "bad-room" });
    for (const payload of bad) {
      await raw.publish("socket.io#/#bad-room#", payload);
      await raw.publish("socket.io-request#/#", payload);
      await raw.publish(`socket.io-response#/#${(await control(a.socket, { op: "stats" })).uid}#`, payload);
    }
    await waitFor(async () => (await control(a.socket, { op: "stats" })).droppedInvalid >= before + 3 * bad.length, {
      what: "every malformed message counted",
    });
    await crosses(b, a, 2000);
    await crosses(a, n, 2000);
  } finally {
    await raw.quit();
  }
});

test("broadcasts with ack past the cap of ack collections are still delivered everywhere", async () => {
  const before = { b: b.count("slow"), n: n.count("slow") };
  // Nobody answers: MAX_ACKS collections wait for the other nodes; the rest go without ack.
  const asks = Array.from({ length: MAX_ACKS + 2 }, (_, i) =>
    control(a.socket, { op: "emitWithAck", event: "slow", args: [i], timeout: 1500 }));
  await waitFor(async () => (await control(a.socket, { op: "stats" })).pendingAcks === MAX_ACKS, {
    what: "the cap of ack collections reached",
  });
  await waitFor(() => b.count("slow") === before.b + MAX_ACKS + 2 && n.count("slow") === before.n + MAX_ACKS + 2, {
    what: "every broadcast delivered on B and on the Node peer",
  });
  assert.ok((await control(a.socket, { op: "stats" })).pendingAcks <= MAX_ACKS, "never past the cap");
  await crosses(a, b, 2000); // a bystander's broadcast is not held up
  for (const r of await Promise.all(asks)) assert.match(r.error, /timed out|timeout/i);
  await waitFor(async () => (await control(a.socket, { op: "stats" })).pendingAcks === 0, { what: "ack map empty" });
});

test("a SIGSTOPped Node peer: requests end at the timeout with the others' answers", async () => {
  N.proc.kill("SIGSTOP");
  try {
    const f = await control(a.socket, { op: "fetchSockets" });
    assert.match(f.error, /timeout/);
    assert.deepEqual(f.sockets.map((s) => s.id).sort(), [a, b].map((c) => c.socket.id).sort());
    const st = await control(a.socket, { op: "stats" });
    assert.equal(st.pendingRequests, 0);
  } finally {
    N.proc.kill("SIGCONT");
  }
  // Back: it answers again.
  await waitFor(async () => (await control(a.socket, { op: "fetchSockets" })).error === null, { what: "N answers again" });
});

test("Redis SIGKILLed and restarted: local delivery goes on, requests fail fast, cross-node comes back", async () => {
  const dropped = [a, b, n].map(watchDrop);
  await crosses(a, b, 2000);
  await redis.kill();
  // Local delivery on A does not wait for Redis.
  const marker = `local-${++seq}`;
  await control(a.socket, { op: "emit", event: "marker", args: [marker], local: true });
  await waitFor(() => (a.got.get("marker") ?? []).some((x) => x[0] === marker), { timeoutMs: 2000, what: "local marker" });
  // Requests fail at once once A knows Redis is gone.
  await waitFor(async () => !(await control(a.socket, { op: "stats" })).connected, { what: "A sees Redis down" });
  const t0 = Date.now();
  const f = await control(a.socket, { op: "fetchSockets" });
  const failFast = Date.now() - t0;
  assert.match(f.error, /not connected/);
  assert.deepEqual(f.sockets.map((s) => s.id), [a.socket.id]);
  assert.ok(failFast < 500, `failed after ${failFast} ms`);
  const s = await control(a.socket, { op: "serverSideEmit", event: "ping-srv", ack: true });
  assert.match(s.error, /not connected/);

  await redis.restart();
  const restarted = Date.now();
  // Kibitz -> Kibitz, Kibitz -> Node and Node -> Kibitz come back without restarting a node.
  const back = async (from, to) => {
    await comesBack(from, to, 10_000);
    return Date.now() - restarted;
  };
  const times = { AtoB: await back(a, b), AtoN: await back(a, n), NtoA: await back(n, a) };
  console.log(`# recovery after the Redis restart (ms): ${JSON.stringify(times)}`);
  for (const t of Object.values(times)) assert.ok(t < 10_000);
  assert.equal((await control(a.socket, { op: "serverCount" })).count, 3);
  const again = await control(a.socket, { op: "fetchSockets" });
  assert.equal(again.error, null);
  assert.equal(again.sockets.length, 3);
  // No node dropped its clients during the outage.
  assert.deepEqual(dropped.map((d) => d.gone), [false, false, false]);
});
