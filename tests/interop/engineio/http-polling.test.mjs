// Raw HTTP long-polling against the /engine.io/ echo server: payload framing, heartbeats, and the
// ways a session ends (close packet, parse error, overlapping GETs, oversized or binary bodies).

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { deferred, startServer, withTimeout } from "../lib/server.mjs";
import { eioUrl, handshake, poll, push, HttpConn, rawHttp, SEP, target } from "../lib/eio.mjs";

const SESSION_UNKNOWN = { code: 1, message: "Session ID unknown" };

describe("Engine.IO long-polling", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server");
  });
  after(() => server?.stop());

  async function assertSessionGone(sid, why) {
    const res = await poll(server.url, sid);
    assert.equal(res.status, 400, `${why}: a later GET should be refused, got ${res.status} ${JSON.stringify(res.body)}`);
    assert.deepEqual(JSON.parse(res.body), SESSION_UNKNOWN);
  }

  async function assertServerStillEchoes() {
    const { sid } = await handshake(server.url);
    assert.equal((await push(server.url, sid, "4still here")).body, "ok");
    assert.equal((await poll(server.url, sid)).body, "4still here");
  }

  it("acknowledges a POST with 'ok' and echoes the message on the next GET", async () => {
    const { sid } = await handshake(server.url);
    const pushed = await push(server.url, sid, "4hello");
    assert.equal(pushed.status, 200);
    assert.equal(pushed.body, "ok");
    const polled = await poll(server.url, sid);
    assert.equal(polled.status, 200);
    assert.match(polled.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(polled.body, "4hello");
  });

  it("echoes several packets of one payload in one payload, separated by \\x1e", async () => {
    const { sid } = await handshake(server.url);
    await push(server.url, sid, ["4test1", "4test2", "4test3"].join(SEP));
    assert.equal((await poll(server.url, sid)).body, ["4test1", "4test2", "4test3"].join(SEP));
  });

  it("echoes binary packets as base64 'b' packets next to text packets", async () => {
    const { sid } = await handshake(server.url);
    await push(server.url, sid, `4hello${SEP}bAQIDBA==`);
    assert.equal((await poll(server.url, sid)).body, `4hello${SEP}bAQIDBA==`);
  });

  it("keeps multi-byte UTF-8 text intact", async () => {
    const { sid } = await handshake(server.url);
    const text = "4héllo € 𝄞 日本語";
    await push(server.url, sid, text);
    const polled = await poll(server.url, sid);
    assert.equal(polled.body, text);
    assert.equal(Number(polled.headers.get("content-length")), Buffer.byteLength(text));
  });

  it("holds a GET open until there is something to send", async () => {
    const { sid } = await handshake(server.url);
    const pending = poll(server.url, sid);
    await push(server.url, sid, "4late");
    assert.equal((await withTimeout(pending, 5000, "pending GET")).body, "4late");
  });

  it("pings every pingInterval and accepts pongs by POST", async () => {
    const { sid } = await handshake(server.url);
    for (let i = 0; i < 3; i++) {
      const polled = await poll(server.url, sid);
      assert.equal(polled.status, 200);
      assert.equal(polled.body, "2", `ping ${i + 1}`);
      const pushed = await push(server.url, sid, "3");
      assert.equal(pushed.status, 200);
    }
  });

  it("closes a session whose pong does not come within pingTimeout, releasing the pending GET with a close packet", async () => {
    const { sid } = await handshake(server.url);
    assert.equal((await poll(server.url, sid)).body, "2");
    const released = await withTimeout(poll(server.url, sid), 5000, "GET pending over a ping timeout");
    assert.equal(released.status, 200);
    assert.equal(released.body, "1");
    await assertSessionGone(sid, "after a ping timeout");
  });

  it("releases a pending GET with a noop when the client sends a close packet, then forgets the session", async () => {
    // Handshake on a raw keep-alive connection, so the long-poll GET that follows on it is read
    // by a server that has already accepted and served that connection.
    const conn = await HttpConn.open(server.port);
    try {
      const opened = await conn.request(`GET ${target(eioUrl(server.url))} HTTP/1.1\r\nHost: 127.0.0.1`);
      const sid = JSON.parse(opened.body.slice(1)).sid;
      const written = deferred();
      const pending = conn.request(`GET ${target(eioUrl(server.url, { sid }))} HTTP/1.1\r\nHost: 127.0.0.1`, undefined, {
        onWritten: written.resolve,
      });
      // The GET is on the wire before the close packet is sent.
      await written.promise;
      const pushed = await push(server.url, sid, "1");
      assert.equal(pushed.status, 200);
      const released = await pending;
      assert.equal(released.status, 200, `pending GET: ${released.status} ${released.body}`);
      assert.equal(released.body, "6");
      await assertSessionGone(sid, "after a close packet");
    } finally {
      conn.close();
    }
  });

  it("closes the session on a payload that does not parse", async () => {
    const { sid } = await handshake(server.url);
    // engine.io 6 answers this POST with 200 "ok" (the parse error closes the session, not the
    // request); a 400 or a dropped connection is acceptable too. What matters is the session.
    const pushed = await push(server.url, sid, "abc").catch((err) => ({ status: 0, error: err.cause?.code ?? err.message }));
    assert.ok([0, 200, 400].includes(pushed.status), `POST of an invalid payload: got ${pushed.status}`);
    await assertSessionGone(sid, "after an invalid payload");
  });

  it("answers a second concurrent GET with 400, releases the first with a close packet and closes the session", async () => {
    const { sid } = await handshake(server.url);
    const [a, b] = await withTimeout(Promise.all([poll(server.url, sid), poll(server.url, sid)]), 5000, "two concurrent GETs");
    // Whichever reached the server second is the overlap.
    const [first, second] = a.status === 200 ? [a, b] : [b, a];
    assert.deepEqual([first.status, second.status], [200, 400], `statuses ${a.status} ${b.status}`);
    assert.equal(first.body, "1");
    await assertSessionGone(sid, "after overlapping GETs");
    await assertServerStillEchoes();
  });

  it("accepts a POST body of exactly maxHttpBufferSize bytes", async () => {
    const { sid } = await handshake(server.url);
    const body = "4" + "a".repeat(1e6 - 1);
    const pushed = await push(server.url, sid, body);
    assert.equal(pushed.status, 200);
    assert.equal(pushed.body, "ok");
    const polled = await poll(server.url, sid);
    assert.equal(polled.body.length, body.length);
    assert.ok(polled.body === body, "echo differs from what was sent");
  });

  async function postOversize(sid) {
    const body = Buffer.alloc(1e6 + 1, "a");
    body[0] = "4".charCodeAt(0);
    return rawHttp(
      server.port,
      `POST ${target(eioUrl(server.url, { sid }))} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ${body.length}`,
      body,
    );
  }

  it("answers a POST body of maxHttpBufferSize + 1 bytes with 413", async () => {
    const { sid } = await handshake(server.url);
    const res = await postOversize(sid);
    assert.equal(res.status, 413, `oversize POST: ${res.status} ${JSON.stringify(res.body.slice(0, 80))}`);
    await assertServerStillEchoes();
  });

  // We want the session to end here; engine.io 6.6 answers 413 but keeps the session,
  // so this one is skipped when the suite is pointed at the Node reference.
  it(
    "closes the session after a 413",
    { skip: process.env.KIBITZ_REFERENCE === "node" && "engine.io 6 keeps the session after a 413" },
    async () => {
      const { sid } = await handshake(server.url);
      assert.equal((await postOversize(sid)).status, 413);
      await assertSessionGone(sid, "after a 413");
    },
  );

  it("refuses an application/octet-stream POST with 400 and closes the session", async () => {
    const { sid } = await handshake(server.url);
    const pushed = await push(server.url, sid, Uint8Array.from([4, 1, 2, 3]), {
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(pushed.status, 400);
    await assertSessionGone(sid, "after a binary POST body");
  });
});
