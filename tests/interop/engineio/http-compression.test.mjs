// httpCompression (engine.io's option, on by default): a long-polling response of 1024 bytes or
// more is gzip- or deflate-compressed as the GET's Accept-Encoding prefers. Raw GETs read the
// compressed bytes and decode them; the npm clients run polling-only with each of their polling
// transports: the default XHR one (xmlhttprequest-ssl sends no Accept-Encoding and gets plain
// bodies) and the fetch one (undici asks for gzip and decodes it).

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import { Fetch, NodeXHR } from "engine.io-client";
import { startServer } from "../lib/server.mjs";
import { eioUrl, handshake, push, openClient, closeClient, echoAll, bytes } from "../lib/eio.mjs";
import { CAP_MS, connect } from "../lib/sio.mjs";

// A GET with these request headers, answered as raw bytes (node:http decodes nothing).
function rawGet(url, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(CAP_MS, () => req.destroy(new Error("no answer within the cap")));
  });
}

// A session holding `message` for its next GET, which asks with `acceptEncoding`.
async function pollWith(base, message, acceptEncoding) {
  const { sid } = await handshake(base);
  assert.equal((await push(base, sid, message)).body, "ok");
  const headers = acceptEncoding === undefined ? {} : { "Accept-Encoding": acceptEncoding };
  return rawGet(eioUrl(base, { sid }), headers);
}

const big = "4" + "kibitz chess and chat ".repeat(200); // 4401 bytes, compresses well

describe("httpCompression on long-polling responses", () => {
  let server;
  let off;
  before(async () => {
    server = await startServer("conformance-server");
    off = await startServer("conformance-server", ["--http-compression", "off"]);
  });
  after(async () => {
    await server?.stop();
    await off?.stop();
  });

  it("gzips a large response for Accept-Encoding gzip; the body decodes to the payload", async () => {
    const res = await pollWith(server.url, big, "gzip, deflate, br");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-encoding"], "gzip");
    assert.equal(Number(res.headers["content-length"]), res.body.length);
    assert.ok(res.body.length < big.length / 4, `compressed to ${res.body.length} bytes`);
    assert.equal(zlib.gunzipSync(res.body).toString(), big);
  });

  it("deflates (zlib format) when deflate is preferred", async () => {
    const res = await pollWith(server.url, big, "gzip;q=0.5, deflate");
    assert.equal(res.headers["content-encoding"], "deflate");
    assert.equal(zlib.inflateSync(res.body).toString(), big);
  });

  it("sends as is below the 1024-byte threshold, without Accept-Encoding, and for q=0", async () => {
    const small = "4" + "x".repeat(1000);
    for (const [message, accept] of [
      [small, "gzip"],
      [big, undefined],
      [big, "gzip;q=0, deflate;q=0"],
      [big, "br"],
    ]) {
      const res = await pollWith(server.url, message, accept);
      assert.equal(res.headers["content-encoding"], undefined, `Accept-Encoding ${accept}`);
      assert.equal(res.body.toString(), message);
    }
    // gzip refused by name, deflate admitted by "*".
    const res = await pollWith(server.url, big, "gzip;q=0, *");
    assert.equal(res.headers["content-encoding"], "deflate");
    assert.equal(zlib.inflateSync(res.body).toString(), big);
  });

  it("--http-compression off sends every response as is", async () => {
    const res = await pollWith(off.url, big, "gzip");
    assert.equal(res.headers["content-encoding"], undefined);
    assert.equal(res.body.toString(), big);
  });

  // The Content-Encoding of every response the fetch transport gets (it calls global fetch).
  async function withFetchSpy(body) {
    const original = globalThis.fetch;
    const encodings = [];
    globalThis.fetch = async (...args) => {
      const res = await original(...args);
      encodings.push(res.headers.get("content-encoding"));
      return res;
    };
    try {
      await body();
    } finally {
      globalThis.fetch = original;
    }
    return encodings;
  }

  for (const [name, transport] of [["XHR", NodeXHR], ["fetch", Fetch]]) {
    it(`engine.io-client polling-only (${name}) exchanges large text and binary`, async () => {
      const encodings = await withFetchSpy(async () => {
        const socket = await openClient(server.url, { transports: [transport] });
        const text = "é".repeat(3000) + "end";
        const binary = Buffer.alloc(5000, 7);
        const got = await echoAll(socket, [text, binary]);
        assert.equal(got[0], text);
        assert.deepEqual(bytes(got[1]), [...binary]);
        await closeClient(socket);
      });
      // undici's fetch sends "Accept-Encoding: gzip, deflate" and decodes; XHR sends none.
      if (name === "fetch") assert.ok(encodings.includes("gzip"), `encodings ${encodings}`);
      else assert.deepEqual(encodings, []);
    });
  }

  it("socket.io-client polling-only (fetch) gets a large ack and event", async () => {
    const encodings = await withFetchSpy(async () => {
      const s = await connect(server.url, "/", { transports: [Fetch] });
      const payload = { board: "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1".repeat(100) };
      assert.deepEqual(await s.timeout(CAP_MS).emitWithAck("message-with-ack", payload), payload);
      const back = new Promise((resolve) => s.once("message-back", resolve));
      s.emit("message", payload);
      assert.deepEqual(await back, payload);
      s.disconnect();
    });
    assert.ok(encodings.filter((e) => e === "gzip").length >= 2, `encodings ${encodings}`);
  });
});
