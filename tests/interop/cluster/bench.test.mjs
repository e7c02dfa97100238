// bench-server --redis in a cluster with a Node peer (PROTOCOL.md's bench protocol across
// nodes): `chat message` (io.emit) and `dm` (io.to(id)) reach the other node's clients, binary
// byte for byte; a Node peer's serverSideEmit is ignored (no answer: the peer gets its usual
// timeout) and breaks nothing.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { startRedis } from "./lib/redis.mjs";
import { startNode, control, recordingClient } from "./lib/nodes.mjs";
import { waitFor } from "../lib/eio.mjs";

let redis, bench, node, onBench, onNode;

before(async () => {
  redis = await startRedis();
  [bench, node] = await Promise.all([
    startServer("bench-server", ["--redis", redis.url]),
    startNode(redis.url, { timeoutMs: 500 }),
  ]);
  [onBench, onNode] = await Promise.all([recordingClient(bench), recordingClient(node)]);
  await waitFor(async () => (await control(onNode.socket, { op: "serverCount" })).count === 2, { what: "2 servers" });
});

after(async () => {
  onBench?.socket.disconnect();
  onNode?.socket.disconnect();
  await Promise.all([bench, node].filter(Boolean).map((x) => x.stop()));
  await redis?.stop();
});

test("a chat message on bench-server reaches the Node node's client, binary intact", async () => {
  const bytes = Buffer.from([1, 2, 3, 0, 255]);
  onBench.socket.emit("chat message", { text: "hi", bin: bytes });
  await waitFor(() => onNode.count("chat message") === 1 && onBench.count("chat message") === 1, {
    what: "chat message on both nodes",
  });
  const [payload] = onNode.got.get("chat message")[0];
  assert.equal(payload.text, "hi");
  assert.deepEqual(Buffer.from(payload.bin), bytes);
});

test("a dm to a socket of the Node node reaches it and nobody else", async () => {
  onBench.socket.emit("dm", { to: onNode.socket.id, text: "psst" });
  await waitFor(() => onNode.count("dm") === 1, { what: "dm" });
  assert.equal(onBench.count("dm"), 0);
});

test("a Node peer's serverSideEmit is ignored: it times out, and the bench keeps relaying", async () => {
  const r = await control(onNode.socket, { op: "serverSideEmit", event: "anything", args: [1], ack: true });
  assert.match(r.error, /timeout/);
  assert.deepEqual(r.responses, []);
  await control(onNode.socket, { op: "serverSideEmit", event: "anything", args: [2] });
  await control(onNode.socket, { op: "emit", event: "chat message", args: ["from node"] });
  await waitFor(() => onBench.count("chat message") === 2, { what: "relay after the serverSideEmit" });
});
