// The Admin UI across a cluster (CLUSTER.md 5, C-admin): two Kibitz nodes (conformance-server
// --redis, the classic protocol) on one redis-server started by this test. A UI connected to
// node A sees node B's server_stats (its own serverId), B's sockets in all_sockets and B's
// socket_connected, and its _disconnect reaches a socket on B. Every process is stopped by PID.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRedis } from "../cluster/lib/redis.mjs";
import { startServer } from "../lib/server.mjs";
import { connectAdmin, connectTo, HASH, USER } from "./lib.mjs";

let redis;
const nodes = {};

function startNode(id) {
  return startServer("conformance-server", [
    "--redis", redis.url, "--admin-user", USER, "--admin-password-hash", HASH,
    "--admin-mode", "development", "--admin-server-id", id,
  ]);
}

before(async () => {
  redis = await startRedis();
  [nodes.a, nodes.b] = await Promise.all([startNode("node-a"), startNode("node-b")]);
});
after(async () => {
  await Promise.all([nodes.a?.stop(), nodes.b?.stop()]);
  await redis?.stop();
});

test("a UI on node A sees node B and disconnects a socket there", async () => {
  const onB = await connectTo(nodes.b.url, "/");
  const bid = onB.id;
  const admin = await connectAdmin(nodes.a.url);
  // Both servers' stats reach the UI on A, each with its own id.
  const [statsB] = await admin.next("server_stats", ([s]) => s.serverId === "node-b", "node-b's server_stats");
  const [statsA] = await admin.next("server_stats", ([s]) => s.serverId === "node-a", "node-a's server_stats");
  assert.equal(statsB.namespaces.find((n) => n.name === "/").socketsCount, 1);
  assert.notEqual(statsA.pid, statsB.pid);
  // all_sockets is the cluster's: B's socket with its _admin fields (clientId, transport).
  const [all] = await admin.next("all_sockets");
  const entry = all.find((s) => s.id === bid);
  assert.ok(entry, "node B's socket is in all_sockets on A");
  assert.equal(entry.nsp, "/");
  assert.equal(entry.clientId.length, 12);
  assert.ok(["polling", "websocket"].includes(entry.transport));
  // The app's own data (conformance-server sets {user}), without the admin's key.
  assert.equal(typeof entry.data.user, "string");
  assert.equal(entry.data._admin, undefined);
  // A socket that connects to B now: its socket_connected reaches the UI on A.
  const later = await connectTo(nodes.b.url, "/");
  await admin.next("socket_connected", ([s]) => s.id === later.id, "B's socket_connected");
  // _disconnect from A acts on B's socket only.
  const gone = new Promise((resolve) => onB.once("disconnect", resolve));
  admin.emit("_disconnect", "/", false, bid);
  assert.equal(await gone, "io server disconnect");
  await admin.next("socket_disconnected", ([, id]) => id === bid, "B's socket_disconnected");
  // The bystander on B is untouched and still reachable through the UI's emit.
  admin.emit("emit", "/", later.id, "from-a", 1);
  assert.deepEqual(await later.next("from-a"), [1]);
  for (const s of [admin, later]) s.disconnect();
});
