// The mixed cluster of one protocol (classic or sharded; docs/cluster.md): two Kibitz nodes (A, B) and one
// Node socket.io 4.8 node (N) with @socket.io/redis-adapter 8.3.0 share one redis-server.
// Broadcasts from A reach B (Kibitz->Kibitz) and N (Kibitz->Node), from N reach A and B
// (Node->Kibitz). Each reaches exactly the intended clients once: after each case the sender
// emits a marker to all, and since one publisher's messages arrive in order, a client that has
// the marker has everything sent before it. Then every request type, both ways.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRedis } from "./redis.mjs";
import { startKibitz, startNode, control, recordingClient } from "./nodes.mjs";
import { waitFor } from "../../lib/eio.mjs";

export function defineMatrix(protocol) {
let redis;
const nodes = {};
// Per node: ctl (no room), c1 in r1, c2 in r2 and x.
const clients = {};

before(async () => {
  redis = await startRedis();
  const flags = ["--redis-protocol", protocol];
  [nodes.A, nodes.B, nodes.N] = await Promise.all([
    startKibitz(redis.url, flags),
    startKibitz(redis.url, flags),
    startNode(redis.url, { protocol }),
  ]);
  for (const [name, node] of Object.entries(nodes)) {
    const ctl = await recordingClient(node);
    const c1 = await recordingClient(node);
    const c2 = await recordingClient(node, { query: { who: `${name}-c2` } });
    for (const c of [ctl, c1, c2]) c.socket.on("ask", (q, ack) => ack(`${name}:${q}`));
    await control(c1.socket, { op: "join", room: "r1" });
    await control(c2.socket, { op: "join", room: "r2" });
    await control(c2.socket, { op: "join", room: "x" });
    clients[name] = { ctl, c1, c2 };
  }
  // Every node subscribed: the server count is 3 everywhere.
  for (const name of ["A", "N"])
    await waitFor(async () => (await control(clients[name].ctl.socket, { op: "serverCount" })).count === 3, {
      what: `3 servers seen from ${name}`,
    });
});

after(async () => {
  for (const group of Object.values(clients)) for (const c of Object.values(group)) c.socket.disconnect();
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
  await redis?.stop();
});

const all = () => Object.entries(clients).flatMap(([n, g]) => Object.entries(g).map(([k, c]) => [`${n}.${k}`, c]));
let seq = 0;

// Runs emit `cmd` on `sender`, then a marker to all; returns the names of the clients that got
// the case event, with how many times each.
async function broadcastCase(sender, cmd) {
  const event = `case-${++seq}`;
  const ctl = clients[sender].ctl.socket;
  await control(ctl, { op: "emit", event, ...cmd });
  const marker = `m-${seq}`;
  await control(ctl, { op: "emit", event: "marker", args: [marker] });
  await Promise.all(
    all().map(([name, c]) =>
      waitFor(() => (c.got.get("marker") ?? []).some((a) => a[0] === marker), { what: `${name} marker` }),
    ),
  );
  const got = {};
  for (const [name, c] of all()) if (c.count(event)) got[name] = c.count(event);
  return { got, event };
}

const everyone = () => Object.fromEntries(all().map(([n]) => [n, 1]));
const only = (...names) => Object.fromEntries(names.map((n) => [n, 1]));

for (const sender of ["A", "N"]) {
  test(`${sender}: a broadcast to all reaches every client of every node once`, async () => {
    const { got } = await broadcastCase(sender, { args: ["hello", 1, 2.5, true, null] });
    assert.deepEqual(got, everyone());
  });

  test(`${sender}: a broadcast to one room reaches its members on every node once`, async () => {
    const { got } = await broadcastCase(sender, { rooms: ["r1"], args: [{ a: 1 }] });
    assert.deepEqual(got, only("A.c1", "B.c1", "N.c1"));
  });

  test(`${sender}: rooms with except reach the union minus the excluded`, async () => {
    const { got } = await broadcastCase(sender, { rooms: ["r1", "r2"], except: ["x"] });
    assert.deepEqual(got, only("A.c1", "B.c1", "N.c1"));
  });

  test(`${sender}: a local broadcast stays on its node`, async () => {
    const { got } = await broadcastCase(sender, { local: true });
    assert.deepEqual(got, only(`${sender}.ctl`, `${sender}.c1`, `${sender}.c2`));
  });

  test(`${sender}: a volatile broadcast reaches idle clients everywhere`, async () => {
    const { got } = await broadcastCase(sender, { volatile: true, rooms: ["x"] });
    assert.deepEqual(got, only("A.c2", "B.c2", "N.c2"));
  });

  test(`${sender}: binary arguments arrive byte for byte`, async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const { got, event } = await broadcastCase(sender, { rooms: ["r2"], args: ["bin", bytes] });
    assert.deepEqual(got, only("A.c2", "B.c2", "N.c2"));
    for (const name of ["A", "B", "N"]) {
      const [args] = clients[name].c2.got.get(event);
      assert.equal(args[0], "bin");
      assert.deepEqual(Buffer.from(args[1]), bytes, `${name}.c2`);
    }
  });

  test(`${sender}: a broadcast to a socket id on another node reaches that socket only`, async () => {
    const target = sender === "A" ? clients.N.c1 : clients.B.c1;
    const name = sender === "A" ? "N.c1" : "B.c1";
    const { got } = await broadcastCase(sender, { rooms: [target.socket.id] });
    assert.deepEqual(got, only(name));
  });

  test(`${sender}: fetchSockets lists every node's sockets with Node's handshake fields`, async () => {
    const r = await control(clients[sender].ctl.socket, { op: "fetchSockets", rooms: ["r1"] });
    assert.equal(r.error, null);
    const ids = r.sockets.map((s) => s.id).sort();
    assert.deepEqual(ids, ["A", "B", "N"].map((n) => clients[n].c1.socket.id).sort());
    for (const s of r.sockets) {
      assert.equal(s.id.length, 20, "20-character socket ids");
      assert.ok(s.rooms.includes("r1") && s.rooms.includes(s.id));
      assert.match(s.data.user, /^[ku]-/);
      const h = s.handshake;
      assert.equal(typeof h.headers, "object");
      assert.match(h.time, /^\w{3} \w{3} \d\d \d{4} \d\d:\d\d:\d\d GMT/);
      assert.equal(h.address.replace("::ffff:", ""), "127.0.0.1");
      assert.equal(typeof h.issued, "number");
      assert.equal(h.secure, false);
      assert.equal(typeof h.xdomain, "boolean");
      assert.match(h.url, /^\/socket\.io\/\?/);
      assert.equal(h.query.EIO, "4");
      assert.deepEqual(h.auth, {});
    }
  });

  test(`${sender}: socketsJoin and socketsLeave act on every node`, async () => {
    const ctl = clients[sender].ctl.socket;
    const room = `joined-by-${sender}`;
    await control(ctl, { op: "socketsJoin", rooms: ["r1"], room });
    // Node applies a join to its own sockets only when its echo comes back from Redis
    // (socket.io #4734): wait until the sender itself sees all three.
    await waitFor(async () => (await control(ctl, { op: "fetchSockets", rooms: [room] })).sockets.length === 3, {
      everyMs: 50,
      what: "the join applied everywhere",
    });
    // The join is applied on the sender at once; the other nodes when the request arrives: a
    // broadcast after it (same publisher, in order) reaches all three.
    const { got } = await broadcastCase(sender, { rooms: [room] });
    assert.deepEqual(got, only("A.c1", "B.c1", "N.c1"));
    const other = clients[sender === "A" ? "N" : "A"].ctl.socket;
    const f = await control(other, { op: "fetchSockets", rooms: [room] });
    assert.equal(f.sockets.length, 3);
    await control(ctl, { op: "socketsLeave", rooms: [room], room });
    await waitFor(async () => (await control(ctl, { op: "fetchSockets", rooms: [room] })).sockets.length === 0, {
      everyMs: 50,
      what: "the leave applied everywhere",
    });
    const after = await broadcastCase(sender, { rooms: [room] });
    assert.deepEqual(after.got, {});
  });

  // ClusterAdapter (sharded) has no allRooms across servers.
  if (protocol === "classic") test(`${sender}: allRooms has every node's rooms`, async () => {
    const r = await control(clients[sender].ctl.socket, { op: "allRooms" });
    assert.equal(r.error, null);
    for (const n of ["A", "B", "N"]) assert.ok(r.rooms.includes(clients[n].c2.socket.id), n);
    assert.ok(r.rooms.includes("r1") && r.rooms.includes("x"));
  });

  test(`${sender}: serverCount is the number of nodes`, async () => {
    assert.equal((await control(clients[sender].ctl.socket, { op: "serverCount" })).count, 3);
  });

  test(`${sender}: serverSideEmit with ack gets every other node's answer`, async () => {
    const r = await control(clients[sender].ctl.socket, { op: "serverSideEmit", event: "ping-srv", args: [7], ack: true });
    assert.equal(r.error, null);
    const pongs = r.responses.map((x) => x.pong).sort();
    assert.deepEqual(pongs, sender === "A" ? ["kibitz", "node"] : ["kibitz", "kibitz"]);
    for (const x of r.responses) assert.deepEqual(x.args, [7]);
  });

  test(`${sender}: serverSideEmit without ack reaches the other nodes only`, async () => {
    for (const n of ["A", "B", "N"]) await control(clients[n].ctl.socket, { op: "serverSideLog" });
    await control(clients[sender].ctl.socket, { op: "serverSideEmit", event: "hello-srv", args: ["hi", sender] });
    const logs = {};
    for (const n of ["A", "B", "N"]) logs[n] = [];
    await waitFor(
      async () => {
        for (const n of ["A", "B", "N"]) logs[n].push(...(await control(clients[n].ctl.socket, { op: "serverSideLog" })));
        return ["A", "B", "N"].filter((n) => n !== sender).every((n) => logs[n].length >= 1);
      },
      { everyMs: 50, what: "hello-srv on the other nodes" },
    );
    assert.deepEqual(logs[sender], []);
    for (const n of ["A", "B", "N"].filter((n) => n !== sender)) assert.deepEqual(logs[n], [["hello-srv", ["hi", sender]]]);
  });

  test(`${sender}: a broadcast with ack collects the acks of every node's clients`, async () => {
    const r = await control(clients[sender].ctl.socket, { op: "emitWithAck", event: "ask", rooms: ["r1"], args: ["q"], timeout: 3000 });
    assert.equal(r.error, null);
    assert.deepEqual(r.responses.sort(), ["A:q", "B:q", "N:q"]);
    const s = await control(clients[sender].ctl.socket, { op: "stats" });
    assert.equal(s.pendingRequests, 0);
  });
}

test("disconnectSockets from Node closes a Kibitz socket, and from Kibitz a Node socket", async () => {
  const extraA = await recordingClient(nodes.A);
  const extraN = await recordingClient(nodes.N);
  const goneA = new Promise((r) => extraA.socket.once("disconnect", r));
  const goneN = new Promise((r) => extraN.socket.once("disconnect", r));
  await control(clients.N.ctl.socket, { op: "disconnectSockets", rooms: [extraA.socket.id] });
  await control(clients.A.ctl.socket, { op: "disconnectSockets", rooms: [extraN.socket.id], close: true });
  assert.equal(await goneA, "io server disconnect");
  assert.ok(["io server disconnect", "transport close"].includes(await goneN));
  // Bystanders are still there.
  const r = await control(clients.B.ctl.socket, { op: "fetchSockets" });
  assert.equal(r.sockets.length, 9);
});
}
