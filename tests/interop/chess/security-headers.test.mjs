// The kibitz binary, not the library, puts its Content-Security-Policy and friends on what it
// serves itself (pages, assets, the chess page, PGN downloads, 404, health); Socket.IO's paths
// (Engine.IO's answers, the client bundle) carry none of the app's policy.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startChess } from "./helpers.mjs";

function assertSecured(res, what) {
  const csp = res.headers.get("content-security-policy");
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.match(csp, /default-src 'self'/, what);
  assert.match(csp, /script-src 'self'/, what);
  assert.doesNotMatch(csp, /unsafe-eval/, what);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(res.headers.get("referrer-policy"), "same-origin", what);
}

test("the binary's own answers carry its security headers, Socket.IO's do not", async () => {
  const server = await startChess();
  try {
    for (const [path, status] of [
      ["/", 200],
      ["/chess/", 200],
      ["/chess/abcdefgh", 200],
      ["/chess/games/nosuchgame000001.pgn", 404],
      ["/no/such/page", 404],
      ["/healthz", 200],
    ]) {
      const res = await fetch(`${server.url}${path}`);
      await res.arrayBuffer();
      assert.equal(res.status, status, path);
      assertSecured(res, path);
    }
    // HEAD of a page: the same headers, no body.
    const head = await fetch(`${server.url}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    assert.ok(Number(head.headers.get("content-length")) > 0);
    assertSecured(head, "HEAD /");

    const eio = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    assert.equal(eio.status, 200);
    assert.match(await eio.text(), /^0\{"sid"/);
    assert.equal(eio.headers.get("content-security-policy"), null);
    const bundle = await fetch(`${server.url}/socket.io/socket.io.min.js`);
    await bundle.arrayBuffer();
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get("content-type"), /javascript/);
    assert.equal(bundle.headers.get("content-security-policy"), null);
    assert.equal(bundle.headers.get("x-content-type-options"), "nosniff");
  } finally {
    await server.stopAndClean();
  }
});
