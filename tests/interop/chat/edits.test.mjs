// Edits, deletes, mentions and `/me` messages (docs/PROTOCOL.md "Additions made by Kibitz"): only
// the author's identity (its token) changes a message; everyone who can see it hears of the
// change and nobody else; history shows the edited text and keeps a tombstone for a deleted one;
// everything is durable across a restart and acked only after commit.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startChat, connectChat, call, joined, closeAll, tempData } from "./chat.mjs";

async function joinFreed(url, name, room) {
  for (let i = 0; i < 50; i++) {
    const socket = await connectChat(url);
    const ack = await call(socket, "join", { name, room });
    if (ack.ok) return { socket, ack };
    socket.disconnect();
    if (ack.error.code !== "name_taken") throw new Error(JSON.stringify(ack));
  }
  throw new Error(`${name} never became free`);
}

test("the author edits and deletes; the room hears of it; history keeps the edit and a tombstone", async () => {
  const data = tempData();
  let server = await startChat([], data.dir);
  try {
    const room = "edits";
    const alice = await joined(server.url, "alice", room);
    const bob = await joined(server.url, "bob", room);
    const carol = await joined(server.url, "carol", "elsewhere");
    const sent = await call(alice.socket, "message", { room, text: "helo" });
    assert.equal(sent.ok, true);
    const id = sent.message.id;

    const edited = await call(alice.socket, "edit", { id, text: "hello" });
    assert.equal(edited.ok, true, JSON.stringify(edited));
    assert.equal(edited.message.id, id);
    assert.equal(edited.message.text, "hello");
    assert.equal(edited.message.from, "alice");
    assert.equal(typeof edited.message.edited, "number");
    assert.equal(edited.message.ts, sent.message.ts);
    for (const who of [alice, bob]) {
      const u = await who.rec.find("message updated", (m) => m.id === id);
      assert.deepEqual(u, edited.message);
    }

    const history = await call(bob.socket, "history", { room });
    const h = history.messages.find((m) => m.id === id);
    assert.equal(h.text, "hello");
    assert.equal(h.edited, edited.message.edited);

    // Not the author: forbidden; not in the room, or no such id: not_found.
    assert.equal((await call(bob.socket, "edit", { id, text: "mine now" })).error.code, "forbidden");
    assert.equal((await call(bob.socket, "delete", { id })).error.code, "forbidden");
    assert.equal((await call(carol.socket, "edit", { id, text: "x" })).error.code, "not_found");
    assert.equal((await call(carol.socket, "delete", { id })).error.code, "not_found");
    assert.equal((await call(alice.socket, "edit", { id: "999999", text: "x" })).error.code, "not_found");
    assert.equal((await call(alice.socket, "edit", { id: "not-an-id", text: "x" })).error.code, "not_found");
    // Wrong shapes and bad text.
    assert.equal((await call(alice.socket, "edit", { id, text: 5 })).error.code, "bad_request");
    assert.equal((await call(alice.socket, "edit", { text: "x" })).error.code, "bad_request");
    assert.equal((await call(alice.socket, "delete", { id: {} })).error.code, "bad_request");
    assert.equal((await call(alice.socket, "edit", { id, text: "   " })).error.code, "text_invalid");
    assert.equal((await call(alice.socket, "edit", { id, text: "a\u202Eb" })).error.code, "text_invalid");

    const deleted = await call(alice.socket, "delete", { id });
    assert.deepEqual(deleted, { ok: true });
    for (const who of [alice, bob]) {
      assert.deepEqual(await who.rec.find("message deleted", (m) => m.id === id), { id, room });
    }
    // Deleting again is fine (a retry after a lost ack); editing a tombstone is not.
    assert.deepEqual(await call(alice.socket, "delete", { id }), { ok: true });
    assert.equal((await call(alice.socket, "edit", { id, text: "back" })).error.code, "not_found");
    assert.equal(alice.rec.of("message deleted").length, 1);

    const tomb = { id, room, from: "alice", ts: sent.message.ts, deleted: true };
    assert.deepEqual((await call(bob.socket, "history", { room })).messages.find((m) => m.id === id), tomb);
    assert.equal(carol.rec.of("message updated").length + carol.rec.of("message deleted").length, 0);

    // Durable: after a restart the tombstone and an edit are still there.
    const kept = await call(bob.socket, "message", { room, text: "typo" });
    const keptEdit = await call(bob.socket, "edit", { id: kept.message.id, text: "fixed" });
    assert.equal(keptEdit.ok, true);
    closeAll(alice.socket, bob.socket, carol.socket);
    await server.close();
    server = await startChat([], data.dir);
    const dave = await joined(server.url, "dave", room);
    const after = dave.ack.history;
    assert.deepEqual(after.find((m) => m.id === id), tomb);
    const fixed = after.find((m) => m.id === kept.message.id);
    assert.equal(fixed.text, "fixed");
    assert.equal(fixed.edited, keptEdit.message.edited);
    closeAll(dave.socket);
  } finally {
    await server.close();
    data.cleanup();
  }
});

