// deploy/nginx.conf in front of kibitz, with Debian's nginx (scripts/deps.sh test): the file is
// rendered into a temp dir with only what a test must change (free loopback ports instead of 80
// and 443, no IPv6 listen, the upstream's port, a test CA's certificate) and included in an
// http {} block whose pid file, logs and temp paths are in that dir; nginx runs in the
// foreground (daemon off) and is stopped by its PID. Through it, socket.io-client over TLS:
// WebSocket only, polling only, and polling upgraded to WebSocket, each joining the chat and
// sending a message that another client receives; plus the HTTP -> HTTPS redirect and /metrics
// kept private at the proxy. Behind the proxy every client comes from its address: the config's
// limit_conn bounds each client address (429) without blocking another, and the negative
// control shows why kibitz's own per-address limits must be off behind it (they count every
// client together: "Too many sessions" for all once one address's worth is open).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { once, repoRoot, withTimeout } from "../lib/server.mjs";
import { freePort } from "../lib/postgres.mjs";
import { startChat } from "../chat/chat.mjs";
import { makePki } from "../tls/tls-lib.mjs";

const CAP = 10_000;
const NGINX = "/usr/sbin/nginx";
// What deploy/nginx.conf says to run kibitz with behind it: no limits per address (every
// client comes from the proxy's), which the proxy enforces instead.
const BEHIND_PROXY = ["--max-sessions-per-ip", "0", "--max-connections-per-ip", "0",
  "--chat-max-rooms-per-ip", "0", "--chess-max-open-per-ip", "0"];

let kibitz;
let pki;
let proxy;

// deploy/nginx.conf with the test's ports and certificate; everything else as shipped.
function render(conf, { httpPort, tlsPort, upstreamPort, cert, key, perAddress }) {
  let out = conf
    .replace(/^\s*listen \[::\]:\d+.*\n/gm, "")
    .replace(/listen 80;/, `listen 127.0.0.1:${httpPort};`)
    .replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${tlsPort} ssl http2;`)
    .replace(/server 127\.0\.0\.1:3000;/, `server 127.0.0.1:${upstreamPort};`)
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${cert};`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${key};`);
  if (perAddress) out = out.replace(/limit_conn kibitz_per_address \d+;/, `limit_conn kibitz_per_address ${perAddress};`);
  const expected = [`:${httpPort};`, `:${tlsPort} ssl`, `:${upstreamPort};`, cert, key];
  if (perAddress) expected.push(`kibitz_per_address ${perAddress};`);
  for (const line of expected)
    assert.ok(out.includes(line), `deploy/nginx.conf no longer has the line for ${line}`);
  return out;
}

function mainConf(dir) {
  return [
    "daemon off;",
    "master_process off;",
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log info;`,
    "events { worker_connections 512; }",
    "http {",
    `    access_log ${dir}/access.log;`,
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `    ${t}_temp_path ${dir}/${t};`),
    `    include ${dir}/kibitz.conf;`,
    "}",
    "",
  ].join("\n");
}

// GET `url` (http or https with the test CA): {status, headers, body}.
function get(url) {
  const lib = url.startsWith("https:") ? https : http;
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = lib.get(url, { ca: pki.ca }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
      });
      req.on("error", reject);
    }),
    CAP,
    `GET ${url}`,
  );
}

