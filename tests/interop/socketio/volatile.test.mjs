// Volatile events are dropped, not queued, for a client that is not reading: a raw WebSocket
// client completes the Socket.IO CONNECT, then stops reading its TCP socket; a flood of ordinary
// events fills the kernel buffers so the server's write stays in flight; volatile events
// emitted now (one per event-loop turn) are dropped, while the ordinary marker after them is
// queued and delivered once the client reads again.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  call,
  CAP_MS,
  closeAll,
  connect,
  openRaw,
  Recorder,
  startSio,
  stopClean,
} from "../lib/sio.mjs";

const VOLATILE = 200;
// 24 MB of ordinary events: more than loopback's socket buffers can absorb.
const FLOOD = { count: 240, size: 100_000 };

// Reads Socket.IO EVENT packets from `raw` until `done(event, args)` is true; returns the
// events seen, by name.
async function readEvents(raw, done, timeoutMs = 30_000) {
  const seen = {};
  for (;;) {
    const text = await raw.nextText(timeoutMs);
    if (!text.startsWith("42")) continue;
    const [event, ...args] = JSON.parse(text.slice(2));
    (seen[event] ??= []).push(args);
    if (done(event, args)) return seen;
  }
}

describe("volatile emits", () => {
  let server;
  let observer;
  before(async () => {
    server = await startSio(["--max-send-queue", String(64 << 20)]);
    observer = await connect(server.url);
  });
  after(async () => {
    closeAll(observer);
    await stopClean(server);
  });

  it("are dropped for a client that stops reading; the ordinary marker arrives", async () => {
    const raw = await openRaw(server.port);
    try {
      await raw.connect("/");
      raw.pause();
      raw.emit("flood", [FLOOD]);
      // Handled after the flood, one volatile emit per loop turn while the write is stalled.
      raw.emit("volatile", [{ count: VOLATILE, spread: true }]);
      raw.resume();
      const seen = await readEvents(raw, (event) => event === "vol-done");
      assert.equal(seen.flood?.length, FLOOD.count, "every ordinary event arrived");
      assert.deepEqual(seen["flood-done"], [[FLOOD.count]]);
      assert.deepEqual(seen["vol-done"], [[VOLATILE]]);
      const got = seen.vol?.length ?? 0;
      assert.ok(got < VOLATILE / 10, `${got} of ${VOLATILE} volatile events arrived`);
      assert.equal(await call(observer, "echo", "others fine"), "others fine");
    } finally {
      raw.destroy();
    }
  });

  it("reach a client that reads, when its transport is free", async () => {
    const reader = await connect(server.url, "/", { transports: ["websocket"] });
    try {
      const vols = new Recorder(reader, "vol");
      const done = new Recorder(reader, "vol-done");
      await call(reader, "volatile", { count: VOLATILE, spread: true });
      await done.waitFor(1);
      assert.ok(vols.calls.length >= 1, "some volatile events arrived");
      assert.deepEqual(vols.firsts, [...new Set(vols.firsts)].sort((x, y) => x - y), "in order, once");
    } finally {
      closeAll(reader);
    }
  });

  it("broadcast with volatile(): dropped for the stalled client only", async () => {
    const raw = await openRaw(server.port);
    const reader = await connect(server.url, "/", { transports: ["websocket"] });
    try {
      await raw.connect("/");
      raw.emit("join", [{ room: "v" }]);
      await call(reader, "join", { room: "v" });
      const vols = new Recorder(reader, "vol");
      const done = new Recorder(reader, "vol-done");
      raw.pause();
      raw.emit("flood", [FLOOD]);
      // Sent by the stalled client itself, so the server handles it after the flood.
      raw.emit("volatile", [{ count: VOLATILE, room: "v", spread: true }]);
      await done.waitFor(1, CAP_MS * 4);
      assert.ok(vols.calls.length >= 1, "the reading client got volatile events");
      assert.deepEqual(vols.firsts, [...new Set(vols.firsts)].sort((x, y) => x - y), "in order, once");
      raw.resume();
      const seen = await readEvents(raw, (event) => event === "vol-done");
      const got = seen.vol?.length ?? 0;
      assert.ok(got < VOLATILE / 10, `${got} of ${VOLATILE} volatile events reached the stalled client`);
      assert.equal(seen.flood?.length, FLOOD.count);
    } finally {
      raw.destroy();
      closeAll(reader);
    }
  });
});
