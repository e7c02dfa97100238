// A short soak: many clients in several rooms send for a while; every message is acked, and
// every socket in a room receives every message of that room exactly once, in the order of the
// server's ids (the store's order). Sizes come from the environment:
//   KIBITZ_CHAT_SOAK_CLIENTS (200), KIBITZ_CHAT_SOAK_SECONDS (30), KIBITZ_CHAT_SOAK_ROOM_SIZE (20),
//   KIBITZ_CHAT_SOAK_INTERVAL_MS (1000, each client's pause between messages).
// The longer manual run is in docs/chat.md.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startChat, connectChat, call, closeAll } from "../interop/chat/chat.mjs";
import { withTimeout } from "../interop/lib/server.mjs";

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const CLIENTS = env("KIBITZ_CHAT_SOAK_CLIENTS", 200);
const SECONDS = env("KIBITZ_CHAT_SOAK_SECONDS", 30);
const ROOM_SIZE = env("KIBITZ_CHAT_SOAK_ROOM_SIZE", 20);
const INTERVAL_MS = env("KIBITZ_CHAT_SOAK_INTERVAL_MS", 1000);

test(`soak: ${CLIENTS} clients for ${SECONDS} s`, { timeout: (SECONDS + 120) * 1000 }, async () => {
  const server = await startChat(["--chat-messages-per-window", "0", "--max-sessions-per-ip", "0"]);
  const clients = [];
  try {
    for (let i = 0; i < CLIENTS; i++) {
      const socket = await connectChat(server.url, { transports: ["websocket"] });
      const room = `soak-${Math.floor(i / ROOM_SIZE)}`;
      const client = { socket, room, name: `soak${i}`, received: [], acked: [], failures: [] };
      socket.on("message", (m) => client.received.push(m));
      const ack = await call(socket, "join", { name: client.name, room });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      clients.push(client);
    }

    // Each client sends one message per interval (with jitter) until the time is up.
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      clients.map(async (c, i) => {
        await new Promise((r) => setTimeout(r, (i * 37) % INTERVAL_MS));
        let n = 0;
        while (Date.now() < deadline) {
          const id = `${c.name}-${n}`;
          try {
            const ack = await c.socket.timeout(10_000).emitWithAck("message", { room: c.room, text: `m ${id}`, id });
            if (ack.ok) c.acked.push(ack.message);
            else c.failures.push(ack);
          } catch (err) {
            c.failures.push(String(err));
          }
          n++;
          await new Promise((r) => setTimeout(r, INTERVAL_MS * (0.5 + Math.random())));
        }
      }),
    );

    const failures = clients.flatMap((c) => c.failures);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} messages not acked`);
    // What each room should have seen: every acked message, in id order.
    const expected = new Map();
    for (const c of clients) {
      if (!expected.has(c.room)) expected.set(c.room, []);
      expected.get(c.room).push(...c.acked);
    }
    for (const list of expected.values()) list.sort((a, b) => Number(a.id) - Number(b.id));
    // Deliveries may still be on their way for the last acks: wait for the counts, with a cap.
    await withTimeout(
      (async () => {
        for (const c of clients) {
          while (c.received.length < expected.get(c.room).length) {
            await new Promise((r) => c.socket.once("message", r));
          }
        }
      })(),
      30_000,
      "every delivery",
    );
    let total = 0;
    for (const c of clients) {
      const want = expected.get(c.room).map((m) => m.id);
      const got = c.received.map((m) => m.id);
      assert.deepEqual(got, want, `${c.name} in ${c.room}: every message once, in order`);
      total += got.length;
    }
    const sent = clients.reduce((n, c) => n + c.acked.length, 0);
    console.log(`# soak: ${CLIENTS} clients, ${sent} messages acked, ${total} deliveries checked`);
  } finally {
    closeAll(...clients.map((c) => c.socket));
    await server.close();
  }
});
