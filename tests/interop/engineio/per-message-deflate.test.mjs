// perMessageDeflate (RFC 7692) with `conformance-server --per-message-deflate on`: the server
// answers every permessage-deflate offer with server_no_context_takeover and
// client_no_context_takeover, compresses messages of 1024 bytes or more (RSV1), reads
// compressed and fragmented compressed messages, and bounds every message's inflated size by
// maxPayload: a small compressed message that inflates to 100 MB closes that connection with
// 1009 while the server's RSS barely moves and a bystander keeps getting its acks. The npm
// clients (ws inside engine.io-client and socket.io-client) run with perMessageDeflate on.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import WebSocket from "ws";
import { io } from "socket.io-client";
import { startServer, once } from "../lib/server.mjs";
import { connectWs, encodeFrame, OP } from "../lib/rawws.mjs";
import { eioUrl, target, openClient, closeClient, echoAll, bytes, procStats } from "../lib/eio.mjs";
import { CAP_MS, call, connect } from "../lib/sio.mjs";

const ANSWER = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
const OFFER = { "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits" };

// A permessage-deflate payload of `data` (section 7.2.1: the sync flush's tail removed).
function deflated(data) {
  const out = zlib.deflateRawSync(Buffer.from(data), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  assert.deepEqual([...out.subarray(-4)], [0, 0, 0xff, 0xff]);
  return out.subarray(0, out.length - 4);
}
// The message a compressed server frame carries.
function inflated(payload) {
  return zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
}

describe("perMessageDeflate on WebSocket", () => {
  let server;
  let plain;
  let wsTarget;
  before(async () => {
    server = await startServer("conformance-server", ["--per-message-deflate", "on"]);
    plain = await startServer("conformance-server");
    wsTarget = target(eioUrl(server.url, { transport: "websocket" }));
  });
  after(async () => {
    await server?.stop();
    await plain?.stop();
  });

  async function rawSession(port = server.port, headers = OFFER) {
    const ws = await connectWs(port, target(eioUrl(`http://127.0.0.1:${port}`, { transport: "websocket" })), { headers });
    const open = await ws.next();
    assert.equal(open.rsv, 0, "the open packet goes uncompressed");
    return ws;
  }

  it("answers an offer with no context takeover both ways; no offer, no extension", async () => {
    const ws = await rawSession();
    assert.equal(ws.headers["sec-websocket-extensions"], ANSWER);
    await ws.close();
    const none = await rawSession(server.port, {});
    assert.equal(none.headers["sec-websocket-extensions"], undefined);
    await none.close();
    const bad = await rawSession(server.port, { "Sec-WebSocket-Extensions": "permessage-deflate; server_max_window_bits=9" });
    assert.equal(bad.headers["sec-websocket-extensions"], undefined);
    await bad.close();
  });

  it("reads a compressed message and compresses its echo from 1024 bytes on", async () => {
    const ws = await rawSession();
    // The raw client decodes text frames as UTF-8: keep their raw payloads too.
    const frames = [];
    const onFrame = ws._onFrame.bind(ws);
    ws._onFrame = (f) => {
      frames.push(f);
      onFrame(f);
    };
    const big = "4" + "deflate me ".repeat(500);
    ws.sendFrame({ opcode: OP.text, rsv: 4, payload: deflated(big) });
    const echo = await ws.next();
    assert.equal(echo.rsv, 4, "RSV1 on the echo");
    const frame = frames.at(-1);
    assert.ok(frame.payload.length < big.length / 5, `echo of ${frame.payload.length} bytes`);
    assert.equal(inflated(frame.payload).toString(), big);
    ws.sendFrame({ opcode: OP.text, rsv: 4, payload: deflated("4small") });
    assert.deepEqual(await ws.next(), { type: "text", data: "4small", masked: false, rsv: 0 });
    await ws.close();
  });

  it("reads a fragmented compressed message (RSV1 on the first frame only), a ping between", async () => {
    const ws = await rawSession();
    const big = Buffer.alloc(20000, 3);
    const c = deflated(big);
    const third = Math.floor(c.length / 3);
    ws.sendFrame({ fin: false, opcode: OP.binary, rsv: 4, payload: c.subarray(0, third) });
    ws.sendFrame({ opcode: OP.ping, payload: Buffer.from("p") });
    ws.sendFrame({ fin: false, opcode: OP.cont, payload: c.subarray(third, 2 * third) });
    ws.sendFrame({ opcode: OP.cont, payload: c.subarray(2 * third) });
    const echo = await ws.next();
    assert.equal(echo.type, "binary");
    assert.equal(echo.rsv, 4);
    assert.deepEqual(inflated(echo.data), big);
    await ws.close();
  });

  it("RSV1 on a continuation, or without the extension, closes with 1002", async () => {
    const a = await rawSession();
    a.sendFrame({ fin: false, opcode: OP.text, rsv: 4, payload: deflated("4abc") });
    a.sendFrame({ opcode: OP.cont, rsv: 4, payload: deflated("def") });
    assert.equal((await a.closed()).closeFrame?.code, 1002);
    const b = await rawSession(server.port, {});
    b.sendFrame({ opcode: OP.text, rsv: 4, payload: deflated("4abc") });
    assert.equal((await b.closed()).closeFrame?.code, 1002);
    const c = await rawSession(plain.port);
    assert.equal(c.headers["sec-websocket-extensions"], undefined, "off by default");
    c.sendFrame({ opcode: OP.text, rsv: 4, payload: deflated("4abc") });
    assert.equal((await c.closed()).closeFrame?.code, 1002);
  });

  it("a 100 MB bomb closes with 1009; RSS barely moves and a bystander keeps its acks", async () => {
    // Built first: compressing 100 MB blocks this process longer than the 200 ms pingTimeout.
    const bomb = deflated(Buffer.alloc(100 << 20)); // about 100 kB: deflate's ratio is ~1000:1
    assert.ok(bomb.length < 200_000, `bomb of ${bomb.length} bytes`);
    const bystander = await connect(server.url, "/", { transports: ["websocket"] });
    assert.deepEqual(await call(bystander, "message-with-ack", "before"), "before");
    const before = procStats(server.proc.pid).rssKb;
    for (let i = 0; i < 3; i++) {
      const ws = await rawSession();
      ws.sock.write(encodeFrame({ opcode: OP.binary, rsv: 4, payload: bomb }));
      assert.equal((await ws.closed(10_000)).closeFrame?.code, 1009);
      assert.deepEqual(await call(bystander, "message-with-ack", i), i);
    }
    const after = procStats(server.proc.pid).rssKb;
    assert.ok(after - before < 20 * 1024, `RSS grew ${after - before} kB (from ${before} kB)`);
    bystander.disconnect();
  });

  it("npm ws (perMessageDeflate, threshold 0) negotiates and exchanges large text and binary", async () => {
    const url = `ws://127.0.0.1:${server.port}${wsTarget}`;
    const ws = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
    const messages = [];
    let answer;
    ws.on("upgrade", (res) => (answer = res.headers["sec-websocket-extensions"]));
    ws.on("message", (data, isBinary) => messages.push({ data, isBinary }));
    await once(ws, "open", CAP_MS, { rejectOn: ["error"] });
    assert.equal(answer, ANSWER);
    assert.equal(ws.extensions, "permessage-deflate");
    const text = "4" + "é".repeat(100_000);
    const binary = Buffer.alloc(300_000, 9);
    ws.send(text);
    ws.send(binary);
    const deadline = Date.now() + CAP_MS;
    while (messages.length < 3 && Date.now() < deadline) await once(ws, "message", CAP_MS);
    assert.equal(messages[1].data.toString(), text);
    assert.equal(messages[2].isBinary, true);
    assert.deepEqual(messages[2].data, binary);
    ws.close();
  });

  for (const [mode, transports] of [["websocket", ["websocket"]], ["upgrade", ["polling", "websocket"]]]) {
    it(`engine.io-client (${mode}, perMessageDeflate threshold 0) echoes large text and binary`, async () => {
      const socket = await openClient(server.url, { transports, perMessageDeflate: { threshold: 0 } });
      if (socket.transport.name !== "websocket") await once(socket, "upgrade", CAP_MS);
      assert.equal(socket.transport.ws.extensions, "permessage-deflate");
      const text = "z".repeat(200_000);
      const binary = Buffer.alloc(50_000, 1);
      const got = await echoAll(socket, ["tiny", text, binary]);
      assert.deepEqual([got[0], got[1]], ["tiny", text]);
      assert.deepEqual(bytes(got[2]), [...binary]);
      await closeClient(socket);
    });
  }

  it("socket.io-client (websocket, perMessageDeflate threshold 0): events, acks and binary", async () => {
    const s = io(server.url, { forceNew: true, reconnection: false, transports: ["websocket"], perMessageDeflate: { threshold: 0 } });
    await once(s, "connect", CAP_MS, { rejectOn: ["connect_error"] });
    assert.equal(s.io.engine.transport.ws.extensions, "permessage-deflate");
    const payload = { text: "kibitz ".repeat(20_000), bin: Buffer.alloc(70_000, 5) };
    const acked = await s.timeout(CAP_MS).emitWithAck("message-with-ack", payload);
    assert.equal(acked.text, payload.text);
    assert.deepEqual(bytes(acked.bin), [...payload.bin]);
    const back = once(s, "message-back", CAP_MS);
    s.emit("message", "small", payload.text);
    assert.deepEqual(await back, ["small", payload.text]);
    s.disconnect();
  });
});
