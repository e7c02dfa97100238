// The series of GET /metrics that count events inside the modules (each module's counters,
// wired by apps/kibitz/metrics.cpp), parsed with prometheus_client's parser: every one is there
// with its type, and each moves when its event happens against the real binary:
// upgrades, requests refused by engine.io error code, a broadcast's recipients (histogram),
// slow-client closes, the store's operation latency (histogram), chat messages and rate-limit
// hits, chess games by state and moves. volatile drops and ack timeouts are there at 0: the
// binary's apps send nothing volatile and wait for no client ack (the unit tests of their
// modules move them).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer } from "../lib/server.mjs";
import { connectTo } from "../admin/lib.mjs";
import { call as chatCall, joined, closeAll } from "../chat/chat.mjs";
import { call as chessCall, client as chessClient, close as chessClose, newGame, play } from "../chess/helpers.mjs";
import { CAP_MS, families, until, value } from "./lib.mjs";

const SEND_QUEUE = 8192;

let data;
let server;

before(async () => {
  data = mkdtempSync(path.join(tmpdir(), "kibitz-metrics-events-"));
  server = await startServer("kibitz", [
    "--data", data, "--log-level", "warn",
    "--chat-joins-per-window", "3", "--chat-messages-per-window", "1000",
    "--max-send-queue", String(SEND_QUEUE),
  ]);
});
after(async () => {
  await server?.stop();
  rmSync(data, { recursive: true, force: true });
});

const count = (f, name, labels = {}) => value(f, name, labels) ?? NaN;

test("every new series is there with its type", async () => {
  const f = await families(server.url);
  const types = {
    kibitz_engineio_upgrades: "counter",
    kibitz_engineio_requests_refused: "counter",
    kibitz_socketio_volatile_dropped: "counter",
    kibitz_engineio_slow_client_closes: "counter",
    kibitz_socketio_broadcast_recipients: "histogram",
    kibitz_socketio_ack_timeouts: "counter",
    kibitz_store_operation_duration_seconds: "histogram",
    kibitz_chat_messages: "counter",
    kibitz_chat_rate_limited: "counter",
    kibitz_chess_games: "gauge",
    kibitz_chess_moves: "counter",
  };
  for (const [name, type] of Object.entries(types)) assert.equal(f[name]?.type, type, name);
  for (let code = 0; code <= 5; code++)
    assert.equal(count(f, "kibitz_engineio_requests_refused_total", { code: String(code) }) >= 0, true);
  for (const limit of ["message", "join", "history", "typing", "edit"])
    assert.ok(count(f, "kibitz_chat_rate_limited_total", { limit }) >= 0, limit);
  for (const op of ["insert_message", "history", "claim_identity", "save_games", "load_game"])
    assert.ok(count(f, "kibitz_store_operation_duration_seconds_count", { operation: op }) >= 0, op);
  // Buckets are cumulative and end with +Inf equal to the count.
  const inf = count(f, "kibitz_store_operation_duration_seconds_bucket", { operation: "insert_message", le: "+Inf" });
  assert.equal(inf, count(f, "kibitz_store_operation_duration_seconds_count", { operation: "insert_message" }));
  assert.equal(count(f, "kibitz_socketio_volatile_dropped_total"), 0);
  assert.equal(count(f, "kibitz_socketio_ack_timeouts_total"), 0);
});

