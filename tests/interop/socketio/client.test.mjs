// npm socket.io-client 4.8 against sio-test-server: the three transport modes, auth and the
// handshake, middleware refusals with data, events and acks both ways (with a timeout that
// fires), binary both ways (nested too), dynamic namespaces and several namespaces on one
// Engine.IO connection.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { io, Manager } from "socket.io-client";
import { once } from "../lib/server.mjs";
import {
  call,
  CAP_MS,
  closeAll,
  connect,
  connectError,
  Recorder,
  startSio,
  stopClean,
} from "../lib/sio.mjs";

// Binary values become { bin: [bytes] } so deepEqual compares them whatever their JS type.
function normalize(value) {
  if (value instanceof ArrayBuffer) return { bin: [...new Uint8Array(value)] };
  if (ArrayBuffer.isView(value)) {
    return { bin: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

const MODES = {
  polling: { transports: ["polling"], expect: "polling" },
  websocket: { transports: ["websocket"], expect: "websocket" },
  upgrade: { transports: ["polling", "websocket"], expect: "websocket" },
};

describe("socket.io-client against sio-test-server", () => {
  let server;
  before(async () => {
    server = await startSio();
  });
  after(async () => {
    await stopClean(server);
  });

  for (const [mode, { transports, expect }] of Object.entries(MODES)) {
    describe(`transport ${mode}`, () => {
      let socket;
      before(async () => {
        socket = io(server.url, { forceNew: true, reconnection: false, transports });
        const upgraded = mode === "upgrade" ? once(socket.io, "open").then(() => once(socket.io.engine, "upgrade")) : null;
        await once(socket, "connect", CAP_MS, { rejectOn: ["connect_error"] });
        if (upgraded) await upgraded;
      });
      after(() => closeAll(socket));

      it(`runs on ${expect} on both ends`, async () => {
        assert.equal(socket.io.engine.transport.name, expect);
        const me = await call(socket, "whoami");
        assert.equal(me.id, socket.id);
        assert.equal(me.nsp, "/");
        assert.equal(me.transport, expect);
      });

      it("carries events both ways", async () => {
        const echoes = new Recorder(socket, "echo");
        socket.emit("echo", "text", 42, { nested: [true, null, 1.5] });
        const [args] = await echoes.waitFor(1);
        assert.deepEqual(args, ["text", 42, { nested: [true, null, 1.5] }]);
      });

      it("answers a client ack with the arguments", async () => {
        const answer = await socket.timeout(CAP_MS).emitWithAck("echo", { a: 1 }, "two");
        assert.deepEqual(answer, { a: 1 });
      });

      it("carries binary both ways, nested in objects and arrays", async () => {
        const sent = {
          buf: Buffer.from([1, 2, 3]),
          list: [new Uint8Array([4, 5]), { deep: Buffer.from([0, 255]) }],
          text: "mixed",
        };
        const echoes = new Recorder(socket, "echo");
        const ack = await socket.timeout(CAP_MS).emitWithAck("echo", sent, Buffer.from("top"));
        const [args] = await echoes.waitFor(1);
        assert.deepEqual(normalize(ack), normalize(sent));
        assert.deepEqual(normalize(args), normalize([sent, Buffer.from("top")]));
      });

      it("sends server-made binary, nested", async () => {
        const binary = new Recorder(socket, "binary");
        await call(socket, "make-binary");
        const [args] = await binary.waitFor(1);
        assert.deepEqual(normalize(args), [
          { bin: [0, 255, 128] },
          { label: "nested", buf: { bin: [1, 2, 3] }, list: [{ bin: [4, 5] }, { deep: { bin: [6] } }] },
        ]);
      });

      it("gets the client's answer to a server emit_with_ack", async () => {
        socket.once("need-ack", (...args) => {
          const cb = args.pop();
          cb({ got: args }, Buffer.from([9]));
        });
        const result = once(socket, "server-ack-result");
        await call(socket, "server-ack", { timeout_ms: 2000, args: ["q", 1] });
        const [{ err, args }] = await result;
        assert.equal(err, "");
        assert.deepEqual(normalize(args), [{ got: ["q", 1] }, { bin: [9] }]);
      });
    });
  }

  it("times out a server emit_with_ack the client never answers", async () => {
    const socket = await connect(server.url);
    try {
      let asked = 0;
      socket.on("need-ack", () => {
        asked++; // the callback is never called
      });
      const result = once(socket, "server-ack-result", CAP_MS);
      await call(socket, "server-ack", { timeout_ms: 200 });
      const [{ err, args }] = await result;
      assert.equal(asked, 1);
      assert.equal(err, "timeout");
      assert.deepEqual(args, []);
    } finally {
      closeAll(socket);
    }
  });

  // socket.io 4.8 packages/socket.io/lib/socket.ts registerAckCallback(): the timeout is a plain
  // setTimeout that calls the callback with "operation has timed out" whether or not the socket
  // is still connected.
  it("times out a server emit_with_ack whose socket leaves before answering", async () => {
    const a = await connect(server.url);
    const observer = await connect(server.url);
    try {
      a.on("need-ack", () => a.disconnect());
      const result = once(observer, "server-ack-result", CAP_MS);
      await call(a, "server-ack", { timeout_ms: 200, report_to: observer.id });
      const [{ err }] = await result;
      assert.notEqual(err, "", "the callback gets an error (socket.io: the timeout)");
    } finally {
      closeAll(a, observer);
    }
  });

  it("leaves a client ack to an unknown event unanswered (client-side timeout fires)", async () => {
    const socket = await connect(server.url);
    try {
      await assert.rejects(socket.timeout(200).emitWithAck("no-such-event", 1), /timed out/);
      // The connection is still fine.
      assert.deepEqual(await call(socket, "echo", "after"), "after");
    } finally {
      closeAll(socket);
    }
  });

  it("passes the auth payload, query and headers into the handshake", async () => {
    const socket = await connect(server.url, "/", {
      auth: { token: "abc", n: 7 },
      query: { room: "lobby", "x y": "a&b" },
      extraHeaders: { "X-Test-Header": "hello" },
    });
    try {
      const hs = await call(socket, "handshake");
      assert.deepEqual(hs.auth, { token: "abc", n: 7 });
      assert.equal(hs.query.room, "lobby");
      assert.equal(hs.query["x y"], "a&b");
      assert.equal(hs.query.EIO, "4");
      assert.equal(hs.headers["x-test-header"], "hello");
      assert.match(hs.address, /^(::ffff:)?127\.0\.0\.1$/);
      assert.match(hs.url, /^\/socket\.io\/\?/);
      assert.ok(Math.abs(hs.issued - Date.now()) < 60_000, `issued ${hs.issued}`);
    } finally {
      closeAll(socket);
    }
  });

  describe("middleware", () => {
    it("refuses with message and data in connect_error", async () => {
      const socket = io(server.url + "/mw", { forceNew: true, reconnection: false, auth: { token: "bad" } });
      try {
        const err = await connectError(socket);
        assert.equal(err.message, "unauthorized");
        assert.deepEqual(err.data, { code: 401 });
        assert.equal(socket.connected, false);
      } finally {
        closeAll(socket);
      }
    });

    it("admits a good token", async () => {
      const socket = await connect(server.url, "/mw", { auth: { token: "good" } });
      try {
        assert.equal((await call(socket, "whoami")).nsp, "/mw");
      } finally {
        closeAll(socket);
      }
    });

    it("refuses from an asynchronous middleware", async () => {
      const socket = io(server.url + "/async", { forceNew: true, reconnection: false, auth: { token: "no" } });
      try {
        const err = await connectError(socket);
        assert.equal(err.message, "async unauthorized");
        assert.deepEqual(err.data, { code: 403 });
      } finally {
        closeAll(socket);
      }
    });

    it("admits from an asynchronous middleware", async () => {
      const socket = await connect(server.url, "/async", { auth: { token: "good" } });
      try {
        assert.equal((await call(socket, "whoami")).nsp, "/async");
      } finally {
        closeAll(socket);
      }
    });

    it("refusing one namespace leaves the connection's other namespaces working", async () => {
      const manager = new Manager(server.url, { reconnection: false });
      const main = manager.socket("/");
      const mw = manager.socket("/mw", { auth: { token: "bad" } });
      try {
        main.connect();
        mw.connect();
        await once(main, "connect", CAP_MS);
        const err = await connectError(mw);
        assert.equal(err.message, "unauthorized");
        assert.equal(await call(main, "echo", "still here"), "still here");
      } finally {
        closeAll(main, mw);
      }
    });
  });

  describe("namespaces", () => {
    it("creates a dynamic namespace matching the regex", async () => {
      const socket = await connect(server.url, "/dyn-42");
      try {
        assert.equal((await call(socket, "whoami")).nsp, "/dyn-42");
      } finally {
        closeAll(socket);
      }
    });

    it("refuses an unknown namespace with 'Invalid namespace'", async () => {
      const socket = io(server.url + "/nope", { forceNew: true, reconnection: false });
      try {
        const err = await connectError(socket);
        assert.equal(err.message, "Invalid namespace");
      } finally {
        closeAll(socket);
      }
    });

    it("multiplexes /a and /b on one Engine.IO connection", async () => {
      const a = io(server.url + "/a", { reconnection: false });
      const b = io(server.url + "/b", { reconnection: false });
      try {
        await Promise.all([once(a, "connect", CAP_MS), once(b, "connect", CAP_MS)]);
        assert.equal(a.io, b.io, "one Manager");
        assert.ok(a.io.engine.id);
        assert.equal(a.io.engine.id, b.io.engine.id, "one engine id");
        const [wa, wb] = await Promise.all([call(a, "whoami"), call(b, "whoami")]);
        assert.equal(wa.nsp, "/a");
        assert.equal(wb.nsp, "/b");
        assert.equal(wa.id, a.id);
        assert.equal(wb.id, b.id);
        assert.notEqual(a.id, b.id);
        // Events stay on their namespace.
        const echoA = new Recorder(a, "echo");
        const echoB = new Recorder(b, "echo");
        b.emit("echo", "to b");
        a.emit("echo", "to a");
        await echoA.waitFor(1);
        await echoB.waitFor(1);
        assert.deepEqual(echoA.firsts, ["to a"]);
        assert.deepEqual(echoB.firsts, ["to b"]);
        // Leaving /a keeps /b (and the shared connection) alive.
        a.disconnect();
        assert.equal(await call(b, "echo", "b alone"), "b alone");
        assert.equal(b.io.engine.readyState, "open");
      } finally {
        closeAll(a, b);
      }
    });
  });

  // socket.io-client's manager.socket(nsp) sends a CONNECT at once when the Manager is open, and
  // a later .connect() sends another before the first is answered. socket.io 4.8 joins a
  // namespace asynchronously (packages/socket.io/lib/namespace.ts _add(): awaited
  // _createSocket, then the middlewares, then process.nextTick before _doConnect sets
  // client.nsps), so both CONNECTs of one read are taken and the connection stays. Kibitz joins
  // synchronously, so the second CONNECT meets a joined namespace and client.cpp on_packet
  // closes the connection ("forced server close") since commit 0041e6f.
  it("keeps the connection when a second CONNECT comes before the first is answered", async () => {
    const s = await connect(server.url, "/", { transports: ["websocket"] });
    const other = s.io.socket("/a");
    other.connect();
    try {
      await once(other, "connect", CAP_MS, { rejectOn: ["disconnect", "connect_error"] });
      assert.equal(await call(other, "echo", "a"), "a");
      assert.equal(await call(s, "echo", "main"), "main");
    } finally {
      closeAll(s, other);
    }
  });

  it("keeps socket.data on the server", async () => {
    const socket = await connect(server.url);
    try {
      await call(socket, "data-set", { key: "nick", value: "ann" });
      assert.deepEqual(await call(socket, "data-get"), { nick: "ann" });
    } finally {
      closeAll(socket);
    }
  });
});
