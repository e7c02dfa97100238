// Raw RFC 6455 client against the /engine.io/ echo server: the WebSocket handshake, framing,
// heartbeat and close, and refused upgrades.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { once, startServer } from "../lib/server.mjs";
import { connectRaw, connectWs } from "../lib/rawws.mjs";
import { eioUrl, target } from "../lib/eio.mjs";

describe("Engine.IO over a raw WebSocket", () => {
  let server;
  let wsTarget;
  before(async () => {
    server = await startServer("conformance-server");
    wsTarget = target(eioUrl(server.url, { transport: "websocket" }));
  });
  after(() => server?.stop());

  async function openSession() {
    const ws = await connectWs(server.port, wsTarget);
    const open = await ws.nextText();
    assert.equal(open[0], "0", `first message should be the open packet: ${open}`);
    return { ws, open: JSON.parse(open.slice(1)) };
  }

  it("sends the open packet first, with no upgrades", async () => {
    const { ws, open } = await openSession();
    assert.deepEqual(Object.keys(open).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]);
    assert.deepEqual(open.upgrades, []);
    assert.equal(open.pingInterval, 300);
    assert.equal(open.pingTimeout, 200);
    assert.equal(open.maxPayload, 1000000);
    assert.match(open.sid, /^[A-Za-z0-9_-]{20,}$/);
    await ws.close();
  });

  it("does not negotiate permessage-deflate", async () => {
    const ws = await connectWs(server.port, wsTarget, {
      headers: { "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits" },
    });
    assert.equal(ws.headers["sec-websocket-extensions"], undefined);
    await ws.close();
  });

  it("sends unmasked frames", async () => {
    const ws = await connectWs(server.port, wsTarget);
    const msg = await ws.next();
    assert.equal(msg.masked, false);
    await ws.close();
  });

  it("echoes a text packet in a text frame", async () => {
    const { ws } = await openSession();
    ws.sendText("4hello");
    assert.deepEqual(await ws.next(), { type: "text", data: "4hello", masked: false, rsv: 0 });
    await ws.close();
  });

  it("echoes a binary packet in a binary frame without a 'b' prefix", async () => {
    const { ws } = await openSession();
    ws.sendBinary([1, 2, 3, 4]);
    const msg = await ws.next();
    assert.equal(msg.type, "binary");
    assert.deepEqual([...msg.data], [1, 2, 3, 4]);
    await ws.close();
  });

  it("echoes a fragmented text message whose UTF-8 character spans two frames", async () => {
    const { ws } = await openSession();
    const bytes = Buffer.from("4€", "utf8");
    ws.sendFrame({ fin: false, opcode: 0x1, payload: bytes.subarray(0, 2) });
    ws.sendFrame({ fin: true, opcode: 0x0, payload: bytes.subarray(2) });
    assert.equal(await ws.nextText(), "4€");
    await ws.close();
  });

  it("echoes a 900 kB binary message", async () => {
    const { ws } = await openSession();
    const data = Buffer.alloc(900_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    ws.sendBinary(data);
    const msg = await ws.next();
    assert.equal(msg.type, "binary");
    assert.ok(msg.data.equals(data), "echoed bytes differ");
    await ws.close();
  });

  it("answers WebSocket-level pings with pongs", async () => {
    const { ws } = await openSession();
    const pong = once(ws, "pong", 3000);
    ws.sendFrame({ opcode: 0x9, payload: Buffer.from("hi") });
    const [payload] = await pong;
    assert.equal(payload.toString(), "hi");
    await ws.close();
  });

  it("pings every pingInterval and accepts pongs", async () => {
    const { ws } = await openSession();
    for (let i = 0; i < 3; i++) {
      assert.equal(await ws.nextText(), "2", `ping ${i + 1}`);
      ws.sendText("3");
    }
    ws.sendText("4after pings");
    // A ping may come before the echo.
    let msg = await ws.nextText();
    if (msg === "2") msg = await ws.nextText();
    assert.equal(msg, "4after pings");
    await ws.close();
  });

  it("closes the connection when no pong comes within pingTimeout", async () => {
    const { ws } = await openSession();
    assert.equal(await ws.nextText(), "2");
    await ws.closed(3000);
  });

  it("closes the connection on a close packet", async () => {
    const { ws } = await openSession();
    ws.sendText("1");
    await ws.closed(3000);
  });

  it("closes the connection on a packet that does not parse", async () => {
    const { ws } = await openSession();
    ws.sendText("abc");
    await ws.closed(3000);
  });
});

