// engine.io-client 6 on a single transport (polling only, WebSocket only): open, text round
// trips, ordering and a clean client-side close.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "../lib/server.mjs";
import { Socket } from "engine.io-client";
import { echoAll, poll, withEchoServer } from "../lib/eio.mjs";

for (const transport of ["polling", "websocket"]) {
  describe(`engine.io-client with ${transport} only`, () => {
    const fx = withEchoServer();

    async function open() {
      await fx.open({ transports: [transport] });
      return fx.socket;
    }

    it("opens with the server's heartbeat settings", async () => {
      const s = new Socket(fx.server.url, { path: "/engine.io", transports: [transport] });
      fx.socket = s;
      const opened = once(s, "open", 5000, { rejectOn: ["error", "close"] });
      const [handshakeData] = await once(s, "handshake", 5000, { rejectOn: ["error", "close"] });
      await opened;
      assert.equal(handshakeData.pingInterval, 300);
      assert.equal(handshakeData.pingTimeout, 200);
      assert.equal(handshakeData.maxPayload, 1000000);
      assert.deepEqual(handshakeData.upgrades, transport === "polling" ? ["websocket"] : []);
      assert.equal(s.readyState, "open");
      assert.equal(s.transport.name, transport);
    });

    it("echoes a text message", async () => {
      const s = await open();
      assert.deepEqual(await echoAll(s, ["hello"]), ["hello"]);
    });

    it("echoes an empty text message", async () => {
      const s = await open();
      // engine.io 6 drops empty data when it sends, so the client decodes "4" as undefined.
      const [echo] = await echoAll(s, [""]);
      assert.ok(echo === "" || echo === undefined, `echo ${JSON.stringify(echo)}`);
      const [next] = await echoAll(s, ["after empty"]);
      assert.equal(next, "after empty");
    });

    it("echoes multi-byte UTF-8 text unchanged", async () => {
      const s = await open();
      const texts = ["héllo", "€ 𝄞 日本語", "emoji 👋🏽", "nul \u0000 and controls \t\r\n"];
      assert.deepEqual(await echoAll(s, texts), texts);
    });

    it("echoes 200 messages sent in one burst, in order", async () => {
      const s = await open();
      const messages = Array.from({ length: 200 }, (_, i) => `message ${i}`);
      assert.deepEqual(await echoAll(s, messages, 10_000), messages);
    });

    it("echoes a 500 kB text message", async () => {
      const s = await open();
      const big = "x".repeat(500_000);
      const [echo] = await echoAll(s, [big], 10_000);
      assert.equal(echo.length, big.length);
      assert.ok(echo === big, "echo differs");
    });

    it("stays on its transport", async () => {
      const s = await open();
      await echoAll(s, ["check"]);
      assert.equal(s.transport.name, transport);
    });

    it("closes cleanly from the client side", async () => {
      const s = await open();
      const sid = s.id;
      const closed = once(s, "close", 5000);
      s.close();
      const [reason] = await closed;
      assert.equal(reason, "forced close");
      if (transport !== "polling") return;
      // Over polling the close packet goes in a POST; the client may report the close before
      // the server has read it. Either the sid is gone (code 1), or the session still holds the
      // client's own long-poll and this GET overlaps it (an empty 400, as engine.io answers).
      // Both are 400, and either way the session ends.
      const res = await poll(fx.server.url, sid);
      assert.equal(res.status, 400, `GET on the closed session: ${res.status} ${res.body}`);
      if (res.body !== "") {
        assert.deepEqual(JSON.parse(res.body), { code: 1, message: "Session ID unknown" });
      }
      const again = await poll(fx.server.url, sid);
      assert.equal(again.status, 400);
      assert.deepEqual(JSON.parse(again.body), { code: 1, message: "Session ID unknown" });
    });
  });
}
