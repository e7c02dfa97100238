// TLS on the real binaries: npm socket.io-client over wss:// and https:// polling with a test CA
// made by the test, handshake.secure, the handshake deadline (a client that never speaks TLS is
// closed, a bystander is not), a SIGHUP reload shown by the served certificate's serial while an
// old connection stays up, plain HTTP to the TLS port refused, only TLS 1.2+ with ECDHE+AEAD
// ciphers, and the --redirect-http-port listener.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { CALM_HEARTBEATS, once, withTimeout } from "../lib/server.mjs";
import { makePki, startTlsServer, freePort } from "./tls-lib.mjs";

const CAP = 5000;
let pki;
let conf; // conformance-server over TLS

before(async () => {
  pki = makePki();
  pki.issue(1001);
  conf = await startTlsServer("conformance-server", pki, CALM_HEARTBEATS);
});

after(async () => {
  if (conf) await conf.stop();
  pki?.remove();
});

function connect(url, opts = {}) {
  const socket = io(url, { ca: pki.ca, reconnection: false, timeout: CAP, forceNew: true, ...opts });
  return socket;
}

async function connected(socket) {
  await once(socket, "connect", CAP, { rejectOn: ["connect_error"] });
  return socket;
}

// The serial of the certificate a fresh TLS connection is served, as hex (Node's spelling).
async function servedSerial(port, ca) {
  const s = tls.connect({ port, host: "127.0.0.1", servername: "localhost", ca });
  await once(s, "secureConnect", CAP, { rejectOn: ["error"] });
  const serial = s.getPeerCertificate().serialNumber;
  s.destroy();
  return serial;
}

for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
  test(`socket.io-client over ${transports.join("+")} on TLS: acks and handshake.secure`, async () => {
    const socket = await connected(connect(conf.url, { transports }));
    try {
      const echo = await withTimeout(socket.emitWithAck("message-with-ack", { n: 1 }, "é"), CAP, "ack");
      assert.deepEqual(echo, { n: 1 });
      const secure = await withTimeout(socket.emitWithAck("handshake-secure"), CAP, "secure");
      assert.equal(secure, true);
      if (transports.length === 2 && socket.io.engine.transport.name !== "websocket")
        await once(socket.io.engine, "upgrade", CAP);
      assert.equal(socket.io.engine.transport.name, transports.at(-1));
      // A large message crosses several TLS records both ways.
      const big = "x".repeat(200_000);
      assert.equal(await withTimeout(socket.emitWithAck("message-with-ack", big), CAP, "big ack"), big);
    } finally {
      socket.disconnect();
    }
  });
}

test("a client that does not trust the CA is refused by its own check", async () => {
  const socket = io(conf.url, { transports: ["websocket"], reconnection: false, timeout: CAP, forceNew: true });
  const [err] = await once(socket, "connect_error", CAP);
  assert.match(String(err.description?.message ?? err.message ?? err), /certificate|self.signed|issuer/i);
  socket.close();
});

test("plain HTTP to the TLS port gets a 400 in plain text; the server goes on", async () => {
  const res = await new Promise((resolve, reject) => {
    const req = http.get({ port: conf.port, host: "127.0.0.1", path: "/socket.io/?EIO=4&transport=polling" }, resolve);
    req.on("error", reject);
  });
  assert.equal(res.statusCode, 400);
  let body = "";
  for await (const chunk of res) body += chunk;
  assert.match(body, /speaks HTTPS/);
  const socket = await connected(connect(conf.url, { transports: ["websocket"] }));
  socket.disconnect();
});

