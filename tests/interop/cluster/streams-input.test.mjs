// Malformed input through Redis with the streams protocol (docs/cluster.md): stream entries and
// published envelopes that are not what Node writes (bad JSON, bad base64, nesting past the
// limits, no namespace, a packet of the wrong shape, bytes that are not msgpack) are dropped and
// counted; the Kibitz nodes and a Node node keep delivering to each other. A BROADCAST entry
// without opts stops a Node node's reader for good (ClusterAdapter.onMessage throws,
// startPolling does not move past the entry and reads it again forever): it goes last, and
// only the Kibitz nodes are checked after it.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startRedis } from "./lib/redis.mjs";
import { startKibitz, startNode, control, recordingClient } from "./lib/nodes.mjs";
import { waitFor } from "../lib/eio.mjs";

let redis;
let K;
let K2;
let N;
let kc;
let k2c;
let nc;

// One command on a fresh connection; resolves with the first reply line.
function redisCommand(port, ...args) {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(`$${b.length}\r\n`, b, "\r\n");
  }
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let got = "";
    s.setTimeout(3000, () => (s.destroy(), reject(new Error("redis: no reply"))));
    s.on("error", reject);
    s.on("data", (d) => {
      got += d;
      if (got.includes("\r\n")) {
        s.destroy();
        resolve(got.slice(0, got.indexOf("\r\n")));
      }
    });
    s.on("connect", () => s.write(Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))))));
  });
}

before(async () => {
  redis = await startRedis();
  const flags = ["--redis-protocol", "streams", "--recovery-ms", "60000"];
  [K, K2, N] = await Promise.all([
    startKibitz(redis.url, flags),
    startKibitz(redis.url, flags),
    startNode(redis.url, { protocol: "streams", recoveryMs: 60000 }),
  ]);
  kc = await recordingClient(K);
  k2c = await recordingClient(K2);
  nc = await recordingClient(N);
  await waitFor(async () => (await control(kc.socket, { op: "serverCount" })).count === 3, { what: "3 servers" });
});

after(async () => {
  for (const c of [kc, k2c, nc]) c?.socket.disconnect();
  await Promise.all([K?.stop(), K2?.stop(), N?.stop()]);
  await redis?.stop();
});

const xadd = (...fields) => redisCommand(redis.port, "XADD", "socket.io", "*", ...fields);
const dropped = async (c) => (await control(c.socket, { op: "stats" })).droppedInvalid;

// `from` emits `event`; every client in `to` gets it exactly once.
async function delivered(from, event, to) {
  await control(from.socket, { op: "emit", event, args: [event] });
  await waitFor(() => to.every((c) => c.count(event) >= 1), { what: `${event} everywhere` });
  for (const c of to) assert.equal(c.count(event), 1, event);
}

test("malformed entries and envelopes are dropped and counted; delivery goes on both ways", async () => {
  const before = await dropped(kc);
  for (const fields of [
    ["uid", "evil", "nsp", "/", "type", "3", "data", "{not json"],
    ["uid", "evil", "nsp", "/", "type", "3", "data", "!!not base64!!"],
    [
      ...["uid", "evil", "nsp", "/", "type", "3", "data"],
      `{"packet":{"type":2,"data":["deep",${"[".repeat(100)}${"]".repeat(100)}]},"opts":{"rooms":[],"except":[]}}`,
    ],
    ["uid", "evil", "type", "3", "data", "{}"],
    ["uid", "evil", "nsp", "/", "type", "3", "data", '{"packet":{"type":2,"data":[]},"opts":{}}'],
  ])
    assert.match(await xadd(...fields), /^\$/, "XADD accepted");
  // Not msgpack (0xc1 is never used), and msgpack nested deeper than the limits.
  assert.match(await redisCommand(redis.port, "PUBLISH", "socket.io#/#", Buffer.from([0xc1, 0x00])), /^:/);
  const nested = Buffer.concat([Buffer.alloc(100, 0x91), Buffer.from([0xc0])]);
  assert.match(await redisCommand(redis.port, "PUBLISH", "socket.io#/#", nested), /^:/);
  await delivered(nc, "from-node", [kc, k2c, nc]);
  await delivered(kc, "from-kibitz", [kc, k2c, nc]);
  await waitFor(async () => (await dropped(kc)) - before === 7, { what: "7 messages counted as invalid" });
});

test("the entry that stops a Node node's reader is dropped by Kibitz, which goes on", async () => {
  const before = await dropped(kc);
  const deep = "[".repeat(100) + "]".repeat(100);
  assert.match(await xadd("uid", "evil", "nsp", "/", "type", "3", "data", `{"packet":${deep}}`), /^\$/);
  await delivered(kc, "k-to-k2", [kc, k2c]);
  await delivered(k2c, "k2-to-k", [kc, k2c]);
  assert.equal((await dropped(kc)) - before, 1);
  assert.equal((await control(kc.socket, { op: "stats" })).connected, true);
});
