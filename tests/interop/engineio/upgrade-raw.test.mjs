// Raw polling-to-WebSocket upgrade: 2probe/3probe, the noop that releases a pending GET, the
// upgrade packet, and what the session refuses once upgraded.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { deferred, startServer, withTimeout } from "../lib/server.mjs";
import { connectRaw, connectWs } from "../lib/rawws.mjs";
import { eioUrl, handshake, poll, push, rawHttp, target } from "../lib/eio.mjs";

describe("Engine.IO upgrade from polling to WebSocket", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server");
  });
  after(() => server?.stop());

  const wsTarget = (sid) => target(eioUrl(server.url, { transport: "websocket", sid }));

  // Next Engine.IO message on `ws` that is not a ping; pings are answered.
  async function nextNonPing(ws) {
    for (;;) {
      const m = await ws.nextText();
      if (m !== "2") return m;
      ws.sendText("3");
    }
  }

  it("answers 2probe with 3probe, releases the pending GET with a noop, and carries messages after 5", async () => {
    const { sid } = await handshake(server.url);
    const written = deferred();
    const pending = rawHttp(server.port, `GET ${target(eioUrl(server.url, { sid }))} HTTP/1.1\r\nHost: 127.0.0.1`, undefined, {
      onWritten: written.resolve,
    });
    await written.promise;
    const ws = await connectWs(server.port, wsTarget(sid));
    ws.sendText("2probe");
    assert.equal(await ws.nextText(), "3probe");
    const released = await withTimeout(pending, 5000, "pending GET during the upgrade");
    assert.equal(released.status, 200);
    // A ping may share the payload, but the GET must end with a noop.
    assert.match(released.body, /(^|\x1e)6$/, `pending GET body ${JSON.stringify(released.body)}`);
    ws.sendText("5");
    ws.sendText("4hello");
    assert.equal(await nextNonPing(ws), "4hello");
    await ws.close();
  });

  it("delivers over the WebSocket what was queued for the polling transport before the upgrade", async () => {
    const { sid } = await handshake(server.url);
    assert.equal((await push(server.url, sid, "4queued")).body, "ok");
    const ws = await connectWs(server.port, wsTarget(sid));
    ws.sendText("2probe");
    assert.equal(await ws.nextText(), "3probe");
    ws.sendText("5");
    assert.equal(await nextNonPing(ws), "4queued");
    await ws.close();
  });

  it("refuses polling requests on the session once upgraded", async () => {
    const { sid } = await handshake(server.url);
    const ws = await connectWs(server.port, wsTarget(sid));
    ws.sendText("2probe");
    assert.equal(await ws.nextText(), "3probe");
    ws.sendText("5");
    // A message round trip proves the upgrade packet was processed.
    ws.sendText("4sync");
    assert.equal(await nextNonPing(ws), "4sync");
    const polled = await poll(server.url, sid);
    assert.equal(polled.status, 400);
    assert.deepEqual(JSON.parse(polled.body), { code: 3, message: "Bad request" });
    ws.sendText("4hello");
    assert.equal(await nextNonPing(ws), "4hello");
    await ws.close();
  });

  // engine.io accepts the second WebSocket handshake (101) and then closes it; the official
  // test suite's `ws` client has no error handler, so a 400 there fails it.
  async function assertAcceptedThenClosed(second) {
    assert.ok(second.ws, `second WebSocket: expected 101 then a close, got ${second.status} ${second.body}`);
    await second.ws.closed(3000);
    assert.equal(second.ws.queue.length, 0, `second WebSocket got ${JSON.stringify(second.ws.queue)}`);
  }

  it("accepts then closes a second WebSocket on an upgraded session and keeps the first", async () => {
    const { sid } = await handshake(server.url);
    const ws = await connectWs(server.port, wsTarget(sid));
    ws.sendText("2probe");
    assert.equal(await ws.nextText(), "3probe");
    ws.sendText("5");
    ws.sendText("4sync");
    assert.equal(await nextNonPing(ws), "4sync");
    await assertAcceptedThenClosed(await connectRaw(server.port, wsTarget(sid)));
    ws.sendText("4hello");
    assert.equal(await nextNonPing(ws), "4hello");
    await ws.close();
  });

  it("accepts then closes a second WebSocket while an upgrade is in progress", async () => {
    const { sid } = await handshake(server.url);
    const ws = await connectWs(server.port, wsTarget(sid));
    ws.sendText("2probe");
    assert.equal(await ws.nextText(), "3probe");
    const second = await connectRaw(server.port, wsTarget(sid));
    second.ws?.sendText("2probe");
    await assertAcceptedThenClosed(second);
    ws.sendText("5");
    ws.sendText("4hello");
    assert.equal(await nextNonPing(ws), "4hello");
    await ws.close();
  });
});
