// The cluster adapter's series of GET /metrics (kibitz_cluster_*), two kibitz nodes with --redis
// on one redis-server started by this test: messages published by one node and received by the
// other, requests to the other node sent and answered (the Admin UI's all_sockets is a
// fetch_sockets across nodes), a request timed out while the other node is stopped (SIGSTOP),
// and the Redis connections' reconnects after a Redis restart. Every process is stopped by PID.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startRedis } from "../cluster/lib/redis.mjs";
import { startServer } from "../lib/server.mjs";
import { connectAdmin } from "../admin/lib.mjs";
import { joined, closeAll } from "../chat/chat.mjs";
import { families, until, value } from "./lib.mjs";

let redis;
let data;
const nodes = {};

function startNode(name) {
  return startServer("kibitz", [
    "--data", path.join(data, name), "--log-level", "error", "--redis", redis.url,
    "--admin-auth", "off", "--admin-mode", "development", "--admin-server-id", name,
  ]);
}

before(async () => {
  data = mkdtempSync(path.join(tmpdir(), "kibitz-metrics-cluster-"));
  redis = await startRedis();
  [nodes.a, nodes.b] = await Promise.all([startNode("a"), startNode("b")]);
});
after(async () => {
  try {
    process.kill(nodes.b?.proc.pid, "SIGCONT");
  } catch {}
  await Promise.all([nodes.a?.stop(), nodes.b?.stop()]);
  await redis?.stop();
  rmSync(data, { recursive: true, force: true });
});

const v = (f, name, labels) => value(f, name, labels) ?? NaN;

test("published, received, requests sent, answered and timed out, reconnects", async () => {
  const up = (f) => v(f, "kibitz_cluster_redis_connected") === 1;
  const a0 = await until(nodes.a.url, up, "node a connected to Redis");
  const b0 = await until(nodes.b.url, up, "node b connected to Redis");
  for (const name of ["kibitz_cluster_published", "kibitz_cluster_received", "kibitz_cluster_requests_sent",
    "kibitz_cluster_requests_answered", "kibitz_cluster_requests_timed_out", "kibitz_cluster_redis_reconnects",
    "kibitz_cluster_publish_dropped", "kibitz_cluster_dropped"])
    assert.equal(a0[name]?.type, "counter", name);
  assert.equal(a0.kibitz_cluster_pending_requests?.type, "gauge");

  // A chat join on A is broadcast to the room on every node: A publishes, B receives.
  const alice = await joined(nodes.a.url, "alice", "across");
  await until(nodes.a.url, (f) => v(f, "kibitz_cluster_published_total") > v(a0, "kibitz_cluster_published_total"), "a publish");
  await until(nodes.b.url, (f) => v(f, "kibitz_cluster_received_total") > v(b0, "kibitz_cluster_received_total"), "b receiving");

  // The admin socket's all_sockets on A asks B for its sockets: sent and answered.
  const sent0 = v(await families(nodes.a.url), "kibitz_cluster_requests_sent_total");
  const answered0 = v(await families(nodes.a.url), "kibitz_cluster_requests_answered_total");
  const admin = await connectAdmin(nodes.a.url, {});
  await admin.next("all_sockets");
  const f1 = await until(nodes.a.url, (f) => v(f, "kibitz_cluster_requests_answered_total") > answered0, "an answered request");
  assert.ok(v(f1, "kibitz_cluster_requests_sent_total") > sent0);
  admin.disconnect();

  // B stopped: A's next fetch_sockets waits out the requests timeout (5 s).
  const timedOut0 = v(await families(nodes.a.url), "kibitz_cluster_requests_timed_out_total");
  process.kill(nodes.b.proc.pid, "SIGSTOP");
  try {
    const again = await connectAdmin(nodes.a.url, {});
    await until(nodes.a.url, (f) => v(f, "kibitz_cluster_pending_requests") >= 1, "a pending request");
    await until(nodes.a.url, (f) => v(f, "kibitz_cluster_requests_timed_out_total") > timedOut0, "a timed out request", 9000);
    again.disconnect();
  } finally {
    process.kill(nodes.b.proc.pid, "SIGCONT");
  }

  // Redis restarted: both connections of each node come back, counted.
  const re0 = v(await families(nodes.a.url), "kibitz_cluster_redis_reconnects_total");
  await redis.restart();
  await until(nodes.a.url, (f) => v(f, "kibitz_cluster_redis_reconnects_total") >= re0 + 2 && up(f), "a's reconnects");
  closeAll(alice.socket);
});
