// on_any_outgoing (Node's onAnyOutgoing) sees every event sent to its socket: the socket's own
// emits, this node's broadcasts and those another Kibitz node sends through Redis, with and
// without an ack, on both Redis protocols. Two conformance-server nodes (--redis) and npm
// socket.io-client; the listener is the "watchOutgoing" op of cluster_control.hpp, and a
// bystander without a listener gets the same broadcasts.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRedis } from "../cluster/lib/redis.mjs";
import { startKibitz, control } from "../cluster/lib/nodes.mjs";
import { waitFor } from "../lib/eio.mjs";
import { CAP_MS, closeAll, connect } from "../lib/sio.mjs";
import { once } from "../lib/server.mjs";

for (const protocol of ["classic", "sharded"]) {
  describe(`outgoing listeners see broadcasts (${protocol})`, () => {
    let redis;
    let nodes = [];
    let watched;
    let bystander;
    let remote;
    before(async () => {
      redis = await startRedis();
      const flags = ["--redis-protocol", protocol];
      nodes = await Promise.all([startKibitz(redis.url, flags), startKibitz(redis.url, flags)]);
      watched = await connect(nodes[0].url, "/", { transports: ["websocket"] });
      // The server's own `auth` emit comes 20 ms after the CONNECT: before the listener.
      const authed = once(watched, "auth", CAP_MS);
      bystander = await connect(nodes[0].url, "/", { transports: ["polling"] });
      remote = await connect(nodes[1].url, "/", { transports: ["websocket"] });
      await waitFor(async () => (await control(remote, { op: "serverCount" })).count === 2, {
        what: "2 servers seen from B",
      });
      for (const s of [watched, bystander, remote]) s.on("q", (n, ack) => ack(n + 1));
      await authed;
      assert.deepEqual(await control(watched, { op: "watchOutgoing" }), { ok: true });
    });
    after(async () => {
      closeAll(watched, bystander, remote);
      await Promise.all(nodes.map((n) => n.stop()));
      await redis?.stop();
    });

    it("sees local and remote broadcasts, with ack too; a bystander gets them alike", async () => {
      const gotRemote = once(watched, "from-b", CAP_MS);
      const bystanderGot = once(bystander, "from-b", CAP_MS);
      await control(remote, { op: "emit", event: "from-b", args: [1, "x"] });
      assert.deepEqual(await gotRemote, [1, "x"]);
      assert.deepEqual(await bystanderGot, [1, "x"]);

      const gotLocal = once(watched, "from-a", CAP_MS);
      await control(bystander, { op: "emit", event: "from-a", args: [{ k: 2 }], local: true });
      await gotLocal;

      const acked = await control(remote, { op: "emitWithAck", event: "q", args: [3], timeout: 3000 });
      assert.equal(acked.error, null);
      assert.deepEqual(acked.responses, [4, 4, 4]);

      // Not to it: not seen.
      await control(remote, { op: "emit", event: "elsewhere", rooms: ["nobody-here"] });

      const log = await control(watched, { op: "outgoingLog" });
      assert.deepEqual(log, [
        ["from-b", [1, "x"]],
        ["from-a", [{ k: 2 }]],
        ["q", [3]],
      ]);
      assert.ok(watched.connected && bystander.connected);
    });
  });
}