test("an upgrade and refused requests are counted, by code", async () => {
  const f0 = await families(server.url);
  const up0 = count(f0, "kibitz_engineio_upgrades_total");
  const unknownTransport0 = count(f0, "kibitz_engineio_requests_refused_total", { code: "0" });
  const unknownSid0 = count(f0, "kibitz_engineio_requests_refused_total", { code: "1" });
  // Polling, then the upgrade to WebSocket.
  const s = await connectTo(server.url, "/", { transports: ["polling", "websocket"] });
  assert.equal((await fetch(`${server.url}/socket.io/?EIO=4&transport=carrier-pigeon`)).status, 400);
  assert.equal((await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=nobody`)).status, 400);
  const f = await until(server.url, (x) => count(x, "kibitz_engineio_upgrades_total") === up0 + 1, "the upgrade");
  assert.equal(count(f, "kibitz_engineio_requests_refused_total", { code: "0" }), unknownTransport0 + 1);
  assert.equal(count(f, "kibitz_engineio_requests_refused_total", { code: "1" }), unknownSid0 + 1);
  s.disconnect();
});

test("chat messages, their fan-out, the store's latency and a rate-limit hit", async () => {
  const f0 = await families(server.url);
  const sent0 = count(f0, "kibitz_chat_messages_total");
  const fanout0 = count(f0, "kibitz_socketio_broadcast_recipients_count");
  const two0 = count(f0, "kibitz_socketio_broadcast_recipients_bucket", { le: "10" });
  const one0 = count(f0, "kibitz_socketio_broadcast_recipients_bucket", { le: "1" });
  const inserts0 = count(f0, "kibitz_store_operation_duration_seconds_count", { operation: "insert_message" });
  const joins0 = count(f0, "kibitz_chat_rate_limited_total", { limit: "join" });

  const a = await joined(server.url, "alice", "metrics");
  const b = await joined(server.url, "bob", "metrics");
  const got = new Promise((resolve) => b.socket.on("message", (m) => m.text === "hello" && resolve(m)));
  assert.equal((await chatCall(a.socket, "message", { room: "metrics", text: "hello" })).ok, true);
  await got;
  const f = await until(server.url, (x) => count(x, "kibitz_chat_messages_total") === sent0 + 1, "the message");
  assert.ok(count(f, "kibitz_socketio_broadcast_recipients_count") > fanout0, "broadcasts observed");
  // The message went to both sockets of the room: a broadcast of 2 to 10 recipients, in the
  // le="10" bucket and not in le="1".
  const upTo10 = count(f, "kibitz_socketio_broadcast_recipients_bucket", { le: "10" }) - two0;
  const upTo1 = count(f, "kibitz_socketio_broadcast_recipients_bucket", { le: "1" }) - one0;
  assert.ok(upTo10 > upTo1, `${upTo10} broadcasts of up to 10, ${upTo1} of 1`);
  assert.ok(count(f, "kibitz_store_operation_duration_seconds_count", { operation: "insert_message" }) >= inserts0 + 1);
  assert.ok(count(f, "kibitz_store_operation_duration_seconds_sum", { operation: "insert_message" }) > 0);

  // --chat-joins-per-window 3: the fourth join in the window is refused.
  let refused = 0;
  for (let i = 0; i < 4; i++) {
    const ack = await chatCall(a.socket, "join", { name: "alice", room: `r${i}` });
    if (!ack.ok && ack.error.code === "rate_limited") refused++;
  }
  assert.ok(refused >= 1);
  await until(server.url, (x) => count(x, "kibitz_chat_rate_limited_total", { limit: "join" }) === joins0 + refused, "the join refused");
  closeAll(a.socket, b.socket);
});

// A raw Engine.IO polling session that joins the chat and then never polls: what the room sends
// piles up in its queue until --max-send-queue closes it. The sender is unaffected.
test("a client that does not read is closed as slow and counted", async () => {
  const slow0 = count(await families(server.url), "kibitz_engineio_slow_client_closes_total");
  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const { sid } = JSON.parse(open.slice(1));
  const post = (body) => fetch(`${base}&sid=${sid}`, { method: "POST", body, headers: { "Content-Type": "text/plain" } });
  assert.equal((await post("40/chat,")).status, 200);
  assert.equal((await post('42/chat,1["join",{"name":"sloth","room":"slow"}]')).status, 200);
  const a = await joined(server.url, "talker", "slow");
  // The sloth's join is done once its name shows in the room's list.
  await chatCall(a.socket, "history", { room: "slow" });
  const text = "x".repeat(1500);
  let closed = false;
  const deadline = Date.now() + CAP_MS;
  for (let i = 0; !closed; i++) {
    const ack = await chatCall(a.socket, "message", { room: "slow", text: `${i} ${text}` });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    if (i % 4 === 3) closed = count(await families(server.url), "kibitz_engineio_slow_client_closes_total") === slow0 + 1;
    if (Date.now() > deadline) throw new Error("the slow client was never closed");
  }
  // The sender goes on.
  assert.equal((await chatCall(a.socket, "message", { room: "slow", text: "still here" })).ok, true);
  closeAll(a.socket);
});

test("chess games by state and moves played", async () => {
  const f0 = await families(server.url);
  const waiting0 = count(f0, "kibitz_chess_games", { state: "waiting" });
  const started0 = count(f0, "kibitz_chess_games", { state: "started" });
  const moves0 = count(f0, "kibitz_chess_moves_total");
  const g = await newGame(server.url);
  await play(g, ["e2e4", "e7e5"]);
  const lone = await chessClient(server.url);
  assert.equal((await chessCall(lone, "create", { name: "carol", color: "white", clock: null })).ok, true);
  const f = await until(server.url, (x) => count(x, "kibitz_chess_moves_total") === moves0 + 2, "two moves");
  assert.equal(count(f, "kibitz_chess_games", { state: "started" }), started0 + 1);
  assert.equal(count(f, "kibitz_chess_games", { state: "waiting" }), waiting0 + 1);
  assert.ok(count(f, "kibitz_store_operation_duration_seconds_count", { operation: "save_games" }) >= 1);
  chessClose(g.white, g.black, lone);
});
