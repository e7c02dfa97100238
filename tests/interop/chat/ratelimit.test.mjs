// Flood control (PROTOCOL.md): accepted messages per name and joins per connection, in any
// window. The limits are set small by flags so the tests stay fast.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startChat, connectChat, call, joined, closeAll } from "./chat.mjs";

const servers = [];
after(async () => {
  for (const s of servers) await s.close();
});
async function start(args) {
  const s = await startChat(args);
  servers.push(s);
  return s;
}

test("a name may send N accepted messages per window, then rate_limited with retry_after_ms", async () => {
  const server = await start(["--chat-messages-per-window", "3", "--chat-window", "600000"]);
  const a = await joined(server.url, "flooder", "r");
  const b = await joined(server.url, "calm", "r");
  // Refused messages do not count.
  assert.equal((await call(a.socket, "message", { room: "r", text: " " })).ok, false);
  for (let i = 0; i < 3; i++) {
    assert.equal((await call(a.socket, "message", { room: "r", text: `m${i}` })).ok, true);
  }
  const limited = await call(a.socket, "message", { room: "r", text: "too many" });
  assert.equal(limited.ok, false);
  assert.equal(limited.error.code, "rate_limited");
  assert.ok(limited.error.retry_after_ms > 0 && limited.error.retry_after_ms <= 600000, JSON.stringify(limited));
  // Private messages count too, and another name is not affected.
  const priv = await call(a.socket, "message", { room: "r", text: "@calm psst" });
  assert.equal(priv.error.code, "rate_limited");
  assert.equal((await call(b.socket, "message", { room: "r", text: "fine" })).ok, true);
  // The limit belongs to the name: a new connection under the same name is still limited.
  const token = a.ack.token;
  a.socket.disconnect();
  await b.rec.find("user left", (e) => e.name === "flooder");
  const again = await connectChat(server.url);
  assert.equal((await call(again, "join", { name: "FLOODER", room: "r", token })).ok, true);
  assert.equal((await call(again, "message", { room: "r", text: "x" })).error.code, "rate_limited");
  // Nothing limited was stored or delivered.
  const h = await call(b.socket, "history", { room: "r" });
  assert.deepEqual(h.messages.map((m) => m.text), ["m0", "m1", "m2", "fine"]);
  assert.equal(b.rec.messages("too many").length, 0);
  closeAll(b.socket, again);
});

test("retry_after_ms is when the window has room again", async () => {
  const server = await start(["--chat-messages-per-window", "2", "--chat-window", "400"]);
  const a = await joined(server.url, "waiter", "lobby");
  assert.equal((await call(a.socket, "message", { text: "1" })).ok, true);
  assert.equal((await call(a.socket, "message", { text: "2" })).ok, true);
  const limited = await call(a.socket, "message", { text: "3" });
  assert.equal(limited.error.code, "rate_limited");
  // Wait as long as the server said (its own number, not a guess), then it goes through.
  await new Promise((resolve) => setTimeout(resolve, limited.error.retry_after_ms + 5));
  assert.equal((await call(a.socket, "message", { text: "3" })).ok, true);
  closeAll(a.socket);
});

test("a connection may call join N times per window", async () => {
  const server = await start(["--chat-joins-per-window", "4", "--chat-window", "600000"]);
  const s = await connectChat(server.url);
  // Every call counts, failed ones included.
  assert.equal((await call(s, "join", { name: "bad name" })).error.code, "name_invalid");
  assert.equal((await call(s, "join", { name: "joiner", room: "a" })).ok, true);
  assert.equal((await call(s, "join", { name: "joiner", room: "b" })).ok, true);
  assert.equal((await call(s, "join", { name: "joiner", room: "c" })).ok, true);
  const limited = await call(s, "join", { name: "joiner", room: "d" });
  assert.equal(limited.error.code, "rate_limited");
  assert.ok(limited.error.retry_after_ms > 0);
  // Another connection has its own count.
  const t = await connectChat(server.url);
  assert.equal((await call(t, "join", { name: "other", room: "d" })).ok, true);
  closeAll(s, t);
});

test("0 turns flood control off", async () => {
  const server = await start(["--chat-messages-per-window", "0"]);
  const a = await joined(server.url, "free", "lobby");
  const acks = await Promise.all(
    Array.from({ length: 40 }, (_, i) => call(a.socket, "message", { text: `m${i}` })),
  );
  assert.ok(acks.every((x) => x.ok));
  closeAll(a.socket);
});
