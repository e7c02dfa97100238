// Identity is the token, not the name (docs/security.md): private messages and client ids belong to the
// identity that sent or received them. A newcomer who takes a freed name without its token sees
// none of the previous holder's private history, before or after a restart; the holder, with the
// token, still does. Tokens are stored as SHA-256 only and never logged.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { startChat, connectChat, call, joined, closeAll, tempData } from "./chat.mjs";

const texts = (messages) => messages.map((m) => m.text);

// Joins `name` in `room` on a new connection, retrying while the previous holder's disconnect
// is still being processed (name_taken for a moment).
async function joinFreed(url, name, room, extra = {}) {
  for (let i = 0; i < 50; i++) {
    const socket = await connectChat(url);
    const ack = await call(socket, "join", { name, room, ...extra });
    if (ack.ok) return { socket, ack };
    socket.disconnect();
    if (ack.error.code !== "name_taken") throw new Error(JSON.stringify(ack));
  }
  throw new Error(`${name} never became free`);
}

async function gone(observer, name) {
  await observer.rec.find("user left", (e) => e.name === name);
}

function assertNoSecrets(messages, what) {
  for (const secret of ["secret to bob", "secret to alice"]) {
    assert.ok(!texts(messages).includes(secret), `${what} shows '${secret}': ${JSON.stringify(texts(messages))}`);
  }
}

test("a freed name's private history stays with its token, across a restart", async () => {
  const data = tempData();
  let server = await startChat([], data.dir);
  try {
    const room = "ids";
    const alice = await joined(server.url, "alice", room);
    const bob = await joined(server.url, "bob", room);
    const token = alice.ack.token;
    assert.equal((await call(alice.socket, "message", { room, text: "hello all", id: "cid-1" })).ok, true);
    assert.equal((await call(alice.socket, "message", { room, text: "@bob secret to bob" })).ok, true);
    assert.equal((await call(bob.socket, "message", { room, text: "@alice secret to alice" })).ok, true);
    alice.socket.disconnect();
    await gone(bob, "alice");

    // A newcomer takes the freed name without the token.
    const mallory = await joinFreed(server.url, "ALICE", room);
    assert.notEqual(mallory.ack.token, token);
    assert.ok(texts(mallory.ack.history).includes("hello all"));
    assertNoSecrets(mallory.ack.history, "the newcomer's join");
    assertNoSecrets((await call(mallory.socket, "history", { room })).messages, "the newcomer's history");
    // Client ids belong to the identity too: the same id makes the newcomer's own message.
    const own = await call(mallory.socket, "message", { room, text: "not alice", id: "cid-1" });
    assert.equal(own.ok, true);
    assert.equal(own.message.text, "not alice");
    // And a private message to the name now reaches the newcomer, not the old holder.
    assert.equal((await call(bob.socket, "message", { room, text: "@alice to the newcomer" })).ok, true);
    mallory.socket.disconnect();
    await gone(bob, "ALICE");

    // The holder comes back with the token: everything is there, and it is the same identity.
    const back = await joinFreed(server.url, "alice", room, { token });
    assert.equal(back.ack.token, token);
    assert.ok(texts(back.ack.history).includes("secret to bob"));
    assert.ok(texts(back.ack.history).includes("secret to alice"));
    assert.ok(!texts(back.ack.history).includes("to the newcomer"));
    back.socket.disconnect();
    closeAll(bob.socket);

    // After a restart on the same data: the same rules.
    await server.close();
    server = await startChat([], data.dir);
    const stranger = await joinFreed(server.url, "alice", room);
    assertNoSecrets(stranger.ack.history, "a newcomer's join after the restart");
    assertNoSecrets((await call(stranger.socket, "history", { room })).messages, "history after the restart");
    assert.ok(!texts(stranger.ack.history).includes("to the newcomer"));
    // A guessed token is no proof either.
    stranger.socket.disconnect();
    const observer = await joined(server.url, "observer", room);
    const guess = await joinFreed(server.url, "alice", room, { token: token.slice(0, -1) + "x" });
    assertNoSecrets(guess.ack.history, "a join with a wrong token");
    assert.notEqual(guess.ack.token, token);
    guess.socket.disconnect();
    await gone(observer, "alice");

    const holder = await joinFreed(server.url, "alice", room, { token });
    assert.equal(holder.ack.token, token);
    const h = (await call(holder.socket, "history", { room })).messages;
    assert.ok(texts(h).includes("secret to bob") && texts(h).includes("secret to alice"), JSON.stringify(texts(h)));
    // The holder's client id still finds the holder's message (a resend after the restart).
    const resend = await call(holder.socket, "message", { room, text: "edited", id: "cid-1" });
    assert.equal(resend.message.text, "hello all");
    closeAll(holder.socket, observer.socket);

    // Only the SHA-256 of the token is on disk; the token is in no log line.
    const sha = createHash("sha256").update(token).digest("hex");
    const files = ["kibitz.db", "kibitz.db-wal"].map((f) => path.join(data.dir, f)).filter(existsSync);
    const disk = Buffer.concat(files.map((f) => readFileSync(f)));
    assert.equal(disk.includes(Buffer.from(token)), false, "the token is stored in plaintext");
    assert.equal(disk.includes(Buffer.from(sha)), true, "the token's hash is not stored");
    assert.equal(server.stderr().includes(token), false, "the token was logged");
  } finally {
    await server.close();
    data.cleanup();
  }
});

