// engine.io-client 6 binary round trips: Uint8Array, ArrayBuffer and Buffer out, ArrayBuffer or
// Buffer back, over polling (base64 'b' packets) and WebSocket (binary frames).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CALM_HEARTBEATS } from "../lib/server.mjs";
import { bytes, echoAll, withEchoServer } from "../lib/eio.mjs";

function pattern(length) {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

for (const transport of ["polling", "websocket"]) {
  describe(`engine.io-client binary over ${transport}`, () => {
    const fx = withEchoServer(CALM_HEARTBEATS);

    async function open(binaryType) {
      await fx.open({ transports: [transport] });
      if (binaryType) fx.socket.binaryType = binaryType;
      return fx.socket;
    }

    it("echoes a Uint8Array as an ArrayBuffer when binaryType is arraybuffer", async () => {
      const s = await open("arraybuffer");
      const [echo] = await echoAll(s, [Uint8Array.from([1, 2, 3, 255, 0])]);
      assert.ok(echo instanceof ArrayBuffer, `got ${Object.prototype.toString.call(echo)}`);
      assert.deepEqual(bytes(echo), [1, 2, 3, 255, 0]);
    });

    it("echoes an ArrayBuffer as a Buffer by default", async () => {
      const s = await open();
      const [echo] = await echoAll(s, [Uint8Array.from([9, 8, 7]).buffer]);
      assert.ok(Buffer.isBuffer(echo), `got ${Object.prototype.toString.call(echo)}`);
      assert.deepEqual(bytes(echo), [9, 8, 7]);
    });

    it("echoes a Buffer", async () => {
      const s = await open();
      const [echo] = await echoAll(s, [Buffer.from("binary \u00e9", "utf8")]);
      assert.deepEqual(bytes(echo), [...Buffer.from("binary \u00e9", "utf8")]);
    });

    it("echoes a one-byte and an all-byte-values message", async () => {
      const s = await open("arraybuffer");
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const [one, every] = await echoAll(s, [Uint8Array.from([0]), all]);
      assert.deepEqual(bytes(one), [0]);
      assert.deepEqual(bytes(every), [...all]);
    });

    it("keeps text and binary messages in order", async () => {
      const s = await open("arraybuffer");
      const sent = ["t0", Uint8Array.from([0]), "t1", Uint8Array.from([1, 1]), Uint8Array.from([2]), "t2"];
      const got = await echoAll(s, sent);
      assert.deepEqual(
        got.map((m) => (typeof m === "string" ? m : bytes(m))),
        sent.map((m) => (typeof m === "string" ? m : [...m])),
      );
    });

    it("echoes a 300 kB binary message", async () => {
      const s = await open("arraybuffer");
      const data = pattern(300_000);
      const [echo] = await echoAll(s, [data], 10_000);
      assert.equal(echo.byteLength, data.length);
      assert.ok(Buffer.from(echo).equals(Buffer.from(data)), "echoed bytes differ");
    });
  });
}