describe("WebSocket limits", () => {
  let server;
  let wsTarget;
  before(async () => {
    server = await startServer("conformance-server");
    wsTarget = target(eioUrl(server.url, { transport: "websocket" }));
  });
  after(() => server?.stop());

  async function openSession() {
    const ws = await connectWs(server.port, wsTarget);
    assert.equal((await ws.nextText())[0], "0");
    return ws;
  }

  async function assertServerStillEchoes() {
    const ws = await openSession();
    ws.sendText("4still here");
    assert.equal(await ws.nextText(), "4still here");
    await ws.close();
  }

  async function assertClosedWith(ws, code, what) {
    const { closeFrame } = await ws.closed(5000);
    assert.ok(closeFrame, `${what}: the connection ended without a close frame`);
    assert.equal(closeFrame.code, code, `${what}: close code ${closeFrame.code} '${closeFrame.reason}'`);
  }

  it("closes with 1009 on a text frame over maxPayload", async () => {
    const ws = await openSession();
    ws.sendText("4" + "a".repeat(1e6));
    await assertClosedWith(ws, 1009, "oversize text frame");
    await assertServerStillEchoes();
  });

  it("closes with 1009 on a binary frame over maxPayload", async () => {
    const ws = await openSession();
    ws.sendBinary(Buffer.alloc(1e6 + 1));
    await assertClosedWith(ws, 1009, "oversize binary frame");
    await assertServerStillEchoes();
  });

  it("closes with 1009 on a fragmented message over maxPayload", async () => {
    const ws = await openSession();
    const half = Buffer.alloc(600_000, 0x61);
    ws.sendFrame({ fin: false, opcode: 0x1, payload: Buffer.concat([Buffer.from("4"), half]) });
    ws.sendFrame({ fin: true, opcode: 0x0, payload: half });
    await assertClosedWith(ws, 1009, "oversize fragmented message");
    await assertServerStillEchoes();
  });

  it("accepts a text message of exactly maxPayload bytes", async () => {
    const ws = await openSession();
    const text = "4" + "a".repeat(1e6 - 1);
    ws.sendText(text);
    const echo = await ws.nextText();
    assert.equal(echo.length, text.length);
    assert.ok(echo === text, "echo differs");
    await ws.close();
  });

  it("closes with 1007 on invalid UTF-8 in a text frame", async () => {
    const ws = await openSession();
    ws.sendFrame({ opcode: 0x1, payload: Buffer.from([0x34, 0xff, 0xfe, 0x41]) });
    await assertClosedWith(ws, 1007, "invalid UTF-8");
    await assertServerStillEchoes();
  });

  it("closes with 1007 on a UTF-8 surrogate encoded in a text frame", async () => {
    const ws = await openSession();
    ws.sendFrame({ opcode: 0x1, payload: Buffer.from([0x34, 0xed, 0xa0, 0x80]) });
    await assertClosedWith(ws, 1007, "encoded surrogate");
  });

  it("closes with 1002 on an unmasked client frame", async () => {
    const ws = await openSession();
    ws.sendFrame({ opcode: 0x1, payload: Buffer.from("4hello"), mask: false });
    await assertClosedWith(ws, 1002, "unmasked frame");
    await assertServerStillEchoes();
  });
});

describe("Refused WebSocket upgrades", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server");
  });
  after(() => server?.stop());

  // engine.io 6 answers a refused upgrade with the bare message as text/html; the JSON body of the
  // polling errors says the same and is accepted too.
  function assertRefusalBody(body, code, message) {
    if (body === message) return;
    assert.deepEqual(JSON.parse(body), { code, message }, `refusal body ${JSON.stringify(body)}`);
  }

  async function expectRefused(query, code, message) {
    const res = await connectRaw(server.port, target(eioUrl(server.url, { transport: "websocket", ...query })));
    assert.equal(res.ws, undefined, `upgrade with ${JSON.stringify(query)} should be refused`);
    assert.equal(res.status, 400);
    assertRefusalBody(res.body, code, message);
  }

  it("refuses an unknown sid with 400 'Session ID unknown'", async () => {
    await expectRefused({ sid: "no-such-session" }, 1, "Session ID unknown");
  });

  it("never opens a session for EIO=3", async () => {
    // engine.io 6 completes the upgrade before it checks the version, then writes its 400 into
    // the upgraded connection and closes it; refusing the upgrade with 400 is the cleaner answer.
    const res = await connectRaw(server.port, target(eioUrl(server.url, { transport: "websocket", EIO: "3" })));
    if (!res.ws) {
      assert.equal(res.status, 400);
      assertRefusalBody(res.body, 5, "Unsupported protocol version");
      return;
    }
    await res.ws.closed(3000);
    assert.equal(res.ws.queue.length, 0, `got messages: ${JSON.stringify(res.ws.queue)}`);
  });

  it("refuses an unknown transport with 400 'Transport unknown'", async () => {
    await expectRefused({ transport: "abc" }, 0, "Transport unknown");
  });
});
