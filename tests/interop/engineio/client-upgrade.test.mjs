// engine.io-client 6 with its default transports: opens with polling, upgrades to WebSocket, and
// loses, doubles or reorders nothing sent before, during or after the upgrade.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "engine.io-client";
import { CALM_HEARTBEATS, once, until } from "../lib/server.mjs";
import { bytes, closeClient, echoAll, withEchoServer } from "../lib/eio.mjs";

describe("engine.io-client upgrade from polling to WebSocket", () => {
  const fx = withEchoServer(CALM_HEARTBEATS);

  function connect() {
    fx.socket = new Socket(fx.server.url, { path: "/engine.io" });
    return fx.socket;
  }

  it("opens over polling and emits upgrade to websocket", async () => {
    const s = connect();
    const opened = once(s, "open", 5000, { rejectOn: ["error", "close"] });
    const upgraded = once(s, "upgrade", 5000, { rejectOn: ["upgradeError", "close"] });
    await opened;
    assert.equal(s.transport.name, "polling");
    const [transport] = await upgraded;
    assert.equal(transport.name, "websocket");
    assert.equal(s.transport.name, "websocket");
    assert.deepEqual(await echoAll(s, ["after upgrade"]), ["after upgrade"]);
    await closeClient(s);
  });

  it("delivers messages sent before, during and after the upgrade exactly once and in order", async () => {
    const s = connect();
    const received = [];
    const sent = [];
    const send = (m) => {
      sent.push(m);
      s.send(m);
    };
    s.on("message", (m) => received.push(m));
    s.on("open", () => {
      for (let i = 0; i < 30; i++) send(`before ${i}`);
    });
    s.on("upgrading", () => {
      for (let i = 0; i < 30; i++) send(`during ${i}`);
    });
    const upgraded = once(s, "upgrade", 5000, { rejectOn: ["upgradeError", "close"] });
    s.on("upgrade", () => {
      for (let i = 0; i < 30; i++) send(`after ${i}`);
    });
    await upgraded;
    await until(s, "message", () => received.length >= sent.length, 5000, `${sent.length} echoes`);
    // One more round trip flushes out any late duplicate.
    send("end");
    await until(s, "message", () => received.includes("end"), 5000, "the 'end' echo");
    assert.deepEqual(received, sent);
    await closeClient(s);
  });

  it("keeps an echo chain unbroken across the upgrade", async () => {
    const s = connect();
    const received = [];
    let upgradedAt = -1;
    let next = 0;
    s.on("open", () => s.send(`chain ${next++}`));
    s.on("upgrade", () => {
      upgradedAt = received.length;
    });
    s.on("message", (m) => {
      received.push(m);
      // Keep exactly one message in flight until 20 echoes after the upgrade.
      if (upgradedAt < 0 || received.length < upgradedAt + 20) s.send(`chain ${next++}`);
    });
    await until(s, "message", () => upgradedAt >= 0 && received.length >= upgradedAt + 20, 10_000, "20 echoes after the upgrade");
    assert.deepEqual(received, Array.from({ length: received.length }, (_, i) => `chain ${i}`));
    assert.equal(s.transport.name, "websocket");
    await closeClient(s);
  });

  it("carries binary messages across the upgrade", async () => {
    const s = connect();
    s.binaryType = "arraybuffer";
    const received = [];
    const sent = [];
    const send = (m) => {
      sent.push([...m]);
      s.send(m);
    };
    s.on("message", (m) => received.push(bytes(m)));
    s.on("open", () => {
      for (let i = 0; i < 10; i++) send(Uint8Array.from([0, i, 255]));
    });
    s.on("upgrading", () => {
      for (let i = 0; i < 10; i++) send(Uint8Array.from([1, i, 255]));
    });
    const upgraded = once(s, "upgrade", 5000, { rejectOn: ["upgradeError", "close"] });
    s.on("upgrade", () => {
      for (let i = 0; i < 10; i++) send(Uint8Array.from([2, i, 255]));
    });
    await upgraded;
    await until(s, "message", () => received.length >= sent.length, 5000, `${sent.length} echoes`);
    send(Uint8Array.from([3]));
    await until(s, "message", () => received.some((m) => m.length === 1 && m[0] === 3), 5000, "the final echo");
    assert.deepEqual(received, sent);
    await closeClient(s);
  });
});
