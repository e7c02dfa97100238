// Handshake hooks, against `conformance-server` with its hook flags (handshake_hooks.hpp):
// asynchronous allow_request (answered 50 ms later from the loop; `deny` refuses with its
// message, `hang` is never answered and the 300 ms deadline refuses with 503), the cookie
// option, the initial_headers / headers hooks, the connection_error record of every refusal,
// and handshake.time / xdomain / secure as Node fills them. A bystander keeps its acks while
// a handshake hangs.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Socket as EngineSocket } from "engine.io-client";
import { startServer, once } from "../lib/server.mjs";
import { connectRaw, connectWs } from "../lib/rawws.mjs";
import { eioUrl, handshake, poll, push, target } from "../lib/eio.mjs";
import { CAP_MS, call, connect } from "../lib/sio.mjs";

const COOKIE = /^io=([A-Za-z0-9_-]{20,}); Path=\/; HttpOnly; SameSite=Lax$/;

describe("handshake hooks", () => {
  let server;
  let observer; // a socket.io client that reads the server's record of refusals
  before(async () => {
    server = await startServer("conformance-server", [
      "--allow-request-delay-ms", "50",
      "--allow-request-timeout-ms", "300",
      "--cookie", "io",
      "--initial-header", "X-Initial: yes",
      "--header", "X-Every: 1",
    ]);
    observer = await connect(server.url, "/", { transports: ["websocket"] });
  });
  after(async () => {
    observer?.disconnect();
    await server?.stop();
  });

  const errors = () => call(observer, "connection-errors");

  it("polling: the handshake gets the cookie and both hooks' headers; later answers only `headers`", async () => {
    const { sid, headers } = await handshake(server.url);
    const cookie = COOKIE.exec(headers.get("set-cookie") ?? "");
    assert.ok(cookie, `Set-Cookie ${headers.get("set-cookie")}`);
    assert.equal(cookie[1], sid);
    assert.equal(headers.get("x-initial"), "yes");
    assert.equal(headers.get("x-every"), "1");
    const pushed = await push(server.url, sid, "4hi");
    assert.equal(pushed.headers.get("x-every"), "1");
    const polled = await poll(server.url, sid, {});
    assert.equal(polled.body, "4hi");
    assert.equal(polled.headers.get("x-every"), "1");
    assert.equal(polled.headers.get("x-initial"), null);
    assert.equal(polled.headers.get("set-cookie"), null);
  });

  it("a polling GET's answer carries the CORS headers too", async () => {
    const { sid } = await handshake(server.url);
    await push(server.url, sid, "4x");
    const res = await fetch(eioUrl(server.url, { sid }), { headers: { Origin: "http://elsewhere.example" } });
    assert.equal(await res.text(), "4x");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
  });

  it("WebSocket: the 101 of a handshake has them all; the 101 of an upgrade only `headers`", async () => {
    const direct = await connectWs(server.port, target(eioUrl(server.url, { transport: "websocket" })));
    assert.match(direct.headers["set-cookie"], COOKIE);
    assert.equal(direct.headers["x-initial"], "yes");
    assert.equal(direct.headers["x-every"], "1");
    await direct.close();
    const { sid } = await handshake(server.url);
    const upgrade = await connectWs(server.port, target(eioUrl(server.url, { transport: "websocket", sid })));
    assert.equal(upgrade.headers["x-every"], "1");
    assert.equal(upgrade.headers["x-initial"], undefined);
    assert.equal(upgrade.headers["set-cookie"], undefined);
    await upgrade.close();
  });

  it("an asynchronous refusal gets Engine.IO's error body and is recorded", async () => {
    const res = await fetch(eioUrl(server.url, { deny: "no entry" }));
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { code: 4, message: "no entry" });
    const ws = await connectRaw(server.port, target(eioUrl(server.url, { transport: "websocket", deny: "not you" })));
    assert.equal(ws.status, 403);
    assert.deepEqual(JSON.parse(ws.body), { code: 4, message: "not you" });
    const recorded = (await errors()).filter((e) => e.url.includes("deny="));
    assert.deepEqual(recorded.slice(-2).map(({ code, message, status }) => ({ code, message, status })), [
      { code: 4, message: "no entry", status: 403 },
      { code: 4, message: "not you", status: 403 },
    ]);
  });

  it("a request never answered is refused at the deadline (503) while a bystander keeps its acks", async () => {
    const started = Date.now();
    const hung = fetch(eioUrl(server.url, { hang: "1" }));
    assert.equal(await call(observer, "message-with-ack", "during"), "during");
    const res = await hung;
    assert.ok(Date.now() - started >= 290, `refused after ${Date.now() - started} ms`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { code: 4, message: "Forbidden" });
    const last = (await errors()).at(-1);
    assert.deepEqual({ code: last.code, status: last.status }, { code: 4, status: 503 });
  });

  it("records the other refusals with their codes", async () => {
    await fetch(eioUrl(server.url, { sid: "nope" }));
    await fetch(eioUrl(server.url, { transport: "carrier-pigeon" }));
    await fetch(eioUrl(server.url, { EIO: "3" }));
    const codes = (await errors()).slice(-3).map(({ code, message }) => ({ code, message }));
    assert.deepEqual(codes, [
      { code: 1, message: "Session ID unknown" },
      { code: 0, message: "Transport unknown" },
      { code: 5, message: "Unsupported protocol version" },
    ]);
  });

  for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]]) {
    it(`npm clients connect through the asynchronous allow_request (${transports.join("+")})`, async () => {
      const eio = new EngineSocket(server.url, { path: "/engine.io", transports });
      await once(eio, "open", CAP_MS, { rejectOn: ["error", "close"] });
      eio.close();
      const s = await connect(server.url, "/", { transports });
      assert.equal(await call(s, "message-with-ack", 7), 7);
      s.disconnect();
      const refused = await connect(server.url, "/", { transports, query: { deny: "closed today" } }).catch((e) => e);
      assert.ok(refused instanceof Error, "a denied client does not connect");
    });
  }

  it("handshake.time, issued, xdomain and secure as Node fills them", async () => {
    const plain = await connect(server.url, "/", { transports: ["websocket"] });
    const hs = await call(plain, "handshake");
    assert.equal(new Date(hs.time).getTime(), Math.floor(hs.issued / 1000) * 1000);
    assert.match(hs.time, /^\w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT\+0000 \(Coordinated Universal Time\)$/);
    assert.ok(Math.abs(hs.issued - Date.now()) < 60_000);
    assert.equal(hs.xdomain, false, "no Origin header");
    assert.equal(hs.secure, false);
    plain.disconnect();
    const cross = await connect(server.url, "/", { transports: ["websocket"], extraHeaders: { Origin: "http://elsewhere.example" } });
    assert.equal((await call(cross, "handshake")).xdomain, true);
    cross.disconnect();
  });
});
