// Faults of a node's Redis connections (docs/cluster.md, "Faults"): a path to Redis that freezes
// without closing (a TCP proxy of the test's own stops forwarding: the health PING notices, the
// node reconnects and resubscribes, requests fail fast meanwhile), and a node SIGSTOPped past
// Redis's pub/sub output buffer limit (Redis drops that subscriber; after SIGCONT the node
// notices, resubscribes, and its clients work again; the other nodes are unaffected).
// Kibitz nodes are conformance-server --redis; the Node peer is tests/interop/cluster/node-peer.mjs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { createClient } from "redis";
import { startRedis } from "../interop/cluster/lib/redis.mjs";
import { startKibitz, startNode, control, recordingClient } from "../interop/cluster/lib/nodes.mjs";
import { waitFor } from "../interop/lib/eio.mjs";
import { crosses, comesBack, watchDrop } from "../interop/cluster/lib/delivery.mjs";
import { figure } from "./lib.mjs";

const PING_MS = 200; // the nodes' Redis health PING (--redis-ping-ms)
// Engine.IO timers long enough that a client of a SIGSTOPped node keeps its connection.
const EIO = ["--ping-interval-ms", "25000", "--ping-timeout-ms", "20000"];
const REQ = "socket.io-request#/#";

// A TCP proxy to `port`: every connection is piped to Redis until freeze(), after which the
// existing pipes stop forwarding (neither side is closed) and new connections are accepted but
// never forwarded, like a path whose state vanished; thaw() forwards new connections again.
async function startProxy(port) {
  const pipes = new Set();
  let frozen = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1");
    const pipe = { client, upstream };
    pipes.add(pipe);
    const end = () => {
      pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    if (frozen) return stop(pipe);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  // Forwards nothing more either way; the node's bytes are read and dropped, so that its close
  // of the connection still ends the pipe (and Redis then forgets that subscriber).
  function stop(pipe) {
    pipe.client.unpipe();
    pipe.upstream.unpipe();
    pipe.upstream.pause();
    pipe.client.on("data", () => {});
    pipe.client.resume();
  }
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `redis://127.0.0.1:${server.address().port}`,
    open: () => pipes.size,
    freeze() {
      frozen = true;
      for (const p of pipes) stop(p);
    },
    thaw: () => (frozen = false),
    async close() {
      for (const p of pipes) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise((r) => server.close(r));
    },
  };
}

let redis, raw;
before(async () => {
  redis = await startRedis();
  raw = createClient({ url: redis.url });
  await raw.connect();
});
after(async () => {
  await raw?.quit();
  await redis?.stop();
});

const numsub = async (ch) => Number((await raw.sendCommand(["PUBSUB", "NUMSUB", ch]))[1]);

test("a frozen Redis path: the health PING drops it, requests fail fast, then reconnect and resubscribe", async () => {
  const proxy = await startProxy(redis.port);
  const ping = ["--redis-ping-ms", String(PING_MS), ...EIO];
  const [A, B] = await Promise.all([startKibitz(proxy.url, ping), startKibitz(redis.url, ping)]);
  const [a, b] = await Promise.all([recordingClient(A), recordingClient(B)]);
  try {
    await waitFor(async () => (await numsub(REQ)) === 2, { what: "both nodes subscribed" });
    await crosses(a, b, 2000);
    const dropped = [watchDrop(a), watchDrop(b)];
    const reconnects = proxy.open();
    proxy.freeze();
    const frozenAt = Date.now();
    // Nothing closed: only the missing PONGs tell A (two silent ticks: 2-3 intervals).
    await waitFor(async () => !(await control(a.socket, { op: "stats" })).connected, { timeoutMs: 5000, everyMs: 5, what: "A sees Redis gone" });
    const noticed = Date.now() - frozenAt;
    figure(`frozen Redis path noticed after ${noticed} ms (health PING every ${PING_MS} ms)`);
    assert.ok(noticed <= 5 * PING_MS + 1000, `noticed after ${noticed} ms`);
    // While the path stays frozen (new connections hang too), requests fail at once.
    const t0 = Date.now();
    const f = await control(a.socket, { op: "fetchSockets" });
    assert.match(f.error, /not connected/);
    assert.deepEqual(f.sockets.map((s) => s.id), [a.socket.id]);
    const s = await control(a.socket, { op: "serverSideEmit", event: "ping-srv", ack: true });
    assert.match(s.error, /not connected/);
    assert.ok(Date.now() - t0 < 500, `requests took ${Date.now() - t0} ms`);
    // A closed its frozen connections: Redis forgets its subscriber. Local delivery on A and
    // B's own service go on.
    await waitFor(async () => (await numsub(REQ)) === 1, { what: "A's frozen subscriber closed" });
    await control(a.socket, { op: "emit", event: "marker", args: ["local-a"], local: true });
    await waitFor(() => (a.got.get("marker") ?? []).some((x) => x[0] === "local-a"), { what: "local delivery on A" });
    assert.equal((await control(b.socket, { op: "stats" })).connected, true);

    proxy.thaw();
    const thawedAt = Date.now();
    await comesBack(a, b, 10_000);
    await comesBack(b, a, 10_000);
    figure(`cross-node delivery back ${Date.now() - thawedAt} ms after the path forwards again`);
    assert.ok(proxy.open() >= reconnects, "A opened new connections through the proxy");
    // Resubscribed: B's request reaches A again, answered (server_count counts both).
    const f2 = await control(b.socket, { op: "fetchSockets" });
    assert.equal(f2.error, null);
    assert.deepEqual(f2.sockets.map((x) => x.id).sort(), [a.socket.id, b.socket.id].sort());
    assert.deepEqual(dropped.map((d) => d.gone), [false, false], "no client dropped");
  } finally {
    for (const c of [a, b]) c.socket.disconnect();
    await Promise.all([A.stop(), B.stop()]);
    await proxy.close();
  }
});

