// Graceful shutdown: SIGTERM of the server under chat load. The process exits 0 within
// --shutdown-timeout; every client is told to reconnect (its disconnect reason is "transport
// close", one socket.io reconnects after and connection state recovery keeps), none is left
// with an ack that never settles; after a restart on the same --data every acked message is in
// the history exactly once.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ChatLoad, checkChatMessages, figure, pick, startKibitz, tempDir } from "./lib.mjs";
import { once, withTimeout } from "../interop/lib/server.mjs";

const ROUNDS = pick(2, 5);
const ACKS_BEFORE_TERM = pick(80, 400);
const SHUTDOWN_TIMEOUT_MS = 5000;

function acksReached(load, n) {
  return withTimeout(
    new Promise((resolve) => {
      const timer = setInterval(() => {
        if (load.acked.size >= n) {
          clearInterval(timer);
          resolve(load.acked.size);
        }
      }, 5);
    }),
    60_000,
    `${n} acks under load`,
  );
}

test(`SIGTERM under chat load, ${ROUNDS} rounds: exit 0, clients told to reconnect, nothing acked lost`, async () => {
  const data = tempDir();
  const loads = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startKibitz(data.dir, ["--shutdown-timeout", String(SHUTDOWN_TIMEOUT_MS), "--log-level", "info"]);
      if (round > 0) {
        const { checked } = await checkChatMessages(server.url, loads, "faults");
        figure(`round ${round}: after restart, ${checked} acked messages found`);
      }
      const load = new ChatLoad(server.url, { round, senders: 3, window: 4, prefix: "term" });
      await load.start();
      const reasons = load.sockets.map((s) => once(s, "disconnect", SHUTDOWN_TIMEOUT_MS + 2000));
      await acksReached(load, ACKS_BEFORE_TERM);
      const t0 = performance.now();
      server.proc.kill("SIGTERM");
      const { code, signal } = await server.exited;
      const took = performance.now() - t0;
      assert.equal(signal, null, `killed by ${signal}\n${server.stderr()}`);
      assert.equal(code, 0, server.stderr());
      assert.ok(took < SHUTDOWN_TIMEOUT_MS + 1000, `exit took ${took} ms`);
      assert.match(server.stderr(), /shutting down/);
      assert.doesNotMatch(server.stderr(), /shutdown timeout reached/);
      // Every client heard the close (none is left hanging) with a reason it reconnects after.
      for (const [reason] of await Promise.all(reasons)) assert.equal(reason, "transport close");
      // Every pump ends: each ack in flight was answered or failed with the connection.
      await withTimeout(load.stop(), 15_000, "the load's pending acks to settle");
      figure(`round ${round}: ${load.acked.size} acked of ${load.sent.length} sent; exit 0 after ${Math.round(took)} ms`);
      loads.push(load);
    }
    const server = await startKibitz(data.dir);
    try {
      const { checked } = await checkChatMessages(server.url, loads, "faults");
      const expected = loads.reduce((n, l) => n + l.acked.size, 0);
      assert.equal(checked, expected);
    } finally {
      await server.stop();
    }
  } finally {
    data.cleanup();
  }
});
