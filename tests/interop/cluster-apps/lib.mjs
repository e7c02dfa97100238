// Helpers of the cluster-apps tests: kibitz nodes of one cluster (--redis, --postgres) started on
// free ports and stopped by their own PIDs, on a Redis and a PostgreSQL 15 of the test's own.
// Every wait has a cap; nothing waits for a fixed time.

import assert from "node:assert/strict";
import { before, after } from "node:test";
import { startServer } from "../lib/server.mjs";
import { startPostgres } from "../lib/postgres.mjs";
import { startRedis } from "../cluster/lib/redis.mjs";
import { tempData } from "../chat/chat.mjs";

let databases = 0;
let prefixes = 0;

// A PostgreSQL 15 and a Redis for the test file, started before its tests and stopped after:
// `stores.pg` and `stores.redis` once its first test runs. `up(stores)` runs once both are
// there, `down()` before they stop (root hooks of node:test may overlap: one hook each).
export function withStores({ up, down } = {}) {
  const stores = {};
  before(async () => {
    [stores.pg, stores.redis] = await Promise.all([startPostgres(), startRedis()]);
    await up?.(stores);
  });
  after(async () => {
    await down?.();
    await stores.redis?.stop();
    await stores.pg?.stop();
  });
  return stores;
}

// A fresh database of `pg` and a Redis prefix of its own: one cluster per test.
export function freshCluster(pg, redis) {
  const name = `kibitz_apps_${process.pid}_${++databases}`;
  pg.createDatabase(name);
  return { postgres: pg.url(name), redis: redis.url, prefix: `t${process.pid}-${++prefixes}` };
}

// One kibitz node of `cluster`; close() stops it (SIGTERM) and checks the exit, kill() SIGKILLs.
export async function startNode(cluster, extra = []) {
  const data = tempData();
  const server = await startServer("kibitz", [
    "--data", data.dir, "--postgres", cluster.postgres, "--redis", cluster.redis,
    "--redis-prefix", cluster.prefix, "--log-level", "error", ...extra,
  ]);
  let killed = false;
  return {
    ...server,
    async kill() {
      killed = true;
      server.proc.kill("SIGKILL");
      await server.exited;
      data.cleanup();
    },
    async close() {
      if (killed) return;
      const { code, signal } = await server.stop();
      data.cleanup();
      if (code !== 0) throw new Error(`kibitz exited with ${code ?? signal}\n${server.stderr()}`);
    },
  };
}

// Resolves once `check()` is true, polling every `everyMs` (a probe, not a timed wait); rejects
// after `capMs` naming `what`.
export async function eventually(check, capMs, what, everyMs = 50) {
  const deadline = Date.now() + capMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${capMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// Two nodes of a fresh cluster on `pg` and `redis`, with `extra` flags each.
export async function twoNodes(pg, redis, extra = []) {
  const cluster = freshCluster(pg, redis);
  const [a, b] = await Promise.all([startNode(cluster, extra), startNode(cluster, extra)]);
  return { cluster, a, b };
}

// The `v`s `socket` (anything with a `games` list of `game` events) saw for game `id` are
// consecutive: no gap, no repeat, no reordering. Returns them.
export function assertInOrder(socket, id, what) {
  const vs = socket.games.filter((g) => g.id === id).map((g) => g.v);
  assert.ok(vs.length > 0, `${what}: no game event`);
  for (let i = 1; i < vs.length; i++) assert.equal(vs[i], vs[i - 1] + 1, `${what}: ${vs.join(",")}`);
  return vs;
}
