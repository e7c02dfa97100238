// GET /metrics of the kibitz binary scraped and parsed with the Prometheus client library's own
// text-format parser (Debian python3-prometheus-client, prometheus_client.parser): the text
// parses, families have the right types, and the counters move with traffic (sessions opened and
// closed by reason, Socket.IO packets and bytes both ways, sessions by transport). Then
// --metrics-token: no token or a wrong one is 401, the right one 200.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer } from "../lib/server.mjs";
import { connectTo } from "../admin/lib.mjs";
import { parse, scrape, until, value } from "./lib.mjs";

let data;
let server;
let guarded;

before(async () => {
  data = mkdtempSync(path.join(tmpdir(), "kibitz-metrics-"));
  server = await startServer("kibitz", ["--data", path.join(data, "a"), "--log-level", "warn"]);
  guarded = await startServer("kibitz", ["--data", path.join(data, "b"), "--log-level", "warn", "--metrics-token", "s3cret"]);
});
after(async () => {
  await Promise.all([server?.stop(), guarded?.stop()]);
  rmSync(data, { recursive: true, force: true });
});

test("the metrics parse and their counters move with traffic", async () => {
  const first = await scrape(server.url);
  assert.equal(first.status, 200);
  const before = parse(first.text);
  assert.equal(before.kibitz_engineio_sessions_opened.type, "counter");
  assert.equal(before.kibitz_socketio_packets_received.type, "counter");
  assert.equal(before.process_cpu_seconds.type, "counter");
  assert.equal(before.process_resident_memory_bytes.type, "gauge");
  assert.ok(value(before, "process_resident_memory_bytes") > 0);
  assert.ok(value(before, "process_open_fds") > 0);
  const opened0 = value(before, "kibitz_engineio_sessions_opened_total");
  const closed0 = value(before, "kibitz_engineio_sessions_closed_total", { reason: "transport close" });
  const inPackets0 = value(before, "kibitz_socketio_packets_received_total");
  const outBytes0 = value(before, "kibitz_socketio_bytes_sent_total");

  const s = await connectTo(server.url, "/", { transports: ["websocket"] });
  for (let i = 0; i < 5; i++) s.emit("anything", i);
  const during = await until(
    server.url,
    (f) => value(f, "kibitz_socketio_packets_received_total") >= inPackets0 + 6,
    "the CONNECT and 5 events received",
  );
  assert.equal(value(during, "kibitz_engineio_sessions_opened_total"), opened0 + 1);
  assert.equal(value(during, "kibitz_engineio_sessions_by_transport", { transport: "websocket" }), 1);
  assert.ok(value(during, "kibitz_socketio_bytes_sent_total") > outBytes0, "the CONNECT reply counted");
  assert.equal(value(during, "kibitz_socketio_sockets", { namespace: "/" }), 1);

  s.disconnect();
  const afterClose = await until(
    server.url,
    (f) => value(f, "kibitz_engineio_sessions_closed_total", { reason: "transport close" }) === closed0 + 1,
    "the session closed",
  );
  assert.equal(value(afterClose, "kibitz_engineio_sessions", {}), 0);
});

test("--metrics-token wants the bearer token", async () => {
  assert.equal((await scrape(guarded.url)).status, 401);
  assert.equal((await scrape(guarded.url, { Authorization: "Bearer wrong" })).status, 401);
  const ok = await scrape(guarded.url, { Authorization: "Bearer s3cret" });
  assert.equal(ok.status, 200);
  assert.ok(parse(ok.text).kibitz_uptime_seconds);
});
