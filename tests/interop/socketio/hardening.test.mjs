// Hardening (docs/security.md), against the real sio-test-server: what one hostile client sends costs the
// server a bounded amount (RSS read from /proc/PID/status), closes or refuses only that client,
// and a bystander socket.io-client (WebSocket) and a polling one keep getting their acks.
//
// sio-test-server runs with --max-payload 2000000, --connect-timeout 500,
// --max-namespaces-per-client 4, --max-child-namespaces 3, --max-auth-bytes 1000 and
// --max-pending-acks 3.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";
import {
  call,
  CAP_MS,
  closeAll,
  connect,
  connectError,
  Recorder,
  openRaw,
  pollingSession,
  serverDisconnect,
  withBystanders,
} from "../lib/sio.mjs";
import { once } from "../lib/server.mjs";

const placeholder = (num) => ({ _placeholder: true, num });

// The server's resident set in bytes (VmRSS of /proc/PID/status).
function rss(server) {
  const status = readFileSync(`/proc/${server.proc.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

// Asks until `predicate(answer)` holds for the `namespaces` hook; every ask is a round trip, so
// this waits for the server's loop, not for a fixed time.
async function namespacesUntil(observer, name, predicate) {
  const deadline = Date.now() + CAP_MS;
  for (;;) {
    const answer = await call(observer, "namespaces", { name });
    if (predicate(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`namespaces(${name}): ${JSON.stringify(answer)}`);
  }
}

describe("hardening of the Socket.IO layer", () => {
  const fx = withBystanders([
      "--max-payload", "2000000",
      "--connect-timeout", "500",
      "--max-namespaces-per-client", "4",
      "--max-child-namespaces", "3",
      "--max-auth-bytes", "1000",
      "--max-pending-acks", "3",
      "--log-level", "off",
  ]);

  // The bystanders still get their acks, each well within the cap.
  async function othersGoOn() {
    const started = Date.now();
    assert.equal(await call(fx.ws, "echo", "ws still here"), "ws still here");
    assert.equal(await call(fx.polling, "echo", "polling still here"), "polling still here");
    return Date.now() - started;
  }

  describe("work multiplied by the input", () => {
    it("closes a binary packet that names one attachment 3000 times, RSS barely moves", async (t) => {
      await othersGoOn();
      const before = rss(fx.server);
      const raw = await openRaw(fx.server.port);
      const { sid } = await raw.connect("/");
      // Without the one-use rule: 3000 copies of 600 KB, 1.8 GB.
      const names = Array.from({ length: 3000 }, () => placeholder(0));
      raw.send(`51-1${JSON.stringify(["echo", ...names])}`);
      raw.sendBinary(Buffer.alloc(600_000, 1));
      await raw.closed();
      assert.equal((await serverDisconnect(fx.ws, sid)).reason, "parse error");
      const grown = rss(fx.server) - before;
      assert.ok(grown < 32 * 1024 * 1024, `RSS grew by ${grown} bytes`);
      const ackMs = await othersGoOn();
      t.diagnostic(`RSS growth ${(grown / 1048576).toFixed(1)} MB; bystander acks in ${ackMs} ms`);
    });

    it("closes a binary packet with an attachment no placeholder names", async () => {
      const raw = await openRaw(fx.server.port);
      const { sid } = await raw.connect("/");
      raw.send(`52-1${JSON.stringify(["echo", placeholder(1)])}`);
      await raw.closed();
      assert.equal((await serverDisconnect(fx.ws, sid)).reason, "parse error");
      await othersGoOn();
    });

    it("still echoes attachments that are each named once", async () => {
      const raw = await openRaw(fx.server.port);
      await raw.connect("/");
      raw.send(`52-1${JSON.stringify(["echo", placeholder(1), { x: placeholder(0) }])}`);
      raw.sendBinary(Buffer.from([1]));
      raw.sendBinary(Buffer.from([2]));
      assert.match(await raw.nextText(), /^462-1\[/);
      raw.destroy();
    });
  });

  describe("namespaces", () => {
    it("refuses a 300,000-byte namespace name before the regex sees it; the server lives", async () => {
      const raw = await openRaw(fx.server.port);
      const name = `/dyn-${"1".repeat(300_000)}`;
      raw.send(`0${name},`);
      assert.equal(await raw.nextText(), `44${name},{"message":"Invalid namespace"}`);
      // The connection stays usable, and so does the server.
      const { sid } = await raw.connect("/");
      assert.equal(typeof sid, "string");
      raw.destroy();
      await othersGoOn();
    });

    it("accepts a dynamic namespace name of 256 bytes and refuses 257", async () => {
      const raw = await openRaw(fx.server.port);
      const fits = `/dyn-${"2".repeat(251)}`;
      const { sid } = await raw.connect(fits);
      assert.equal(typeof sid, "string");
      raw.send(`0${fits}3,`);
      assert.equal(await raw.nextText(), `44${fits}3,{"message":"Invalid namespace"}`);
      raw.destroy();
    });

    it("removes a dynamic child namespace once its last socket leaves", async () => {
      const socket = await connect(fx.server.url, "/dyn-41", { transports: ["websocket"] });
      assert.equal((await call(fx.ws, "namespaces", { name: "/dyn-41" })).has, true);
      socket.disconnect();
      await namespacesUntil(fx.ws, "/dyn-41", (a) => !a.has);
    });

    it("removes a child whose CONNECT a client abandoned", async () => {
      const raw = await openRaw(fx.server.port);
      await raw.connect("/dyn-42");
      raw.destroy();
      await namespacesUntil(fx.ws, "/dyn-42", (a) => !a.has);
    });

    it("caps the dynamic children at 3, and frees a place when one empties", async () => {
      const held = [];
      for (const n of [1, 2, 3]) held.push(await connect(fx.server.url, `/dyn-${n}`, { transports: ["websocket"] }));
      const fourth = io(`${fx.server.url}/dyn-4`, { forceNew: true, reconnection: false, transports: ["websocket"] });
      assert.equal((await connectError(fourth)).message, "Too many namespaces");
      fourth.disconnect();
      held.shift().disconnect();
      await namespacesUntil(fx.ws, "/dyn-1", (a) => !a.has);
      held.push(await connect(fx.server.url, "/dyn-4", { transports: ["websocket"] }));
      closeAll(...held);
      await namespacesUntil(fx.ws, "/dyn-4", (a) => !a.has);
      await othersGoOn();
    });

    it("caps the namespaces one connection joins at 4", async () => {
      const raw = await openRaw(fx.server.port);
      for (const nsp of ["/", "/a", "/b", "/recover"]) await raw.connect(nsp);
      raw.send("0/mw,");
      assert.equal(await raw.nextText(), '44/mw,{"message":"Too many namespaces"}');
      // Leaving one frees its place.
      raw.send("1/a,");
      await raw.connect("/mw", { token: "good" });
      raw.destroy();
      await othersGoOn();
    });

    it("refuses an auth payload above 1000 bytes, and keeps the connection", async () => {
      const raw = await openRaw(fx.server.port);
      raw.send(`0/a,${JSON.stringify({ token: "x".repeat(1000) })}`);
      assert.equal(await raw.nextText(), '44/a,{"message":"Auth payload too large"}');
      const { sid } = await raw.connect("/a", { token: "x".repeat(900) });
      assert.equal(typeof sid, "string");
      raw.destroy();
    });
  });

  describe("acks a client owes", () => {
    it("past 3 unanswered acks, emit_with_ack fails at once and nothing more is kept", async () => {
      // socket.io-client answers no ack for an event it has no listener for.
      const victim = await connect(fx.server.url, "/", { transports: ["websocket"] });
      const results = new Recorder(victim, "server-ack-result");
      for (let i = 0; i < 4; i++) await call(victim, "server-ack", { timeout_ms: 0 });
      await results.waitFor(1);
      assert.equal(results.calls.length, 1);
      assert.equal(results.firsts[0].err, "No buffer space available");
      victim.disconnect();
      await othersGoOn();
    });
  });

  describe("sessions that join nothing", () => {
    it("closes a polling session that never sends CONNECT after connectTimeout", async () => {
      const session = await pollingSession(fx.server.url);
      // The long-poll ends with the close packet (or the session is already gone).
      const next = await session.get();
      assert.ok(next.status === 400 || next.body.includes("1"), `${next.status} ${next.body}`);
      const after = await session.get();
      assert.equal(after.status, 400);
      await othersGoOn();
    });

    it("closes a WebSocket session that left every namespace, after connectTimeout", async () => {
      const raw = await openRaw(fx.server.port);
      const { sid } = await raw.connect("/");
      raw.send("1");
      assert.equal((await serverDisconnect(fx.ws, sid)).reason, "client namespace disconnect");
      await raw.closed(CAP_MS);
      await othersGoOn();
    });
  });

  describe("exceptions from user code", () => {
    it("a throwing event handler disconnects that socket only", async () => {
      const victim = await connect(fx.server.url, "/", { transports: ["websocket"] });
      const sid = victim.id;
      const gone = once(victim, "disconnect", CAP_MS);
      victim.emit("throw");
      const [reason] = await gone;
      assert.equal(reason, "io server disconnect");
      assert.equal((await serverDisconnect(fx.ws, sid)).reason, "server namespace disconnect");
      await othersGoOn();
    });

    it("a throwing on_any handler disconnects that socket only", async () => {
      const victim = await connect(fx.server.url, "/", { transports: ["websocket"] });
      await call(victim, "throw-any", { event: "boom" });
      const gone = once(victim, "disconnect", CAP_MS);
      victim.emit("boom");
      assert.equal((await gone)[0], "io server disconnect");
      await othersGoOn();
    });

    it("a throwing ack handler disconnects that socket only", async () => {
      const victim = await connect(fx.server.url, "/", { transports: ["websocket"] });
      victim.on("need-ack", (cb) => cb("answer"));
      const gone = once(victim, "disconnect", CAP_MS);
      await call(victim, "throw-on-ack");
      assert.equal((await gone)[0], "io server disconnect");
      await othersGoOn();
    });

    it("a throwing middleware refuses the CONNECT with 'Server error'", async () => {
      const victim = io(`${fx.server.url}/throwing`, {
        forceNew: true,
        reconnection: false,
        transports: ["websocket"],
        auth: { throw: "middleware" },
      });
      assert.equal((await connectError(victim)).message, "Server error");
      victim.disconnect();
      const fine = await connect(fx.server.url, "/throwing", { transports: ["websocket"], auth: {} });
      assert.equal(await call(fine, "echo", 1), 1);
      fine.disconnect();
      await othersGoOn();
    });

    it("a throwing connection handler disconnects that socket only", async () => {
      const victim = io(`${fx.server.url}/throwing`, {
        forceNew: true,
        reconnection: false,
        transports: ["websocket"],
        auth: { throw: "connection" },
      });
      const [reason] = await once(victim, "disconnect", CAP_MS);
      assert.equal(reason, "io server disconnect");
      victim.disconnect();
      await othersGoOn();
    });
  });
});