test("only TLS 1.2+ with forward-secret AEAD ciphers", async () => {
  // A TLS 1.2 client that offers only static-RSA or CBC suites finds no common cipher.
  const weak = tls.connect({ port: conf.port, host: "127.0.0.1", servername: "localhost", ca: pki.ca,
    maxVersion: "TLSv1.2", ciphers: "AES128-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA" });
  const [err] = await once(weak, "error", CAP);
  assert.match(String(err.message), /handshake failure|no shared cipher|alert/i);
  // TLS 1.2 with defaults negotiates an ECDHE AEAD suite; the default client gets TLS 1.3.
  const t12 = tls.connect({ port: conf.port, host: "127.0.0.1", servername: "localhost", ca: pki.ca, maxVersion: "TLSv1.2" });
  await once(t12, "secureConnect", CAP, { rejectOn: ["error"] });
  assert.equal(t12.getProtocol(), "TLSv1.2");
  assert.match(t12.getCipher().name, /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  t12.destroy();
  const t13 = tls.connect({ port: conf.port, host: "127.0.0.1", servername: "localhost", ca: pki.ca });
  await once(t13, "secureConnect", CAP, { rejectOn: ["error"] });
  assert.equal(t13.getProtocol(), "TLSv1.3");
  t13.destroy();
});

test("kibitz: handshake deadline, SIGHUP reload and the HTTP redirect", async (t) => {
  const own = makePki();
  own.issue(1001);
  const data = mkdtempSync(path.join(tmpdir(), "kibitz-tls-data-"));
  const redirectPort = await freePort();
  const server = await startTlsServer("kibitz", own, ["--data", data, "--log-level", "info",
    "--tls-handshake-timeout", "600", "--redirect-http-port", String(redirectPort)]);
  t.after(async () => {
    await server.stop();
    own.remove();
    rmSync(data, { recursive: true, force: true });
  });
  const ca = own.ca;
  const bystander = io(server.url, { ca, transports: ["websocket"], reconnection: false, forceNew: true });
  await once(bystander, "connect", CAP, { rejectOn: ["connect_error"] });
  t.after(() => bystander.disconnect());
  const chat = bystander.io.socket("/chat");
  await once(chat.connect(), "connect", CAP, { rejectOn: ["connect_error"] });
  t.after(() => chat.disconnect());

  await t.test("a TCP client that never speaks TLS is closed at the deadline", async () => {
    const started = Date.now();
    const silent = net.connect(server.port, "127.0.0.1");
    await once(silent, "connect", CAP);
    const closed = once(silent, "close", CAP);
    // The bystander keeps working while the silent client waits.
    const join = await withTimeout(chat.emitWithAck("join", { room: "lobby", name: "bystander" }), CAP, "join");
    assert.equal(join.ok, true, JSON.stringify(join));
    await closed;
    const waited = Date.now() - started;
    assert.ok(waited >= 500, `closed after ${waited} ms, before the 600 ms deadline`);
    assert.ok(waited < 3000, `closed after ${waited} ms`);
    assert.equal(bystander.connected, true);
  });

  await t.test("SIGHUP: new connections get the new certificate, old ones stay up", async () => {
    assert.equal(await servedSerial(server.port, ca), "03E9"); // 1001
    own.issue(2002);
    server.proc.kill("SIGHUP");
    await server.waitStderr(/TLS certificate and key reloaded/);
    assert.equal(await servedSerial(server.port, ca), "07D2"); // 2002
    // A broken key: the reload fails and the last good certificate stays.
    writeFileSync(own.key, "not a key\n");
    server.proc.kill("SIGHUP");
    await server.waitStderr(/TLS reload failed/);
    assert.equal(await servedSerial(server.port, ca), "07D2");
    // The connection opened before both reloads still answers.
    assert.equal(bystander.connected, true);
    const res = await withTimeout(chat.emitWithAck("history", { room: "lobby" }), CAP, "history");
    assert.equal(res.ok, true);
  });

  await t.test("--redirect-http-port answers 301 to https on the TLS port", async () => {
    const res = await new Promise((resolve, reject) => {
      http.get({ port: redirectPort, host: "127.0.0.1", path: "/healthz?probe=1", headers: { Host: "localhost:" + redirectPort } }, resolve)
        .on("error", reject);
    });
    assert.equal(res.statusCode, 301);
    assert.equal(res.headers.location, `https://localhost:${server.port}/healthz?probe=1`);
    res.resume();
    // The page it points to is served over TLS.
    const page = await new Promise((resolve, reject) => {
      https.get(res.headers.location, { ca }, resolve).on("error", reject);
    });
    assert.equal(page.statusCode, 200);
    page.resume();
  });
});