test("identities no message names are pruned from the store; those with history and those present stay", async () => {
  // Every third new identity prunes those last claimed before now (a TTL of 0 ms).
  const server = await startChat(["--chat-prune-every", "3", "--chat-identity-ttl", "0"]);
  try {
    const room = "prune";
    const observer = await joined(server.url, "observer", room); // new identity 1
    const silent = await joined(server.url, "silent", room); // 2: never says a thing
    const silentToken = silent.ack.token;
    const observerToken = observer.ack.token;
    assert.equal((await call(observer.socket, "message", { room, text: "observer speaks" })).ok, true);
    silent.socket.disconnect();
    await gone(observer, "silent");
    // Identity 3 prunes; its own later jobs run after the prune.
    const third = await joined(server.url, "third", room);
    assert.equal((await call(third.socket, "message", { room, text: "after the prune" })).ok, true);
    // The silent identity is gone: its token now gets a new identity and a new token.
    const again = await joinFreed(server.url, "silent", room, { token: silentToken });
    assert.notEqual(again.ack.token, silentToken);
    // The observer (present, and with a message) kept its identity: a take-over with its token works.
    const takeOver = await joinFreed(server.url, "observer", room, { token: observerToken });
    assert.equal(takeOver.ack.token, observerToken);
    assert.ok(texts(takeOver.ack.history).includes("observer speaks"));
    closeAll(observer.socket, third.socket, again.socket, takeOver.socket);
  } finally {
    await server.close();
  }
});

// The number of identity rows in the server's SQLite file (read by Debian's python3 while the
// server runs: WAL lets a reader see every commit).
function identityRows(dir) {
  const py = "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from identities').fetchone()[0])";
  const r = spawnSync("/usr/bin/python3", ["-c", py, path.join(dir, "kibitz.db")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

// Joins as `count` new names, `parallel` at a time, each leaving at once; every join acked.
async function joinFlood(url, count, parallel = 10) {
  for (let i = 0; i < count; i += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, async (_, k) => {
      const { socket } = await joined(url, `drifter${i + k}`, "flood");
      socket.disconnect();
    }));
  }
}

for (const pruned of [true, false]) {
  test(`a join flood of new names leaves the identity table ${pruned ? "bounded" : "growing (prune off)"}`, async () => {
    const server = await startChat(["--chat-prune-every", pruned ? "50" : "0", "--chat-identity-ttl", "0"]);
    try {
      await joinFlood(server.url, 300);
      // One more join after the flood: its prune (if due) runs before its own later jobs.
      const last = await joined(server.url, "last", "flood");
      assert.equal((await call(last.socket, "message", { room: "flood", text: "done" })).ok, true);
      const rows = identityRows(server.dataDir);
      console.log(`# ${rows} identity rows after 301 new names (prune ${pruned ? "every 50" : "off"})`);
      if (pruned) assert.ok(rows <= 50 + 1, `${rows} rows: the table is not bounded by the prune`);
      else assert.equal(rows, 301, "without pruning every identity stays");
      closeAll(last.socket);
    } finally {
      await server.close();
    }
  });
}
