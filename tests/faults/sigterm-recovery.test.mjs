// Connection state recovery across a restart (kibitz --recovery-window): two socket.io-client
// sockets joined to a /chat room; SIGTERM; kibitz starts again on the same port and data folder.
// Each socket reconnects by itself with `recovered === true`, its old id and its room, and gets
// what was broadcast to it after its disconnect and before the exit (the other's "user left",
// sent while the server closed the sockets one by one) exactly once. Re-joining as the page does
// gives the PROTOCOL.md answer, and the chat works. Negative control: the snapshot deleted, the
// sockets come back new. A corrupt, foreign or oversized snapshot is logged and ignored.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startKibitz, tempDir } from "./lib.mjs";
import { withTimeout } from "../interop/lib/server.mjs";
import { reconnectingChat } from "../interop/chat/chat.mjs";

const CAP = 10_000;
const WINDOW = ["--recovery-window", "60000", "--log-level", "info"];

async function joinAs(c, name, token) {
  const ack = await c.call("join", token ? { name, room: "lobby", token } : { name, room: "lobby" });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  return ack;
}

async function sigterm(server) {
  server.proc.kill("SIGTERM");
  const { code, signal } = await server.exited;
  assert.equal(signal, null, server.stderr());
  assert.equal(code, 0, server.stderr());
}

// Resolves once the server's stderr matches `re` (its lines may come after the listening line).
function logged(server, re, what) {
  return withTimeout(
    new Promise((resolve) => {
      const check = () => {
        if (!re.test(server.stderr())) return;
        server.proc.stderr.off("data", check);
        resolve();
      };
      server.proc.stderr.on("data", check);
      check();
    }),
    CAP,
    `${what}: ${re} in the log\n${server.stderr()}`,
  );
}

// Each event's offset (its last argument, a string) is seen once by a socket.
function assertOffsetsOnce(c, who) {
  const offsets = c.events
    .filter((e) => e.event !== "(disconnect)" && typeof e.args.at(-1) === "string")
    .map((e) => e.args.at(-1));
  assert.equal(new Set(offsets).size, offsets.length, `${who} got an offset twice: ${offsets}`);
}

test("SIGTERM and restart with --recovery-window: sockets come back recovered, with what they missed once", async () => {
  const data = tempDir();
  const snapshot = path.join(data.dir, "recovery.json");
  let server = await startKibitz(data.dir, WINDOW);
  const { port, url } = server;
  const ann = reconnectingChat(url);
  const bob = reconnectingChat(url);
  const clients = [ann, bob];
  try {
    await ann.until("ann connected", () => ann.connects.length === 1);
    await bob.until("bob connected", () => bob.connects.length === 1);
    const annJoin = await joinAs(ann, "ann");
    const bobJoin = await joinAs(bob, "bob");
    // Both have an offset to come back with: a "users" listing both.
    for (const c of clients)
      await c.until("users with both", () => c.of("users").some((e) => e.args[0].users.length === 2));
    const ids = clients.map((c) => c.socket.id);

    await sigterm(server);
    for (const c of clients) await c.until("the disconnect", () => c.of("(disconnect)").length === 1);
    assert.ok(existsSync(snapshot), "the snapshot is written");
    assert.equal(statSync(snapshot).mode & 0o777, 0o600, "it holds private ids: 0600");
    assert.ok(readFileSync(snapshot, "utf8").includes(ann.socket._pid));

    server = await startKibitz(data.dir, [...WINDOW, "--port", String(port)]);
    for (const c of clients) await c.until("the reconnect", () => c.connects.length === 2);
    assert.ok(!existsSync(snapshot), "read once and deleted");
    await logged(server, /recovery snapshot imported: 2 sessions/, "the import");
    clients.forEach((c, i) => {
      assert.deepEqual(c.connects[1], { id: ids[i], recovered: true });
    });

    // The socket closed first missed the other's "user left"; the other got the first's live
    // (or after its recovery, if the close came before the write). Each gets it exactly once.
    const left = (c, name) => c.of("user left").filter((e) => e.args[0].name === name);
    await ann.until("ann hears bob left", () => left(ann, "bob").length >= 1);
    await bob.until("bob hears ann left", () => left(bob, "ann").length >= 1);
    const afterRecovery = left(ann, "bob").filter((e) => e.phase === 2).length +
      left(bob, "ann").filter((e) => e.phase === 2).length;
    assert.ok(afterRecovery >= 1, "at least the first one closed missed one, delivered on recovery");

    // Their Socket.IO rooms came back, but not their names: until they join again they hear
    // nothing of the room (the chat takes a recovered socket without a name out of its rooms).
    // A "user joined cat" for ann would be queued before the answer to her join, sent later.
    const cat = reconnectingChat(server.url);
    clients.push(cat);
    await cat.until("cat connected", () => cat.connects.length === 1);
    await joinAs(cat, "cat");

    // The page joins again on connect, with its token: the PROTOCOL.md answer, same identity.
    const again = await joinAs(ann, "ann", annJoin.token);
    assert.equal(again.name, "ann");
    assert.equal(again.room, "lobby");
    assert.equal(again.token, annJoin.token);
    assert.deepEqual(again.users, ["ann", "cat"]);
    assert.equal(ann.of("user joined", 2).filter((e) => e.args[0].name === "cat").length, 0,
      "a recovered socket without a name heard a room's join");
    await joinAs(bob, "bob", bobJoin.token);
    const sent = await ann.call("message", { room: "lobby", text: "back again" });
    assert.equal(sent.ok, true, JSON.stringify(sent));
    for (const c of [bob, cat])
      await c.until("the message", () => c.of("message").some((e) => e.args[0].text === "back again"));
    assert.equal(ann.of("message").filter((e) => e.args[0].text === "back again").length, 1);
    for (const [c, who] of [[ann, "ann"], [bob, "bob"]]) {
      assert.equal(left(c, who === "ann" ? "bob" : "ann").length, 1, `${who}: "user left" once`);
      assertOffsetsOnce(c, who);
    }

    // Negative control: the same restart without the snapshot.
    cat.socket.disconnect();
    await sigterm(server);
    for (const c of [ann, bob]) await c.until("the disconnect", () => c.of("(disconnect)").length === 2);
    rmSync(snapshot);
    server = await startKibitz(data.dir, [...WINDOW, "--port", String(port)]);
    for (const c of [ann, bob]) await c.until("the reconnect", () => c.connects.length === 3);
    [ann, bob].forEach((c, i) => {
      assert.equal(c.connects[2].recovered, false);
      assert.notEqual(c.connects[2].id, ids[i]);
    });
  } finally {
    for (const c of clients) c.socket.disconnect();
    await server.stop();
    data.cleanup();
  }
});

