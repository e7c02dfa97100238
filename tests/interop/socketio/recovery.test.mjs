// Connection state recovery (socket.io 4.6 semantics) with socket.io-client 4.8 against
// `sio-test-server --recovery`: a forced transport close, broadcasts into the socket's room while
// it is away, then a reconnect with socket.recovered === true, the same id, rooms and data, and
// the missed events received once and in order. socket.io-client recovers by itself when the
// server's CONNECT carries a `pid`; with recovery on, every event carries its offset as a last
// extra argument (socket.io does the same), so the tests compare first arguments.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "../lib/server.mjs";
import {
  call,
  CAP_MS,
  closeAll,
  connect,
  connected,
  openRaw,
  Recorder,
  serverDisconnect,
  startSio,
  stopClean,
} from "../lib/sio.mjs";

describe("connection state recovery", () => {
  let server;
  before(async () => {
    server = await startSio(["--recovery"]);
  });
  after(async () => {
    await stopClean(server);
  });

  for (const [nsp, transports] of [
    ["/recover", ["polling"]],
    ["/recover", ["websocket"]],
    ["/", ["polling", "websocket"]],
  ]) {
    it(`recovers on ${nsp} over ${transports.join("+")} with the missed events once and in order`, async () => {
      const a = await connect(server.url, nsp, { transports });
      const b = await connect(server.url, nsp);
      try {
        assert.equal(typeof a._pid, "string", "the CONNECT answer carries a pid");
        if (transports.length === 2 && a.io.engine.transport.name !== "websocket") {
          await once(a.io.engine, "upgrade", CAP_MS);
        }
        await call(a, "join", { room: "r" });
        await call(a, "data-set", { key: "nick", value: "ann" });
        // An event gives the client an offset to resume from.
        const echoes = new Recorder(a, "echo");
        a.emit("echo", "before");
        const [[first, offset]] = await echoes.waitFor(1);
        assert.equal(first, "before");
        assert.equal(typeof offset, "string", "an event carries its offset last");

        const missed = new Recorder(a, "missed");
        const aId = a.id;
        const gone = once(a, "disconnect", CAP_MS);
        a.io.engine.close();
        const [clientReason] = await gone;
        assert.equal(clientReason, "forced close");
        assert.equal((await serverDisconnect(b, aId)).reason, "transport close");

        // While a is away: three events into its room, one elsewhere, one to everyone.
        for (const n of [1, 2, 3]) await call(b, "to-room", { room: "r", event: "missed", args: [n] });
        await call(b, "to-room", { room: "elsewhere", event: "missed", args: ["not for a"] });
        await call(b, "emit-all", { event: "missed", args: [4] });

        a.connect();
        await connected(a);
        assert.equal(a.recovered, true);
        assert.equal(a.id, aId);
        await missed.waitFor(4);
        await call(a, "echo", "sync");
        assert.deepEqual(missed.firsts, [1, 2, 3, 4]);

        const me = await call(a, "whoami");
        assert.equal(me.recovered, true);
        assert.equal(me.id, aId);
        assert.ok((await call(a, "rooms")).includes("r"));
        assert.deepEqual(await call(a, "data-get"), { nick: "ann" });

        // Live again: the next event arrives once.
        await call(b, "to-room", { room: "r", event: "missed", args: [5] });
        await missed.waitFor(5);
        await call(a, "echo", "sync");
        assert.deepEqual(missed.firsts, [1, 2, 3, 4, 5]);
      } finally {
        closeAll(a, b);
      }
    });
  }

  it("recovers by itself when the client reconnects on its own", async () => {
    const a = await connect(server.url, "/", {
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 50,
      randomizationFactor: 0,
    });
    try {
      const echoes = new Recorder(a, "echo");
      a.emit("echo", "before");
      await echoes.waitFor(1);
      const aId = a.id;
      const back = once(a, "connect", CAP_MS);
      a.io.engine.close();
      await back;
      assert.equal(a.recovered, true);
      assert.equal(a.id, aId);
    } finally {
      closeAll(a);
    }
  });

  it("does not recover after a client namespace disconnect", async () => {
    const a = await connect(server.url, "/", { transports: ["websocket"] });
    const b = await connect(server.url);
    try {
      const echoes = new Recorder(a, "echo");
      a.emit("echo", "before");
      await echoes.waitFor(1);
      const aId = a.id;
      a.disconnect();
      assert.equal((await serverDisconnect(b, aId)).reason, "client namespace disconnect");
      a.connect();
      await connected(a);
      assert.equal(a.recovered, false);
      assert.notEqual(a.id, aId);
    } finally {
      closeAll(a, b);
    }
  });

  it("starts a new session for an unknown pid", async () => {
    const raw = await openRaw(server.port);
    try {
      const answer = await raw.connect("/recover", { pid: "no-such-pid", offset: "1" });
      assert.equal(typeof answer.sid, "string");
      assert.equal(typeof answer.pid, "string");
      assert.notEqual(answer.pid, "no-such-pid");
    } finally {
      raw.destroy();
    }
  });

  it("never shows a socket's private id to other clients", async () => {
    const a = await connect(server.url);
    const b = await connect(server.url);
    try {
      const pid = a._pid;
      assert.equal(typeof pid, "string");
      await call(a, "join", { room: "p" });
      const seen = JSON.stringify([await call(b, "fetch", {}), await call(b, "handshake")]);
      assert.ok(!seen.includes(pid), "pid leaked through fetch_sockets or the handshake");
      assert.ok(seen.includes(a.id));
    } finally {
      closeAll(a, b);
    }
  });
});
