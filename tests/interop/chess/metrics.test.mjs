// GET /metrics on the real binary: the modules register their own gauges (the binary names no
// app namespace), and the text keeps its first names beside the new ones: one `# TYPE` line per
// metric, the sockets of each namespace ("/", "/chat", "/chess"), the Engine.IO sessions, the HTTP
// connections and the uptime.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { once } from "../lib/server.mjs";
import { CAP_MS, client, close, startChess } from "./helpers.mjs";

let server;
before(async () => {
  server = await startChess();
});
after(async () => {
  await server?.stopAndClean();
});

// The samples of GET /metrics as {"name{labels}": value}, and the TYPE lines in order.
async function scrape() {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  const samples = {};
  const types = [];
  for (const line of (await res.text()).split("\n").filter(Boolean)) {
    if (line.startsWith("# HELP ")) continue;
    const type = line.match(/^# TYPE (\S+) (gauge|counter|histogram)$/);
    if (type) {
      types.push(type[1]);
      continue;
    }
    const m = line.match(/^([a-z_]+(?:\{[^}]*\})?) (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/);
    assert.ok(m, `a sample line: ${line}`);
    // A histogram's samples are <name>_bucket, <name>_sum and <name>_count.
    const family = m[1].split("{")[0].replace(/_(bucket|sum|count)$/, (x) => (types.at(-1) + x === m[1].split("{")[0] ? "" : x));
    assert.equal(family, types.at(-1), `${line} follows its TYPE line`);
    samples[m[1]] = Number(m[2]);
  }
  return { samples, types };
}

// Scrapes until `pred` holds (the server counts a socket that left once it has seen it go).
async function scrapeUntil(pred, what) {
  const deadline = Date.now() + CAP_MS;
  for (;;) {
    const s = await scrape();
    if (pred(s.samples)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s.samples)}`);
    await new Promise((r) => setImmediate(r));
  }
}

const key = (nsp) => `kibitz_socketio_sockets{namespace="${nsp}"}`;

test("metrics keep their names and count each module's sockets", async () => {
  const idle = await scrape();
  // The names kept from the first version (others were added beside them).
  for (const name of ["kibitz_engineio_sessions", "kibitz_http_connections", "kibitz_socketio_sockets",
    "kibitz_uptime_seconds"]) assert.ok(idle.types.includes(name), `${name} is there`);
  assert.equal(new Set(idle.types).size, idle.types.length, "one TYPE line per metric");
  for (const k of ["kibitz_engineio_sessions", "kibitz_http_connections", key("/"), key("/chat"), key("/chess"),
    "kibitz_uptime_seconds"]) assert.ok(k in idle.samples, `${k} is sampled`);
  assert.equal(idle.samples[key("/chess")], 0);
  assert.equal(idle.samples[key("/chat")], 0);
  assert.ok(idle.samples.kibitz_uptime_seconds >= 0);

  const players = [await client(server.url), await client(server.url)];
  const chatter = io(`${server.url}/chat`, { forceNew: true, reconnection: false, transports: ["websocket"] });
  await once(chatter, "connect", CAP_MS, { rejectOn: ["connect_error"] });
  const busy = await scrapeUntil((s) => s[key("/chess")] === 2 && s[key("/chat")] === 1, "3 sockets");
  assert.equal(busy.samples[key("/")], 0);
  assert.equal(busy.samples.kibitz_engineio_sessions, 3);
  assert.ok(busy.samples.kibitz_http_connections >= 3, "each WebSocket holds its connection");

  close(players[0]);
  const after = await scrapeUntil((s) => s[key("/chess")] === 1, "one /chess socket gone");
  assert.equal(after.samples[key("/chat")], 1, "the other module's figure is untouched");
  close(players[1], chatter);
  await scrapeUntil((s) => s[key("/chess")] === 0 && s[key("/chat")] === 0 && s.kibitz_engineio_sessions === 0,
    "every socket gone");
});
