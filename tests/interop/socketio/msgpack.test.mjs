// The msgpack parser: npm socket.io-client 4.8 with npm socket.io-msgpack-parser (`parser:
// msgpackParser`) against `conformance-server --parser msgpack`, over polling and WebSocket:
// events, acks, binary (nested too), auth, namespaces and refusals. Malformed MessagePack closes
// that one connection with "parse error" and a bystander keeps getting its answers.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import msgpackParser from "socket.io-msgpack-parser";
import { Socket as EngineSocket } from "engine.io-client";
import { CALM_HEARTBEATS, startServer, once } from "../lib/server.mjs";
import { call, CAP_MS, closeAll, connect, connectError } from "../lib/sio.mjs";

const normalize = (value) => {
  if (value instanceof ArrayBuffer) return { bin: [...new Uint8Array(value)] };
  if (ArrayBuffer.isView(value)) return { bin: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
};

const MODES = { polling: ["polling"], websocket: ["websocket"], upgrade: ["polling", "websocket"] };

describe("socket.io-msgpack-parser against conformance-server --parser msgpack", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server", ["--parser", "msgpack", ...CALM_HEARTBEATS]);
  });
  after(async () => {
    const { code } = await server.stop();
    assert.equal(code, 0, server.stderr());
  });

  for (const [mode, transports] of Object.entries(MODES)) {
    it(`events, acks and binary over ${mode}`, async () => {
      const s = io(server.url, { forceNew: true, reconnection: false, transports, parser: msgpackParser });
      const [auth] = await once(s, "auth", CAP_MS);
      assert.deepEqual(auth, {});
      const args = [1, "two", { three: [3.5, null, true] }, Buffer.from([0, 1, 2, 255]), { nested: { bytes: Uint8Array.of(9, 8) } }];
      s.emit("message", ...args);
      const back = await once(s, "message-back", CAP_MS);
      assert.deepEqual(normalize(back), normalize(args));
      const acked = await s.timeout(CAP_MS).emitWithAck("message-with-ack", "a", Buffer.from("bin"));
      // emitWithAck resolves with the first argument of the ack.
      assert.equal(acked, "a");
      const both = await new Promise((resolve) => s.emit("message-with-ack", { x: 1 }, Buffer.from([7]), (...a) => resolve(a)));
      assert.deepEqual(normalize(both), normalize([{ x: 1 }, Buffer.from([7])]));
      s.disconnect();
    });
  }

  it("auth payloads, a second namespace, and a refused one", async () => {
    const a = io(server.url + "/custom", { forceNew: true, reconnection: false, parser: msgpackParser, auth: { token: "t-1", n: 5 } });
    const [auth] = await once(a, "auth", CAP_MS);
    assert.deepEqual(auth, { token: "t-1", n: 5 });
    const bad = io(server.url + "/nope", { forceNew: true, reconnection: false, parser: msgpackParser });
    const err = await connectError(bad);
    assert.equal(err.message, "Invalid namespace");
    closeAll(a, bad);
  });

  it("a client of the JSON parser does not get in", async () => {
    await assert.rejects(connect(server.url, "/", { transports: ["websocket"] }));
  });

  it("malformed MessagePack closes that connection only", async () => {
    const bystander = await connect(server.url, "/", { parser: msgpackParser, transports: ["websocket"] });
    const hostile = [
      Buffer.from([0xc1]), // the byte MessagePack never uses
      Buffer.from([0x81, 0xa4, 0x74, 0x79, 0x70, 0x65]), // a map cut short
      Buffer.from([0x83, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x09, 0xa3, 0x6e, 0x73, 0x70, 0xa1, 0x2f, 0xa4, 0x64, 0x61, 0x74, 0x61, 0x90]), // type 9
      Buffer.from([0x83, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x02, 0xa3, 0x6e, 0x73, 0x70, 0xa1, 0x2f, 0xa4, 0x64, 0x61, 0x74, 0x61, 0x91, 0x05]), // event name 5
      Buffer.concat([Buffer.from([0x83, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x02, 0xa3, 0x6e, 0x73, 0x70, 0xa1, 0x2f, 0xa4, 0x64, 0x61, 0x74, 0x61]), Buffer.alloc(200, 0x91)]), // 200 deep
    ];
    for (const bytes of ["0{}", ...hostile]) {
      const e = new EngineSocket(server.url, { path: "/socket.io/", transports: ["websocket"] });
      await once(e, "open", CAP_MS);
      e.send(bytes);
      const [reason] = await once(e, "close", CAP_MS).catch((err) => { throw new Error(`no close after ${Buffer.from(bytes).toString("hex")}: ${err.message}`); });
      assert.ok(reason, `closed after ${JSON.stringify(bytes)}`);
    }
    const back = await call(bystander, "message-with-ack", "still here");
    assert.equal(back, "still here");
    bystander.disconnect();
  });
});