test("a corrupt, foreign or oversized snapshot is logged and ignored, and one found with recovery off is deleted", async () => {
  const data = tempDir();
  const snapshot = path.join(data.dir, "recovery.json");
  const cases = [
    ["not JSON", () => writeFileSync(snapshot, "{\"format\": \"kibitz-rec"), /is not JSON/],
    ["foreign", () => writeFileSync(snapshot, JSON.stringify({ format: "other" })), /not a kibitz recovery snapshot/],
    [
      "a bad namespace",
      () =>
        writeFileSync(
          snapshot,
          JSON.stringify({ format: "kibitz-recovery", version: 1, namespaces: { "/chat": { next_offset: -1 } } }),
        ),
      /namespace \/chat: no next_offset/,
    ],
    [
      "oversized",
      () => {
        writeFileSync(snapshot, "");
        truncateSync(snapshot, 256 * 1024 * 1024 + 1); // sparse: nothing is written
      },
      /more than the 268435456/,
    ],
  ];
  try {
    for (const [what, plant, expected] of cases) {
      plant();
      const server = await startKibitz(data.dir, WINDOW);
      try {
        await logged(server, expected, what);
        assert.ok(!existsSync(snapshot), `${what}: deleted`);
        // The server works: a socket joins the chat.
        const c = reconnectingChat(server.url);
        try {
          await c.until("connected", () => c.connects.length === 1);
          await joinAs(c, "dan");
        } finally {
          c.socket.disconnect();
        }
      } finally {
        const { code } = await server.stop();
        assert.equal(code, 0, server.stderr());
      }
      rmSync(snapshot, { force: true }); // the clean shutdown wrote a new one
    }
    writeFileSync(snapshot, "{}");
    writeFileSync(`${snapshot}.tmp`, "{}"); // as a crash in the middle of a write leaves it
    const off = await startKibitz(data.dir, ["--log-level", "info"]);
    try {
      await logged(off, /recovery is off: deleted/, "recovery off");
      assert.ok(!existsSync(snapshot));
      assert.ok(!existsSync(`${snapshot}.tmp`), "the leftover of an interrupted write is deleted");
    } finally {
      await off.stop();
    }
    assert.ok(!existsSync(snapshot), "recovery off writes none");
  } finally {
    data.cleanup();
  }
});