test("a private message's edit reaches its two people only; others cannot touch it", async () => {
  const server = await startChat();
  try {
    const room = "whispers";
    const alice = await joined(server.url, "alice", room);
    const bob = await joined(server.url, "bob", room);
    const eve = await joined(server.url, "eve", room);
    const sent = await call(alice.socket, "message", { room, text: "@bob psst" });
    assert.equal(sent.ok, true);
    const id = sent.message.id;
    assert.deepEqual(sent.message.mentions, []);
    // Eve cannot see it, so for her it does not exist.
    assert.equal((await call(eve.socket, "edit", { id, text: "x" })).error.code, "not_found");
    assert.equal((await call(eve.socket, "delete", { id })).error.code, "not_found");
    assert.equal((await call(bob.socket, "edit", { id, text: "x" })).error.code, "forbidden");
    const edited = await call(alice.socket, "edit", { id, text: "@eve still private" });
    assert.equal(edited.ok, true);
    assert.equal(edited.message.to, "bob");
    assert.equal(edited.message.text, "@eve still private"); // an edit is never re-parsed
    await bob.rec.find("message updated", (m) => m.id === id);
    await alice.rec.find("message updated", (m) => m.id === id);
    assert.equal((await call(alice.socket, "delete", { id })).ok, true);
    await bob.rec.find("message deleted", (m) => m.id === id);
    // A public message after: eve heard of nothing private before it.
    const marker = await call(alice.socket, "message", { room, text: "marker" });
    await eve.rec.find("message", (m) => m.id === marker.message.id);
    assert.equal(eve.rec.of("message updated").length + eve.rec.of("message deleted").length, 0);
    closeAll(alice.socket, bob.socket, eve.socket);
  } finally {
    await server.close();
  }
});

test("a newcomer with a freed name cannot change the previous holder's messages", async () => {
  const server = await startChat();
  try {
    const room = "freed";
    const alice = await joined(server.url, "alice", room);
    const bob = await joined(server.url, "bob", room);
    const sent = await call(alice.socket, "message", { room, text: "mine" });
    const token = alice.ack.token;
    alice.socket.disconnect();
    await bob.rec.find("user left", (e) => e.name === "alice");
    const impostor = await joinFreed(server.url, "alice", room);
    assert.notEqual(impostor.ack.token, token);
    assert.equal((await call(impostor.socket, "edit", { id: sent.message.id, text: "not mine" })).error.code, "forbidden");
    assert.equal((await call(impostor.socket, "delete", { id: sent.message.id })).error.code, "forbidden");
    impostor.socket.disconnect();
    await bob.rec.find("user left", (e) => e.name === "alice" && bob.rec.of("user left").length >= 2);
    // The holder of the token can.
    const back = await connectChat(server.url);
    let ack;
    for (let i = 0; i < 50; i++) {
      ack = await call(back, "join", { name: "alice", room, token });
      if (ack.ok || ack.error.code !== "name_taken") break;
    }
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal((await call(back, "edit", { id: sent.message.id, text: "still mine" })).ok, true);
    closeAll(back, bob.socket);
  } finally {
    await server.close();
  }
});

test("mentions name the people present; /me messages keep action: true", async () => {
  const server = await startChat();
  try {
    const room = "mentions";
    const alice = await joined(server.url, "alice", room);
    const bob = await joined(server.url, "Bob", room);
    const m = await call(alice.socket, "message", { room, text: "hi @bob, @nobody, @BOB. and mail@bob too; @alice" });
    assert.equal(m.ok, true);
    assert.deepEqual(m.message.mentions, ["Bob", "alice"]);
    assert.equal(m.message.action, undefined);
    const got = await bob.rec.find("message", (x) => x.id === m.message.id);
    assert.deepEqual(got.mentions, ["Bob", "alice"]);

    const me = await call(alice.socket, "message", { room, text: "waves at @Bob", action: true });
    assert.equal(me.ok, true);
    assert.equal(me.message.action, true);
    assert.deepEqual(me.message.mentions, ["Bob"]);
    const h = await call(bob.socket, "history", { room });
    assert.equal(h.messages.find((x) => x.id === me.message.id).action, true);
    assert.equal((await call(alice.socket, "message", { room, text: "x", action: "yes" })).error.code, "bad_request");

    // An edit computes the mentions anew.
    const e = await call(alice.socket, "edit", { id: m.message.id, text: "never mind" });
    assert.deepEqual(e.message.mentions, []);
    closeAll(alice.socket, bob.socket);
  } finally {
    await server.close();
  }
});

test("edits and deletes are rate limited per name", async () => {
  const server = await startChat(["--chat-edits-per-window", "2"]);
  try {
    const room = "limits";
    const alice = await joined(server.url, "alice", room);
    const sent = await call(alice.socket, "message", { room, text: "one" });
    const id = sent.message.id;
    assert.equal((await call(alice.socket, "edit", { id, text: "two" })).ok, true);
    assert.equal((await call(alice.socket, "edit", { id, text: "three" })).ok, true);
    const third = await call(alice.socket, "edit", { id, text: "four" });
    assert.equal(third.error.code, "rate_limited");
    assert.ok(third.error.retry_after_ms > 0);
    assert.equal((await call(alice.socket, "delete", { id })).error.code, "rate_limited");
    // A bystander's edits and deletes are untouched by Alice's limit.
    const bob = await joined(server.url, "bob", room);
    const bobs = await call(bob.socket, "message", { room, text: "bob one" });
    const bobEdit = await call(bob.socket, "edit", { id: bobs.message.id, text: "bob two" });
    assert.equal(bobEdit.ok, true);
    assert.equal(bobEdit.message.text, "bob two");
    assert.equal((await call(bob.socket, "delete", { id: bobs.message.id })).ok, true);
    // Refused changes do not count: the text is still "three".
    const h = await call(alice.socket, "history", { room });
    assert.equal(h.messages.find((m) => m.id === id).text, "three");
    closeAll(alice.socket, bob.socket);
  } finally {
    await server.close();
  }
});
