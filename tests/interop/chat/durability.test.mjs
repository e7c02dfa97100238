// Durability (PROTOCOL.md: an ok ack means stored durably; history survives a restart; a
// resent client id is found after a restart): SIGKILL the server in the middle of a burst of
// messages, restart it on the same data directory, and find every acked message exactly once.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startChat, connectChat, call, joined, closeAll, tempData } from "./chat.mjs";

// Every message of `room` visible to `socket`, oldest first, paging back with `before`.
async function fullHistory(socket, room) {
  const out = [];
  let before;
  for (;;) {
    const page = await call(socket, "history", { room, limit: 100, ...(before ? { before } : {}) });
    assert.equal(page.ok, true);
    if (page.messages.length === 0) return out;
    out.unshift(...page.messages);
    before = page.messages[0].id;
  }
}

test("kill -9 during a burst loses no acked message, and resends are not doubled", async () => {
  const data = tempData();
  const flags = ["--chat-messages-per-window", "0"];
  let server = await startChat(flags, data.dir);
  const senders = [];
  for (let i = 0; i < 4; i++) senders.push(await joined(server.url, `burst${i}`, "durable"));

  const acked = new Map(); // client id -> Message
  const sent = [];
  let killed = false;
  const killAt = 150;
  const exited = server.exited;
  // Each sender keeps a window of messages in flight until the server dies.
  await new Promise((resolve) => {
    let running = senders.length;
    senders.forEach(({ socket }, s) => {
      let i = 0;
      let inFlight = 0;
      // Up to 8 messages of each sender wait for their ack at any time.
      const pump = () => {
        while (!killed && inFlight < 8) {
          const id = `s${s}-${i}`;
          const text = `burst ${s} ${i++}`;
          sent.push({ s, id, text });
          inFlight++;
          socket.timeout(10_000).emit("message", { room: "durable", text, id }, (err, ack) => {
            inFlight--;
            if (!err && ack?.ok) acked.set(id, ack.message);
            if (!killed && acked.size >= killAt) {
              killed = true;
              server.proc.kill("SIGKILL");
            }
            pump();
          });
        }
      };
      socket.on("disconnect", () => {
        if (--running === 0) resolve();
      });
      pump();
    });
  });
  const { signal } = await exited;
  assert.equal(signal, "SIGKILL");
  assert.ok(acked.size >= killAt, `acked ${acked.size}`);
  assert.ok(sent.length > acked.size, "the kill came with messages in flight");
  console.log(`# sent ${sent.length}, acked ${acked.size} before SIGKILL`);

  server = await startChat(flags, data.dir);
  try {
    const reader = await joined(server.url, "reader", "durable");
    const history = await fullHistory(reader.socket, "durable");
    const byId = new Map();
    for (const m of history) byId.set(m.id, (byId.get(m.id) ?? 0) + 1);
    for (const [cid, m] of acked) {
      assert.equal(byId.get(m.id), 1, `acked ${cid} (${m.id}) found once`);
      assert.deepEqual(history.find((h) => h.id === m.id), m);
    }
    const texts = history.map((m) => m.text);
    assert.equal(new Set(texts).size, texts.length, "no text twice");

    // Every sender resends everything with the same ids: acked ones come back as they were,
    // nothing is stored twice, and the history then holds each message exactly once.
    for (let s = 0; s < senders.length; s++) {
      const again = await connectChat(server.url);
      // The same identity (the name with its token): client ids belong to it.
      const ack = await call(again, "join", { name: `burst${s}`, room: "durable", token: senders[s].ack.token });
      assert.equal(ack.ok, true);
      const mine = sent.filter((x) => x.s === s);
      for (let k = 0; k < mine.length; k += 9) {
        const batch = mine.slice(k, k + 9);
        const acks = await Promise.all(
          batch.map((x) => call(again, "message", { room: "durable", text: x.text, id: x.id })),
        );
        for (const [j, a] of acks.entries()) {
          assert.equal(a.ok, true, JSON.stringify(a));
          const before = acked.get(batch[j].id);
          if (before) assert.deepEqual(a.message, before);
        }
      }
      closeAll(again);
    }
    const final = await fullHistory(reader.socket, "durable");
    assert.equal(final.length, sent.length);
    assert.equal(new Set(final.map((m) => m.text)).size, sent.length);
    closeAll(reader.socket);
  } finally {
    await server.stop();
    data.cleanup();
  }
});
