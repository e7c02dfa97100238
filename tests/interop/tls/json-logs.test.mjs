// The logs of a real run over TLS in JSON lines (--log-format json): every line is one object
// with time, level and msg; SIGUSR1 turns debug on (access lines for HTTP requests appear, with
// the path and never the query) and off again; no line holds an Engine.IO session id or a chat
// token, though the run used both (polling with sid in the URL, a join answered with a token and
// a second join that presents it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { once, withTimeout } from "../lib/server.mjs";
import { makePki, startTlsServer } from "./tls-lib.mjs";

const CAP = 5000;

function lines(stderr) {
  return stderr.split("\n").filter((l) => l.length > 0);
}

test("JSON log lines: fields, SIGUSR1 debug toggle, access lines, no session ids or tokens", async () => {
  const pki = makePki();
  pki.issue(77);
  const data = mkdtempSync(path.join(tmpdir(), "kibitz-logs-"));
  const server = await startTlsServer("kibitz", pki, ["--data", data, "--log-format", "json", "--log-level", "info"]);
  const secrets = [];
  const sockets = [];
  try {
    // At info: no access lines yet.
    const first = io(server.url + "/chat", { ca: pki.ca, transports: ["polling"], reconnection: false, forceNew: true });
    sockets.push(first);
    await once(first, "connect", CAP, { rejectOn: ["connect_error"] });
    secrets.push(first.io.engine.id);
    const joined = await withTimeout(first.emitWithAck("join", { name: "Logan", room: "lobby" }), CAP, "join");
    assert.equal(joined.ok, true, JSON.stringify(joined));
    secrets.push(joined.token);
    assert.equal(lines(server.stderr()).filter((l) => l.includes('"request"')).length, 0);

    server.proc.kill("SIGUSR1");
    await server.waitStderr(/SIGUSR1[^\n]*"threshold":"debug"/);
    // Debug now: polling requests (with ?sid= in their URLs) and a WebSocket upgrade are logged.
    const second = io(server.url + "/chat", { ca: pki.ca, reconnection: false, forceNew: true });
    sockets.push(second);
    await once(second, "connect", CAP, { rejectOn: ["connect_error"] });
    secrets.push(second.io.engine.id);
    if (second.io.engine.transport.name !== "websocket") await once(second.io.engine, "upgrade", CAP);
    const again = await withTimeout(second.emitWithAck("join", { name: "Logan", room: "lobby", token: joined.token }), CAP, "join with token");
    assert.equal(again.ok, true, JSON.stringify(again));
    secrets.push(again.token);
    await withTimeout(second.emitWithAck("message", { room: "lobby", text: "hello logs" }), CAP, "message");
    await server.waitStderr(/"status":"101"/);

    server.proc.kill("SIGUSR1"); // back to info
    await server.waitStderr(/SIGUSR1[^\n]*"threshold":"info"/);
  } finally {
    for (const s of sockets) s.disconnect();
    const { code } = await server.stop();
    assert.equal(code, 0, server.stderr());
    pki.remove();
    rmSync(data, { recursive: true, force: true });
  }
  const all = lines(server.stderr());
  const parsed = all.map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      assert.fail(`not a JSON line: ${l}`);
    }
  });
  for (const o of parsed) {
    assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(["debug", "info", "warn", "error"].includes(o.level), JSON.stringify(o));
    assert.equal(typeof o.msg, "string");
  }
  const access = parsed.filter((o) => o.module === "http" && o.msg === "request");
  assert.ok(access.length >= 3, `access lines: ${access.length}`);
  for (const a of access) {
    for (const key of ["conn", "remote", "method", "path", "status", "bytes", "ms", "tls"]) assert.ok(key in a, `${key} in ${JSON.stringify(a)}`);
    assert.equal(a.tls, "true");
    assert.ok(!a.path.includes("?"), a.path);
  }
  assert.ok(access.some((a) => a.path === "/socket.io/" && a.status === "101"));
  assert.ok(parsed.some((o) => o.module === "kibitz" && /shutting down/.test(o.msg)));
  // No session id nor token anywhere.
  assert.equal(secrets.filter(Boolean).length, 4);
  for (const secret of secrets) {
    const hit = all.find((l) => l.includes(secret));
    assert.equal(hit, undefined, `secret ${secret} in: ${hit}`);
  }
});