async function startNginx(upstream, { perAddress } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "kibitz-nginx-"));
  const [httpPort, tlsPort] = [await freePort(), await freePort()];
  const conf = readFileSync(path.join(repoRoot, "deploy/nginx.conf"), "utf8");
  writeFileSync(path.join(dir, "kibitz.conf"),
    render(conf, { httpPort, tlsPort, upstreamPort: upstream.port, cert: pki.cert, key: pki.key, perAddress }));
  writeFileSync(path.join(dir, "nginx.conf"), mainConf(dir));
  const args = ["-p", dir, "-e", path.join(dir, "error.log"), "-c", path.join(dir, "nginx.conf")];
  const check = spawnSync(NGINX, [...args, "-t"], { encoding: "utf8" });
  assert.equal(check.status, 0, `nginx -t:\n${check.stderr}`);
  const proc = spawn(NGINX, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  let gone = false;
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  exited.then(() => (gone = true));
  const url = `https://127.0.0.1:${tlsPort}`;
  // Ready once kibitz answers through it.
  await withTimeout(
    (async () => {
      for (;;) {
        if (gone) throw new Error(`nginx exited: ${log}${readFileSync(path.join(dir, "error.log"), "utf8")}`);
        const r = await get(`${url}/healthz`).catch(() => null);
        if (r?.status === 200) return;
        await new Promise((r) => setTimeout(r, 50)); // polling readiness, not timing the test
      }
    })(),
    CAP,
    "nginx ready",
  );
  return {
    url,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    dir,
    log: () => readFileSync(path.join(dir, "error.log"), "utf8"),
    async stop() {
      if (!gone) proc.kill("SIGTERM");
      const r = await exited;
      rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
}

before(async () => {
  const v = spawnSync(NGINX, ["-v"], { encoding: "utf8" });
  assert.equal(v.status, 0, `Debian's nginx is needed (scripts/deps.sh test): ${v.error ?? v.stderr}`);
  pki = makePki();
  pki.issue(2001);
  kibitz = await startChat(BEHIND_PROXY);
  proxy = await startNginx(kibitz);
});

after(async () => {
  if (proxy) {
    const { code, signal } = await proxy.stop();
    assert.ok(code === 0 || signal === "SIGTERM", `nginx exit ${code ?? signal}`);
  }
  await kibitz?.close();
  pki?.remove();
});

function chatSocket(opts, via = proxy) {
  return io(`${via.url}/chat`, { ca: pki.ca, forceNew: true, reconnection: false, timeout: CAP, ...opts });
}

async function connectedSocket(opts, via = proxy) {
  const socket = chatSocket(opts, via);
  await once(socket, "connect", CAP, { rejectOn: ["connect_error"] });
  return socket;
}

// Resolves with the socket's connect_error (rejects if it connects).
async function refused(socket) {
  const [err] = await once(socket, "connect_error", CAP, { rejectOn: ["connect"] });
  return err;
}

const call = (socket, event, payload) => socket.timeout(CAP).emitWithAck(event, payload);

// `sender` and `reader` join `room`; a message of the sender reaches the reader.
async function roundTrip(sender, reader, room, name) {
  for (const [s, n] of [[sender, name], [reader, `${name}-r`]]) {
    const ack = await call(s, "join", { name: n, room });
    assert.equal(ack.ok, true, JSON.stringify(ack));
  }
  const got = once(reader, "message", CAP);
  const sent = await call(sender, "message", { room, text: `hello from ${name}` });
  assert.equal(sent.ok, true, JSON.stringify(sent));
  const [message] = await got;
  assert.equal(message.text, `hello from ${name}`);
  assert.equal(message.from, name);
}

test("plain HTTP is redirected to HTTPS, /metrics is refused at the proxy, pages are served", async () => {
  const redirect = await get(`${proxy.httpUrl}/chat/?x=1`);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, "https://127.0.0.1/chat/?x=1");
  assert.equal((await get(`${proxy.url}/metrics`)).status, 403);
  const page = await get(`${proxy.url}/chat/`);
  assert.equal(page.status, 200);
  assert.match(page.headers["content-security-policy"] ?? "", /default-src 'self'/);
});

for (const transports of [["websocket"], ["polling"]]) {
  test(`socket.io-client over ${transports[0]} only through nginx: join and message`, async () => {
    const sender = await connectedSocket({ transports });
    const reader = await connectedSocket({ transports });
    try {
      assert.equal(sender.io.engine.transport.name, transports[0]);
      await roundTrip(sender, reader, `via-${transports[0]}`, `n${transports[0].slice(0, 4)}`);
      assert.equal(sender.io.engine.transport.name, transports[0], "no transport change");
    } finally {
      sender.disconnect();
      reader.disconnect();
    }
  });
}

test("polling upgrades to WebSocket through nginx, and the chat goes on over it", async () => {
  const sender = await connectedSocket({ transports: ["polling", "websocket"] });
  const reader = await connectedSocket({ transports: ["polling"] });
  try {
    if (sender.io.engine.transport.name !== "websocket") await once(sender.io.engine, "upgrade", CAP);
    assert.equal(sender.io.engine.transport.name, "websocket");
    await roundTrip(sender, reader, "upgraded", "upg");
  } finally {
    sender.disconnect();
    reader.disconnect();
  }
  // Only the refusals of /metrics ("access forbidden by rule") are errors in nginx's log.
  const errors = proxy.log().split("\n").filter((l) => /\[(error|crit|alert|emerg)\]/.test(l));
  assert.deepEqual(errors.filter((l) => !l.includes("access forbidden by rule")), []);
});

// Linux routes all of 127.0.0.0/8 to loopback: clients from two addresses on one machine.
const FROM_A = "127.0.0.2";
const FROM_B = "127.0.0.3";

test("the proxy bounds each client address (limit_conn), and one address does not block another", async () => {
  const limited = await startNginx(kibitz, { perAddress: 3 });
  const sockets = [];
  try {
    for (let i = 0; i < 3; i++)
      sockets.push(await connectedSocket({ transports: ["websocket"], localAddress: FROM_A }, limited));
    const fourth = chatSocket({ transports: ["websocket"], localAddress: FROM_A }, limited);
    sockets.push(fourth);
    const err = await refused(fourth);
    assert.match(String(err.description?.message), /Unexpected server response: 429/);
    const other = await connectedSocket({ transports: ["websocket"], localAddress: FROM_B }, limited);
    sockets.push(other);
    const ack = await call(other, "join", { name: "other", room: "bounded" });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    // The three held WebSockets still work.
    assert.equal((await call(sockets[0], "join", { name: "held", room: "bounded" })).ok, true);
  } finally {
    for (const s of sockets) s.disconnect();
    await limited.stop();
  }
});

test("negative control: kibitz's own limit per address, behind the proxy, counts every client together", async () => {
  const strict = await startChat(["--max-sessions-per-ip", "2"]);
  const front = await startNginx(strict);
  const sockets = [];
  try {
    // Direct, two addresses hold two sessions each.
    for (const from of [FROM_A, FROM_A, FROM_B, FROM_B])
      sockets.push(await connectedSocket({ transports: ["websocket"], localAddress: from }, strict));
    // Through the proxy, the third session is refused, whoever opens it.
    sockets.push(await connectedSocket({ transports: ["websocket"], localAddress: FROM_A }, front));
    sockets.push(await connectedSocket({ transports: ["websocket"], localAddress: FROM_B }, front));
    const third = chatSocket({ transports: ["polling"], localAddress: FROM_B }, front);
    sockets.push(third);
    const err = await refused(third);
    assert.equal(err.description, 403, err.message);
    const handshake = await get(`${front.url}/socket.io/?EIO=4&transport=polling`);
    assert.equal(handshake.status, 403);
    assert.deepEqual(JSON.parse(handshake.body), { code: 4, message: "Too many sessions" });
    // Direct, a third address still gets in: only the proxy's address is full.
    sockets.push(await connectedSocket({ transports: ["websocket"], localAddress: "127.0.0.4" }, strict));
  } finally {
    for (const s of sockets) s.disconnect();
    await front.stop();
    await strict.close();
  }
});
