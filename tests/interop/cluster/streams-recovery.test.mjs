// Connection state recovery across nodes with the streams protocol (docs/cluster.md): a client
// with recovery connects through a small TCP proxy (the load balancer) to node A; A is stopped
// (SIGTERM) or the client's transport is closed; while it is away the cluster broadcasts, some
// of it for the client and some not; then the proxy sends it to node B, and it gets
// `recovered: true`, its rooms back and exactly the packets meant for it, in order, once.
// Kibitz -> Kibitz, Kibitz -> Node and Node -> Kibitz, with Node's redis-streams-adapter 0.3.1.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startRedis } from "./lib/redis.mjs";
import { startProxy } from "./lib/proxy.mjs";
import { startKibitz, startNode, control, recordingClient } from "./lib/nodes.mjs";
import { waitFor } from "../lib/eio.mjs";
import { connected } from "../lib/sio.mjs";

const RECOVERY_MS = 60_000;
let redis;
const nodes = {};
const watchers = {};

before(async () => {
  redis = await startRedis();
  const flags = ["--redis-protocol", "streams", "--recovery-ms", String(RECOVERY_MS)];
  [nodes.K1, nodes.K2, nodes.K3, nodes.N1] = await Promise.all([
    startKibitz(redis.url, flags),
    startKibitz(redis.url, flags),
    startKibitz(redis.url, flags),
    startNode(redis.url, { protocol: "streams", recoveryMs: RECOVERY_MS }),
  ]);
  for (const [name, node] of Object.entries(nodes)) {
    watchers[name] = await recordingClient(node);
    await control(watchers[name].socket, { op: "join", room: "rr" });
  }
  await waitFor(async () => (await control(watchers.K2.socket, { op: "serverCount" })).count === 4, {
    what: "4 servers",
  });
});

after(async () => {
  for (const w of Object.values(watchers)) w.socket.disconnect();
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
  await redis?.stop();
});

let seq = 0;

// Emits from `from`'s watcher and waits until `seenBy`'s watcher has it: the entries of several
// senders are then in the stream in this order.
async function emitFrom(from, cmd, seenBy = from) {
  const event = cmd.event;
  await control(watchers[from].socket, { op: "emit", ...cmd });
  if (!seenBy) return;
  await waitFor(() => watchers[seenBy].count(event) >= 1, { what: `${event} on ${seenBy}` });
}

// One case: the client starts on `first`, leaves by `how` ("sigterm" or "drop"), and comes back
// on `second` while `senders` broadcast.
async function recoveryCase(first, second, how, senders) {
  const tag = `c${++seq}`;
  const proxy = await startProxy();
  proxy.to(nodes[first].port);
  const socket = io(proxy.url, {
    forceNew: true,
    transports: ["websocket"],
    reconnectionDelay: 20,
    reconnectionDelayMax: 50,
  });
  const got = [];
  socket.onAny((event, ...args) => got.push([event, ...args]));
  try {
    await connected(socket);
    assert.equal(socket.recovered, false);
    await control(socket, { op: "join", room: "rr" });
    // One broadcast for the client to have an offset.
    await emitFrom(second, { event: `${tag}-warm`, args: [] }, null);
    await waitFor(() => got.some((g) => g[0] === `${tag}-warm`), { what: "the warm-up broadcast" });
    const firstId = socket.id;
    proxy.hold();
    proxy.to(nodes[second].port);
    const gone = new Promise((r) => socket.once("disconnect", r));
    if (how === "sigterm") await nodes[first].stop();
    else proxy.drop();
    await gone;
    // Away: for it (all, its room), and not for it (another room, except its room).
    const [s1, s2] = senders;
    await emitFrom(s1, { event: `${tag}-m1`, args: [1] }, second);
    await emitFrom(s2, { event: `${tag}-m2`, rooms: ["rr"], args: [2] }, second);
    await emitFrom(s1, { event: `${tag}-no1`, rooms: ["elsewhere"] }, null);
    await emitFrom(s2, { event: `${tag}-no2`, except: ["rr"] }, null);
    await emitFrom(s1, { event: `${tag}-m3`, rooms: ["rr"], args: [{ three: 3 }] }, second);
    await emitFrom(s2, { event: `${tag}-volatile`, volatile: true, rooms: ["rr"] }, second);
    const back = new Promise((r) => socket.once("connect", r));
    proxy.release();
    await back;
    assert.equal(socket.recovered, true, "recovered");
    assert.equal(socket.id, firstId, "the same id");
    // Its rooms are back: a broadcast to rr after the recovery reaches it once, after the rest.
    await emitFrom(s2, { event: `${tag}-after`, rooms: ["rr"] }, second);
    await waitFor(() => got.some((g) => g[0] === `${tag}-after`), { what: "the live broadcast to rr" });
    const names = got.map((g) => g[0]).filter((e) => e.startsWith(tag) && e !== `${tag}-warm`);
    // Node's restore replays volatile broadcasts too; Kibitz's leaves them out.
    const volatile = second.startsWith("N") ? [`${tag}-volatile`] : [];
    assert.deepEqual(names, [`${tag}-m1`, `${tag}-m2`, `${tag}-m3`, ...volatile, `${tag}-after`]);
    const args = (e) => got.find((g) => g[0] === e).slice(1);
    assert.equal(args(`${tag}-m1`)[0], 1);
    assert.deepEqual(args(`${tag}-m3`)[0], { three: 3 });
    // The offset (a stream id) is the last argument of each recovered packet.
    assert.match(args(`${tag}-m2`).at(-1), /^\d+-\d+$/);
  } finally {
    socket.disconnect();
    await proxy.close();
  }
}

test("Kibitz -> Kibitz: SIGTERM on the first node, recovered on the second", async () => {
  await recoveryCase("K1", "K2", "sigterm", ["K2", "N1"]);
  assert.equal((await control(watchers.K2.socket, { op: "stats" })).connected, true);
});

test("Kibitz -> Node: the transport closed, recovered on a Node node", async () => {
  await recoveryCase("K2", "N1", "drop", ["K2", "N1"]);
});

test("Kibitz -> Kibitz: the transport closed, recovered on another Kibitz node", async () => {
  await recoveryCase("K3", "K2", "drop", ["N1", "K3"]);
});

test("Redis restarted empty: every node reads the stream again, both ways", async () => {
  await redis.restart();
  let n = 0;
  for (const [from, to] of [["K2", "N1"], ["N1", "K3"], ["K3", "K2"]]) {
    const event = `restart-${from}-${to}`;
    await waitFor(
      async () => {
        await control(watchers[from].socket, { op: "emit", event, args: [++n] }).catch(() => {});
        return watchers[to].count(event) >= 1;
      },
      { timeoutMs: 15_000, everyMs: 200, what: `${from} -> ${to} through the new Redis` },
    );
  }
});

test("Node -> Kibitz: SIGTERM on the Node node, recovered on Kibitz", async () => {
  await recoveryCase("N1", "K2", "sigterm", ["K3", "K2"]);
});
