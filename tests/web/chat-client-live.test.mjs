// web/chat-client.js with the real socket.io-client against the real kibitz binary (KIBITZ_BIN_DIR,
// as the interop tests): messages sent as the transport drops go out again after the automatic
// reconnect and reach a bystander exactly once, in order; history pages with `before` as the
// server gives ids. Every wait has a cap; nothing waits for a fixed time.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { withTimeout } from "../interop/lib/server.mjs";
import { startChat, joined, call, closeAll } from "../interop/chat/chat.mjs";
import { ChatClient, memoryStorage } from "../../web/chat-client.js";

// A safety net only (the machine may be busy: an ASan build, shared cores).
const CAP = 20_000;

let server;
const sockets = [];

before(async () => {
  server = await startChat(["--chat-messages-per-window", "0"]);
});

after(async () => {
  closeAll(...sockets);
  await server?.close();
});

// Resolves once `predicate()` holds, checked now and after every event of `client`.
function until(client, predicate, what) {
  return withTimeout(
    new Promise((resolve) => {
      if (predicate()) return resolve();
      const check = () => {
        if (!predicate()) return;
        for (const t of types) client.removeEventListener(t, check);
        resolve();
      };
      const types = ["connection", "identity", "rooms", "users", "log", "outbox", "error"];
      for (const t of types) client.addEventListener(t, check);
    }),
    CAP,
    what,
  );
}

function liveClient(opts = {}) {
  const socket = io(`${server.url}/chat`, { forceNew: true, transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 200 });
  sockets.push(socket);
  const client = new ChatClient({ storage: memoryStorage(), ...opts });
  client.attach(socket);
  return { client, socket };
}

test("messages sent as the connection drops are resent after the reconnect and arrive once", async () => {
  const watcher = await joined(server.url, "Watcher");
  sockets.push(watcher.socket);
  const { client, socket } = liveClient();
  await until(client, () => client.online, "connected");
  assert.deepEqual(await client.pickName("Ann"), { ok: true });

  let drops = 0;
  client.addEventListener("connection", (e) => { if (!e.detail.online) drops++; });
  for (const t of ["one", "two", "three"]) client.send("lobby", t);
  socket.io.engine.close(); // the transport drops; socket.io-client reconnects by itself
  await until(client, () => drops === 1 && client.online && client.joined && client.outbox.length === 0, "resent and acked");

  client.send("lobby", "marker");
  await watcher.rec.until("message", (l) => l.some((m) => m.text === "marker"), CAP, "marker");
  const got = watcher.rec.of("message").map((m) => m.text);
  assert.deepEqual(got, ["one", "two", "three", "marker"]);
  // The watcher may hear the marker before the sender's own client has its echo: wait for it.
  const log = () => client.rooms.get("lobby").messages.map((m) => m.text);
  await until(client, () => log().includes("marker"), "the marker in the sender's log");
  assert.deepEqual(client.rooms.get("lobby").messages.map((m) => m.text).slice(-4), ["one", "two", "three", "marker"]);
});

test("loadEarlier pages the real history; the window keeps its bound", async () => {
  const seeder = await joined(server.url, "Seeder", "pages");
  sockets.push(seeder.socket);
  for (let i = 1; i <= 160; i++) assert.equal((await call(seeder.socket, "message", { room: "pages", text: `p${i}` })).ok, true);
  const { client } = liveClient({ maxMessages: 120 });
  assert.equal(await client.openRoom("pages"), true); // opened before the name: joined with it
  await until(client, () => client.online, "connected");
  assert.deepEqual(await client.pickName("Pager"), { ok: true });
  const r = client.rooms.get("pages");
  const texts = () => r.messages.map((m) => m.text);
  assert.deepEqual([texts().length, texts()[0], r.hasEarlier], [50, "p111", true]);
  assert.deepEqual(await client.loadEarlier("pages"), { ok: true, count: 100 });
  assert.deepEqual([texts().length, texts()[0], texts().at(-1), r.hasLater], [120, "p11", "p130", true]);
  assert.deepEqual(await client.loadEarlier("pages"), { ok: true, count: 10 });
  assert.deepEqual([texts()[0], texts().at(-1), r.hasEarlier], ["p1", "p120", false]);
  await client.loadLatest("pages");
  assert.deepEqual([texts().length, texts()[0], texts().at(-1), r.hasLater], [100, "p61", "p160", false]);
});
