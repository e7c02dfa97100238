// Admin UI login sessions across nodes, as @socket.io/admin-ui's RedisStore shares them: two
// kibitz nodes with --redis on one redis-server started by this test, and a Node socket.io
// server instrumented with `store: new RedisStore(client)` on the same Redis as the reference.
// A UI that logged in on one server comes back with {sessionId} alone (what the UI sends after a
// reload) to any other, kibitz or Node, and is let in; an unknown session id is refused with
// "invalid credentials" (the UI then shows its login form); credentials still work everywhere.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRedis } from "../cluster/lib/redis.mjs";
import { connectAdmin, startKibitzAdmin, startNodeAdmin } from "./lib.mjs";

let redis;
const nodes = {};

before(async () => {
  redis = await startRedis();
  [nodes.a, nodes.b, nodes.node] = await Promise.all([
    startKibitzAdmin(["--redis", redis.url, "--admin-server-id", "kibitz-a"]),
    startKibitzAdmin(["--redis", redis.url, "--admin-server-id", "kibitz-b"]),
    startNodeAdmin("node-ref", redis.url),
  ]);
});
after(async () => {
  await Promise.all([nodes.a?.stop(), nodes.b?.stop(), nodes.node?.stop()]);
  await redis?.stop();
});

// Logs in with the credentials; resolves with the session id the server emitted.
async function login(url) {
  const admin = await connectAdmin(url);
  const [id] = await admin.next("session");
  assert.match(id, /^[0-9a-f]{16}$/);
  admin.disconnect();
  return id;
}

async function refused(url, auth) {
  await assert.rejects(connectAdmin(url, auth), (err) => err.message === "invalid credentials");
}

test("a session made on one kibitz node lets the UI into the other", async () => {
  const id = await login(nodes.a.url);
  const onB = await connectAdmin(nodes.b.url, { sessionId: id });
  await onB.next("config");
  assert.equal(onB.events.some((e) => e.event === "session"), false, "no new session: the old one holds");
  onB.disconnect();
  await refused(nodes.b.url, { sessionId: "0123456789abcdef" });
});

test("kibitz and Node's RedisStore read each other's sessions", async () => {
  const fromKibitz = await login(nodes.b.url);
  const onNode = await connectAdmin(nodes.node.url, { sessionId: fromKibitz });
  await onNode.next("config");
  onNode.disconnect();
  const fromNode = await login(nodes.node.url);
  const onKibitz = await connectAdmin(nodes.a.url, { sessionId: fromNode });
  await onKibitz.next("config");
  onKibitz.disconnect();
  // The same key, value and expiry in Redis for both.
  const ttl = async (id) => {
    const { createClient } = await import("redis");
    const c = createClient({ url: redis.url });
    await c.connect();
    try {
      return [await c.get(`socket.io-admin#${id}`), await c.ttl(`socket.io-admin#${id}`)];
    } finally {
      await c.quit();
    }
  };
  const [k, n] = [await ttl(fromKibitz), await ttl(fromNode)];
  assert.equal(k[0], n[0]);
  assert.ok(k[1] > 86000 && k[1] <= 86400 && n[1] > 86000 && n[1] <= 86400, `${k[1]} ${n[1]}`);
  await refused(nodes.node.url, { sessionId: "fedcba9876543210" });
});
