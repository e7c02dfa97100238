// The bound on one restore with the streams protocol (docs/cluster.md): a restore reads the
// entries after the client's offset with at most --stream-restore-calls XRANGEs of
// --stream-restore-batch entries; a client that missed more is not recovered (it connects as a
// new socket, and its app resynchronises) rather than recovered with a gap. Here 2 x 2.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startRedis } from "./lib/redis.mjs";
import { startKibitz, control, recordingClient } from "./lib/nodes.mjs";
import { waitFor } from "../lib/eio.mjs";
import { connected } from "../lib/sio.mjs";

let redis;
let K;
let bystander;

before(async () => {
  redis = await startRedis();
  K = await startKibitz(redis.url, [
    ...["--redis-protocol", "streams", "--recovery-ms", "60000"],
    ...["--stream-restore-batch", "2", "--stream-restore-calls", "2"],
  ]);
  bystander = await recordingClient(K);
});

after(async () => {
  bystander?.socket.disconnect();
  await K?.stop();
  await redis?.stop();
});

// A client away while `missed` broadcasts are made; resolves with what it saw on its return.
async function awayFor(missed, tag) {
  const socket = io(K.url, { forceNew: true, transports: ["websocket"], reconnection: false });
  const got = [];
  socket.onAny((event) => got.push(event));
  await connected(socket);
  await waitFor(() => got.includes("auth"), { what: "the first auth event" });
  await control(bystander.socket, { op: "emit", event: `${tag}-warm` });
  await waitFor(() => got.includes(`${tag}-warm`), { what: "the warm-up broadcast" });
  const id = socket.id;
  const gone = new Promise((r) => socket.once("disconnect", r));
  socket.io.engine.close();
  await gone;
  for (let i = 0; i < missed; i++) await control(bystander.socket, { op: "emit", event: `${tag}-${i}` });
  await waitFor(() => bystander.count(`${tag}-${missed - 1}`) === 1, { what: "the broadcasts made" });
  socket.connect();
  await connected(socket);
  // The server's "auth" event follows each connect (conformance-server), after the missed ones.
  await waitFor(() => got.filter((e) => e === "auth").length === 2, { what: "the second auth event" });
  const out = { recovered: socket.recovered, sameId: socket.id === id, got: got.filter((e) => e.startsWith(`${tag}-`) && e !== `${tag}-warm`) };
  socket.disconnect();
  return out;
}

test("a client that missed what the bound allows is recovered with all of it", async () => {
  const r = await awayFor(2, "few");
  assert.equal(r.recovered, true);
  assert.equal(r.sameId, true);
  assert.deepEqual(r.got, ["few-0", "few-1"]);
});

test("a client that missed more is not recovered: it connects as new, the bystander unaffected", async () => {
  const r = await awayFor(6, "many");
  assert.equal(r.recovered, false);
  assert.equal(r.sameId, false);
  assert.deepEqual(r.got, []);
  for (let i = 0; i < 6; i++) assert.equal(bystander.count(`many-${i}`), 1);
  assert.equal((await control(bystander.socket, { op: "stats" })).connected, true);
});
