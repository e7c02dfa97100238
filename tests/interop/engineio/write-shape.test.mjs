// The write path against the real binary (docs/architecture.md, "Corking"): the frames a loop
// turn produces for a WebSocket leave in one piece, copied into one buffer; when the kernel does
// not take them all (the peer is not reading), the rest is kept by the connection and written
// later. Every frame must still arrive whole and in order, and a bystander keeps its echoes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { connectWs, encodeFrame, OP } from "../lib/rawws.mjs";

const WS_TARGET = "/engine.io/?EIO=4&transport=websocket";

async function echoWs(port) {
  const ws = await connectWs(port, WS_TARGET);
  assert.match(await ws.nextText(), /^0\{/);
  return ws;
}

// The next message that is not an Engine.IO ping (answered).
async function nextMessage(ws, timeoutMs) {
  for (;;) {
    const m = await ws.nextText(timeoutMs);
    if (m !== "2") return m;
    ws.sendText("3");
  }
}

async function echoes(ws, text = "still here") {
  ws.sendText(`4${text}`);
  assert.equal(await nextMessage(ws), `4${text}`);
}

describe("write shape", () => {
  let server;
  let bystander;
  before(async () => {
    // The suite's 300 ms heartbeat would end a peer paused for longer than that.
    server = await startServer("conformance-server", ["--ping-interval-ms", "20000", "--ping-timeout-ms", "20000"]);
    bystander = await echoWs(server.port);
  });
  after(async () => {
    bystander?.destroy();
    await server?.stop();
  });

  it("sends a burst of echoes whole and in order, in one read when they fit", async () => {
    const ws = await echoWs(server.port);
    // Many small messages in one TCP segment: their echoes are produced in one loop turn.
    const count = 200;
    const burst = [];
    for (let i = 0; i < count; i++) burst.push(encodeFrame({ opcode: OP.text, payload: Buffer.from(`4m${i}`) }));
    let chunks = 0;
    ws.sock.on("data", () => chunks++);
    ws.sock.write(Buffer.concat(burst));
    for (let i = 0; i < count; i++) assert.equal(await nextMessage(ws), `4m${i}`);
    // One write for the turn: far fewer reads than frames (the kernel may split the bytes).
    assert.ok(chunks < count / 4, `${count} echoes came in ${chunks} reads`);
    await echoes(bystander);
    ws.destroy();
  });

  it("keeps what the kernel did not take and sends it whole once the peer reads again", async () => {
    const ws = await echoWs(server.port);
    ws.sock.pause(); // the client's receive buffer fills, then the server's send buffer
    const count = 800;
    const body = "y".repeat(8000);
    const burst = [];
    for (let i = 0; i < count; i++) burst.push(encodeFrame({ opcode: OP.text, payload: Buffer.from(`4${i}:${body}`) }));
    await new Promise((resolve) => ws.sock.write(Buffer.concat(burst), resolve));
    // The server is not stuck behind the paused peer.
    await echoes(bystander);
    ws.sock.resume();
    for (let i = 0; i < count; i++) {
      const m = await nextMessage(ws, 10_000);
      assert.equal(m, `4${i}:${body}`, `echo ${i}`);
    }
    await echoes(ws);
    ws.destroy();
  });
});
