// sio-test-server --client-dist serves the socket.io-client bundles from the npm package's dist/
// at /socket.io/socket.io.js and its siblings, as Node's serveClient does; only those of the
// server's parser (conformance-server --parser msgpack: socket.io.msgpack.min.js).

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { CALM_HEARTBEATS, repoRoot, startServer } from "../lib/server.mjs";
import { startSio, stopClean } from "../lib/sio.mjs";

const DIST = path.join(repoRoot, "node_modules/socket.io-client/dist");

describe("client bundle", () => {
  let server;
  before(async () => {
    server = await startSio(["--client-dist", DIST]);
  });
  after(async () => {
    await stopClean(server);
  });

  for (const name of ["socket.io.js", "socket.io.min.js", "socket.io.esm.min.js", "socket.io.js.map"]) {
    it(`serves ${name} byte for byte`, async () => {
      const res = await fetch(`${server.url}/socket.io/${name}`);
      assert.equal(res.status, 200);
      const type = res.headers.get("content-type");
      assert.match(type, name.endsWith(".map") ? /application\/json/ : /javascript/);
      const body = Buffer.from(await res.arrayBuffer());
      assert.ok(body.equals(readFileSync(path.join(DIST, name))), `${name} differs from the package's`);
    });
  }

  it("answers HEAD with the GET's length and no body", async () => {
    const res = await fetch(`${server.url}/socket.io/socket.io.min.js`, { method: "HEAD" });
    assert.equal(res.status, 200);
    const size = readFileSync(path.join(DIST, "socket.io.min.js")).length;
    assert.equal(Number(res.headers.get("content-length")), size);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  it("answers 404 for a name outside the bundle list", async () => {
    const res = await fetch(`${server.url}/socket.io/package.json`);
    await res.arrayBuffer();
    assert.notEqual(res.status, 200);
  });

  it("does not serve the msgpack bundle, which could never connect to a JSON server", async () => {
    for (const name of ["socket.io.msgpack.min.js", "socket.io.msgpack.min.js.map"]) {
      const res = await fetch(`${server.url}/socket.io/${name}`);
      await res.arrayBuffer();
      assert.notEqual(res.status, 200, name);
    }
  });
});

describe("client bundle of a msgpack server", () => {
  let server;
  before(async () => {
    server = await startServer("conformance-server", ["--parser", "msgpack", "--client-dist", DIST, ...CALM_HEARTBEATS]);
  });
  after(async () => {
    await server.stop();
  });

  it("serves socket.io.msgpack.min.js byte for byte, and not the JSON bundles", async () => {
    const res = await fetch(`${server.url}/socket.io/socket.io.msgpack.min.js`);
    assert.equal(res.status, 200);
    const body = Buffer.from(await res.arrayBuffer());
    assert.ok(body.equals(readFileSync(path.join(DIST, "socket.io.msgpack.min.js"))));
    for (const name of ["socket.io.js", "socket.io.min.js", "socket.io.esm.min.js"]) {
      const other = await fetch(`${server.url}/socket.io/${name}`);
      await other.arrayBuffer();
      assert.notEqual(other.status, 200, name);
    }
  });
});
