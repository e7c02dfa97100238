// Raw HTTP: the Engine.IO v4 polling handshake and the error answers engine.io 6 gives.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { eioUrl, handshake } from "../lib/eio.mjs";

describe("Engine.IO polling handshake", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server");
  });
  after(() => server?.stop());

  it("answers GET with an open packet carrying sid, upgrades and the heartbeat settings", async () => {
    const res = await fetch(eioUrl(server.url));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const body = await res.text();
    assert.equal(body[0], "0", `body should start with the open packet type: ${body}`);
    const open = JSON.parse(body.slice(1));
    assert.deepEqual(Object.keys(open).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]);
    assert.deepEqual(open.upgrades, ["websocket"]);
    assert.equal(open.pingInterval, 300);
    assert.equal(open.pingTimeout, 200);
    assert.equal(open.maxPayload, 1000000);
  });

  it("gives each session a distinct URL-safe sid of at least 20 characters (120 bits)", async () => {
    const sids = await Promise.all(Array.from({ length: 8 }, () => handshake(server.url).then((h) => h.sid)));
    for (const sid of sids) assert.match(sid, /^[A-Za-z0-9_-]{20,}$/, `sid ${sid}`);
    assert.equal(new Set(sids).size, sids.length);
  });

  it("marks polling responses as not cacheable", async () => {
    const res = await fetch(eioUrl(server.url));
    await res.text();
    assert.match(res.headers.get("cache-control") ?? "", /no-store/);
  });
});

describe("Engine.IO HTTP errors", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server");
  });
  after(() => server?.stop());

  async function expectError(url, init, status, code, message) {
    const res = await fetch(url, init);
    const body = await res.text();
    assert.equal(res.status, status, `status for ${init?.method ?? "GET"} ${url}: body ${body}`);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(JSON.parse(body), { code, message });
  }

  it("refuses an unknown transport with code 0", async () => {
    await expectError(eioUrl(server.url, { transport: "abc" }), {}, 400, 0, "Transport unknown");
  });

  it("refuses a missing transport with code 0", async () => {
    await expectError(eioUrl(server.url, { transport: null }), {}, 400, 0, "Transport unknown");
  });

  it("refuses an unknown sid with code 1", async () => {
    await expectError(eioUrl(server.url, { sid: "no-such-session" }), {}, 400, 1, "Session ID unknown");
  });

  it("refuses an unknown sid on POST with code 1", async () => {
    await expectError(eioUrl(server.url, { sid: "no-such-session" }), { method: "POST", body: "4x" }, 400, 1, "Session ID unknown");
  });

  it("refuses a POST handshake with code 2", async () => {
    await expectError(eioUrl(server.url), { method: "POST", body: "4x" }, 400, 2, "Bad handshake method");
  });

  it("refuses a PUT handshake with code 2", async () => {
    await expectError(eioUrl(server.url), { method: "PUT", body: "4x" }, 400, 2, "Bad handshake method");
  });

  it("refuses a websocket handshake that is not an upgrade with code 3", async () => {
    await expectError(eioUrl(server.url, { transport: "websocket" }), {}, 400, 3, "Bad request");
  });

  it("refuses a websocket request without upgrade on a polling session with code 3", async () => {
    const { sid } = await handshake(server.url);
    await expectError(eioUrl(server.url, { transport: "websocket", sid }), {}, 400, 3, "Bad request");
  });

  it("refuses EIO=3 with code 5", async () => {
    await expectError(eioUrl(server.url, { EIO: "3" }), {}, 400, 5, "Unsupported protocol version");
  });

  it("refuses a missing EIO with code 5", async () => {
    await expectError(eioUrl(server.url, { EIO: null }), {}, 400, 5, "Unsupported protocol version");
  });

  it("refuses a non-numeric EIO with code 5", async () => {
    await expectError(eioUrl(server.url, { EIO: "abc" }), {}, 400, 5, "Unsupported protocol version");
  });

  it("checks the transport before the protocol version", async () => {
    await expectError(eioUrl(server.url, { EIO: "3", transport: "abc" }), {}, 400, 0, "Transport unknown");
  });

  it("refuses a request on a v4 session that claims EIO=3 with code 3", async () => {
    const { sid } = await handshake(server.url);
    await expectError(eioUrl(server.url, { EIO: "3", sid }), {}, 400, 3, "Bad request");
  });
});