test("a node SIGSTOPped past Redis's pub/sub output limit: dropped by Redis, back after SIGCONT", async () => {
  // 256 KiB hard limit on a subscriber's output buffer (Redis's default is 32 MiB).
  await raw.sendCommand(["CONFIG", "SET", "client-output-buffer-limit", "pubsub 262144 0 0"]);
  const ping = ["--redis-ping-ms", String(PING_MS), ...EIO];
  const [A, B, N] = await Promise.all([startKibitz(redis.url, ping), startKibitz(redis.url, ping), startNode(redis.url)]);
  const [a, b, n] = await Promise.all([recordingClient(A), recordingClient(B), recordingClient(N)]);
  const pid = B.proc?.pid ?? B.pid;
  try {
    await waitFor(async () => (await numsub(REQ)) === 3, { what: "3 nodes subscribed" });
    await crosses(a, b, 2000);
    const dropped = [watchDrop(a), watchDrop(b), watchDrop(n)];
    const before = await raw.info("stats");
    process.kill(pid, "SIGSTOP");
    let stoppedAt;
    try {
      stoppedAt = Date.now();
      // Broadcasts of 64 KiB from A until Redis drops B's subscriber (the kernel's socket
      // buffers take some megabytes first).
      const big = "x".repeat(64 * 1024);
      await waitFor(
        async () => {
          for (let i = 0; i < 8; ++i) await control(a.socket, { op: "emit", event: "big", args: [big] });
          return (await numsub(REQ)) === 2;
        },
        { timeoutMs: 20_000, everyMs: 1, what: "Redis drops the stopped node's subscriber" },
      );
      const after = await raw.info("stats");
      const disc = (s) => Number(/client_output_buffer_limit_disconnections:(\d+)/.exec(s)?.[1] ?? NaN);
      if (!Number.isNaN(disc(after))) assert.ok(disc(after) > disc(before), "Redis counted the disconnection");
      // The other nodes are unaffected meanwhile: A <-> N both ways, A's requests end (B's
      // answer is missing, its subscriber is gone: the count is 2).
      await crosses(a, n, 2000);
      await crosses(n, a, 2000);
      assert.equal((await control(a.socket, { op: "serverCount" })).count, 2);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const contAt = Date.now();
    // B notices the closed subscriber, reconnects and resubscribes; its client works again.
    await waitFor(async () => (await numsub(REQ)) === 3, { timeoutMs: 10_000, everyMs: 5, what: "B resubscribed" });
    await comesBack(a, b, 10_000);
    await comesBack(b, a, 10_000);
    await comesBack(n, b, 10_000);
    figure(`node SIGSTOPped ${contAt - stoppedAt} ms, dropped by Redis; delivery to it back ${Date.now() - contAt} ms after SIGCONT`);
    const f = await control(b.socket, { op: "fetchSockets" });
    assert.equal(f.error, null);
    assert.equal(f.sockets.length, 3);
    assert.deepEqual(dropped.map((d) => d.gone), [false, false, false], "no client dropped");
  } finally {
    for (const c of [a, b, n]) c.socket.disconnect();
    await Promise.all([A.stop(), B.stop(), N.stop()]);
    await raw.sendCommand(["CONFIG", "SET", "client-output-buffer-limit", "pubsub 33554432 8388608 60"]);
  }
});
