// Bad input, one test per limit of the decoder (docs/security.md): a raw client (Engine.IO over a raw WebSocket, or raw
// HTTP long-polling) sends what socket.io-client never would; the server closes that one client
// with "parse error" (read back from sio-test-server's disconnect log), while a socket.io-client
// over WebSocket and one over polling, connected throughout, go on working.
//
// sio-test-server runs with --max-payload 10000 (so attachment totals can pass it with messages
// that each fit), --binary-timeout-ms 300, --connect-timeout 500 and --max-send-queue 200000.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  call,
  CAP_MS,
  closeAll,
  connect,
  openRaw,
  pollingSession,
  serverDisconnect,
  withBystanders,
} from "../lib/sio.mjs";

const MAX_PAYLOAD = 10_000;
const placeholder = (num) => ({ _placeholder: true, num });
const placeholders = (n) => Array.from({ length: n }, (_, i) => placeholder(i));

describe("bad input closes that client only", () => {
  const fx = withBystanders([
      "--max-payload", String(MAX_PAYLOAD),
      "--binary-timeout-ms", "300",
      "--connect-timeout", "500",
      "--max-send-queue", "200000",
  ]);

  // The bystanders still answer, and still get a broadcast from each other.
  async function othersGoOn() {
    assert.equal(await call(fx.ws, "echo", "ws still here"), "ws still here");
    assert.equal(await call(fx.polling, "echo", "polling still here"), "polling still here");
    const got = new Promise((resolve) => fx.polling.once("from-ws", resolve));
    await call(fx.ws, "broadcast", { event: "from-ws", args: ["hi"] });
    assert.equal(await got, "hi");
  }

  // Opens a raw client on "/", lets `misbehave` act, and checks the close and its reason.
  async function closesWithParseError(misbehave) {
    const raw = await openRaw(fx.server.port);
    const { sid } = await raw.connect("/");
    await misbehave(raw);
    const { closeFrame } = await raw.closed();
    assert.ok(closeFrame, "the server sent a WebSocket close frame");
    assert.equal((await serverDisconnect(fx.ws, sid)).reason, "parse error");
    await othersGoOn();
  }

  // Sends `packet` (and its attachments) and resolves with the server's first answer: the text of
  // its Engine.IO message ("4" and the Socket.IO packet).
  async function answerTo(raw, packet, attachments = []) {
    raw.send(packet);
    for (const a of attachments) raw.sendBinary(a);
    return raw.nextText();
  }

  describe("attachments", () => {
    it("accepts 10 attachments", async () => {
      const raw = await openRaw(fx.server.port);
      await raw.connect("/");
      const bins = Array.from({ length: 10 }, (_, i) => Buffer.from([i]));
      const answer = await answerTo(raw, `510-1${JSON.stringify(["echo", ...placeholders(10)])}`, bins);
      assert.match(answer, /^4610-1\[/);
      raw.destroy();
    });

    it("closes on more than 10 attachments", async () => {
      await closesWithParseError((raw) => raw.send(`511-${JSON.stringify(["echo", ...placeholders(11)])}`));
    });

    it("accepts attachments that total maxPayload", async () => {
      const raw = await openRaw(fx.server.port);
      await raw.connect("/");
      const part = Buffer.alloc(MAX_PAYLOAD / 2, 7);
      const answer = await answerTo(raw, `52-1${JSON.stringify(["echo", ...placeholders(2)])}`, [part, part]);
      assert.match(answer, /^462-1\[/);
      raw.destroy();
    });

    it("closes when the attachments of one packet total more than maxPayload", async () => {
      await closesWithParseError((raw) => {
        raw.send(`53-${JSON.stringify(["echo", ...placeholders(3)])}`);
        // Each message fits in maxPayload; together they do not.
        for (let i = 0; i < 3; i++) raw.sendBinary(Buffer.alloc(4000, i));
      });
    });

    it("closes an unfinished binary packet after the binary timeout", async () => {
      await closesWithParseError((raw) => {
        raw.send(`52-${JSON.stringify(["echo", ...placeholders(2)])}`);
        raw.sendBinary(Buffer.from([1]));
      });
    });

    it("closes on an attachment when no binary packet is pending", async () => {
      await closesWithParseError((raw) => raw.sendBinary(Buffer.from([1, 2, 3])));
    });

    it("closes on a text packet while attachments are still expected", async () => {
      await closesWithParseError((raw) => {
        raw.send(`51-${JSON.stringify(["echo", placeholder(0)])}`);
        raw.send(`2["echo"]`);
      });
    });

    it("closes on a placeholder naming an attachment that was not announced", async () => {
      await closesWithParseError((raw) => raw.send(`51-${JSON.stringify(["echo", placeholder(5)])}`));
    });
  });

  describe("JSON nesting", () => {
    const nested = (depth) => "[".repeat(depth) + "]".repeat(depth);

    it("accepts nesting 32 deep (the payload array counts as 1)", async () => {
      const raw = await openRaw(fx.server.port);
      await raw.connect("/");
      const answer = await answerTo(raw, `21["echo",${nested(31)}]`);
      assert.equal(answer, `431${nested(32)}`);
      raw.destroy();
    });

    it("closes on nesting deeper than 32", async () => {
      await closesWithParseError((raw) => raw.send(`2["echo",${nested(32)}]`));
    });

    it("closes on very deep nesting without crashing", async () => {
      await closesWithParseError((raw) => raw.send(`2["echo",${nested(100_000).slice(0, MAX_PAYLOAD - 20)}`));
    });
  });

  describe("ack ids", () => {
    it("accepts 2^53-1", async () => {
      const raw = await openRaw(fx.server.port);
      await raw.connect("/");
      const answer = await answerTo(raw, `29007199254740991["echo","x"]`);
      assert.equal(answer, `439007199254740991["x"]`);
      raw.destroy();
    });

    it("closes on an ack id above 2^53-1", async () => {
      await closesWithParseError((raw) => raw.send(`29007199254740992["echo"]`));
    });

    it("closes on a 30-digit ack id", async () => {
      await closesWithParseError((raw) => raw.send(`2${"9".repeat(30)}["echo"]`));
    });
  });

  describe("event names", () => {
    it("closes on a non-string event name", async () => {
      await closesWithParseError((raw) => raw.send("2[1]"));
    });

    it("closes on an EVENT without a name", async () => {
      await closesWithParseError((raw) => raw.send("2[]"));
    });

    for (const name of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener", "error"]) {
      it(`closes on the reserved event name '${name}'`, async () => {
        await closesWithParseError((raw) => raw.send(`2${JSON.stringify([name, 1])}`));
      });
    }
  });

  // socket.io-parser 4.2.4 isPayloadValid(): CONNECT takes an object, DISCONNECT nothing, EVENT a
  // non-empty array, ACK an array.
  describe("payloads the packet type does not allow", () => {
    const bad = {
      "a CONNECT whose auth is a string": '0"token"',
      "a CONNECT whose auth is an array": "0[1]",
      "a DISCONNECT with a payload": "1{}",
      "an EVENT whose payload is an object": '2{"a":1}',
      "an EVENT without a payload": "2",
      "an ACK whose payload is an object": "31{}",
    };
    for (const [what, packet] of Object.entries(bad)) {
      it(`closes on ${what}`, async () => {
        await closesWithParseError((raw) => raw.send(packet));
      });
    }
  });

  describe("packet types", () => {
    for (const packet of ["7", "9[]", "x", "", "2not json"]) {
      it(`closes on the packet ${JSON.stringify(packet)}`, async () => {
        await closesWithParseError((raw) => raw.send(packet));
      });
    }

    it("closes a polling session that posts a malformed packet", async () => {
      const session = await pollingSession(fx.server.url);
      const { sid } = await session.connect("/");
      assert.equal((await session.post("42[1]")).status, 200);
      // The session is gone: its next poll is refused or gets the close packet.
      const next = await session.get();
      assert.ok(next.status === 400 || next.body === "1", `poll after the close: ${next.status} ${next.body}`);
      assert.equal((await serverDisconnect(fx.ws, sid)).reason, "parse error");
      await othersGoOn();
    });
  });

  describe("namespaces and sessions", () => {
    it("answers a CONNECT to an unknown namespace with 'Invalid namespace' and stays open", async () => {
      const raw = await openRaw(fx.server.port);
      raw.send("0/nope,");
      assert.equal(await raw.nextText(), '44/nope,{"message":"Invalid namespace"}');
      const { sid } = await raw.connect("/");
      assert.equal(typeof sid, "string");
      assert.equal(await answerTo(raw, `27["echo","ok"]`), `437["ok"]`);
      raw.destroy();
      await othersGoOn();
    });

    // socket.io 4.8 packages/socket.io/lib/client.ts ondecoded(): a packet other than CONNECT for
    // a namespace the client has not joined, a CONNECT for one it has joined, or a CONNECT_ERROR,
    // is an "invalid state": Client.close() ends the connection and its sockets get
    // "forced server close".
    const invalidState = {
      "an EVENT for a namespace it has not joined": '2/a,["echo","x"]',
      "a DISCONNECT for a namespace it has not joined": "1/a,",
      "a CONNECT_ERROR from the client": '4{"message":"x"}',
    };
    for (const [what, packet] of Object.entries(invalidState)) {
      it(`closes the connection on ${what}, as socket.io does`, async () => {
        const raw = await openRaw(fx.server.port);
        const { sid } = await raw.connect("/");
        raw.send(packet);
        await raw.closed();
        assert.equal((await serverDisconnect(fx.ws, sid)).reason, "forced server close");
        await othersGoOn();
      });
    }

    it("answers a repeated CONNECT for a joined namespace again, with the same sid", async () => {
      // socket.io-client repeats CONNECT when a namespace is opened and connected at once, and
      // Node answers both; Kibitz answers the repeat with the same CONNECT reply.
      const raw = await openRaw(fx.server.port);
      const { sid } = await raw.connect("/");
      const again = await raw.connect("/");
      assert.equal(again.sid, sid);
      await othersGoOn();
      await raw.ws.close();
    });

    it("closes a session that never sends CONNECT after connectTimeout", async () => {
      const raw = await openRaw(fx.server.port);
      await raw.closed(CAP_MS);
      await othersGoOn();
    });

    it("closes a client that stops reading once its send queue passes the cap", async () => {
      const raw = await openRaw(fx.server.port);
      const { sid } = await raw.connect("/");
      raw.pause();
      // 5 MB for a client whose queue may hold 200 KB.
      raw.emit("flood", [{ count: 50, size: 100_000 }]);
      const { reason } = await serverDisconnect(fx.ws, sid);
      assert.ok(["transport close", "transport error", "forced close"].includes(reason), reason);
      await othersGoOn();
      raw.resume();
      await raw.closed(CAP_MS * 2);
    });
  });
});
