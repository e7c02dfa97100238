// The /chat contract of PROTOCOL.md against the real kibitz binary, with npm socket.io-client:
// every request, every error code, presence, private messages and identity.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startChat, connectChat, call, joined, closeAll, Events } from "./chat.mjs";

let server;
before(async () => {
  server = await startChat();
});
after(async () => {
  await server?.close();
});

let n = 0;
// A name no other test uses.
const fresh = (base = "u") => `${base}${++n}`;
// A room no other test uses.
const room = () => `room-${++n}`;

function assertError(ack, code) {
  assert.equal(ack.ok, false, JSON.stringify(ack));
  assert.equal(ack.error.code, code, JSON.stringify(ack));
  assert.equal(typeof ack.error.message, "string");
}

test("join answers with name, token, room, users and history", async () => {
  const r = room();
  const name = fresh("Zoë");
  const { socket, ack, rec } = await joined(server.url, name, r);
  assert.equal(ack.ok, true);
  assert.equal(ack.name, name);
  assert.equal(ack.room, r);
  assert.equal(typeof ack.token, "string");
  assert.ok(ack.token.length >= 16);
  assert.deepEqual(ack.users, [name]);
  assert.deepEqual(ack.history, []);
  const users = await rec.find("users", (u) => u.room === r);
  assert.deepEqual(users, { room: r, users: [name] });
  closeAll(socket);
});

test("join defaults to the lobby", async () => {
  const s = await connectChat(server.url);
  const ack = await call(s, "join", { name: fresh() });
  assert.equal(ack.ok, true);
  assert.equal(ack.room, "lobby");
  closeAll(s);
});

test("bad_request for payloads of the wrong shape", async () => {
  const s = await connectChat(server.url);
  for (const p of [undefined, null, 5, "x", [], { name: 5 }, { name: "a", room: 1 }, {}]) {
    assertError(await call(s, "join", p), "bad_request");
  }
  const name = fresh();
  assert.equal((await call(s, "join", { name, room: "bad-req" })).ok, true);
  for (const p of [
    {},
    { text: 5 },
    { text: "x", to: 1 },
    { text: "x", from: {} },
    { text: "x", id: "" },
    { text: "x", id: "i".repeat(65) },
    { text: "x", id: 3 },
    { text: "x", room: 7 },
  ]) {
    assertError(await call(s, "message", { room: "bad-req", ...p }), "bad_request");
  }
  assertError(await call(s, "leave", {}), "bad_request");
  assertError(await call(s, "history", { room: "bad-req", limit: "5" }), "bad_request");
  assertError(await call(s, "history", { room: "bad-req", before: "nope" }), "bad_request");
  // The connection survives all of it.
  assert.equal((await call(s, "message", { room: "bad-req", text: "still here" })).ok, true);
  closeAll(s);
});

test("name_invalid for names outside the rules", async () => {
  const s = await connectChat(server.url);
  for (const name of ["", "a b", "x".repeat(25), "<b>", "a@b", "😀", "\u0301a", "a\u202eb"]) {
    assertError(await call(s, "join", { name }), "name_invalid");
  }
  closeAll(s);
});

test("names of any script, with combining marks, are accepted", async () => {
  const sockets = [];
  for (const name of ["Ångström", "Иван", "李雷", "Ελένη", "e\u0301", "x_1-2.3"]) {
    const s = await connectChat(server.url);
    sockets.push(s);
    const ack = await call(s, "join", { name, room: room() });
    assert.equal(ack.ok, true, `${name}: ${JSON.stringify(ack)}`);
    assert.equal(ack.name, name);
  }
  closeAll(...sockets);
});

test("room_invalid for rooms outside a-z 0-9 _ - : .", async () => {
  const s = await connectChat(server.url);
  for (const r of ["", "Lobby", "a b", "x".repeat(65), "ä"]) {
    assertError(await call(s, "join", { name: fresh(), room: r }), "room_invalid");
  }
  closeAll(s);
});

test("name_taken across the namespace, compared case-insensitively", async () => {
  const base = fresh("zoë");
  const a = await joined(server.url, base, room());
  const b = await connectChat(server.url);
  assertError(await call(b, "join", { name: base.toUpperCase(), room: room() }), "name_taken");
  assertError(await call(b, "join", { name: base, token: "wrong" }), "name_taken");
  // The composed and decomposed spellings are one name.
  const other = fresh("x");
  const c = await joined(server.url, "Zoe\u0308" + other);
  const d = await connectChat(server.url);
  assertError(await call(d, "join", { name: "ZOË" + other }), "name_taken");
  // Once the holder is gone, the name is free.
  a.socket.disconnect();
  await a.rec.until("users", () => true);
  const free = await (async () => {
    for (;;) {
      const ack = await call(b, "join", { name: base.toUpperCase(), room: room() });
      if (ack.ok || ack.error.code !== "name_taken") return ack;
    }
  })();
  assert.equal(free.ok, true);
  assert.equal(free.name, base.toUpperCase());
  closeAll(b, c.socket, d);
});

test("presence: users, user joined and user left", async () => {
  const r = room();
  const a = await joined(server.url, fresh("Bob"), r);
  const bName = fresh("alice");
  const b = await joined(server.url, bName, r);
  assert.deepEqual(b.ack.users, [a.ack.name, bName].sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase())));
  const joinedEv = await a.rec.find("user joined", (e) => e.name === bName);
  assert.deepEqual(joinedEv, { room: r, name: bName });
  const both = await a.rec.find("users", (u) => u.room === r && u.users.length === 2);
  assert.deepEqual(both.users, [bName, a.ack.name]); // "alice…" before "Bob…", case-insensitively
  // The joiner does not get its own "user joined".
  assert.equal(b.rec.of("user joined").length, 0);

  assert.deepEqual(await call(b.socket, "leave", { room: r }), { ok: true });
  assert.deepEqual(await a.rec.find("user left", (e) => e.name === bName), { room: r, name: bName });
  await a.rec.until("users", (l) => l.at(-1).users.length === 1);
  assertError(await call(b.socket, "leave", { room: r }), "not_joined");

  // A disconnect is a leave in every room.
  const c = await joined(server.url, fresh("carl"), r);
  await a.rec.until("users", (l) => l.at(-1).users.length === 2);
  c.socket.disconnect();
  await a.rec.find("user left", (e) => e.name === c.ack.name);
  await a.rec.until("users", (l) => l.at(-1).users.length === 1);
  closeAll(a.socket, b.socket);
});

test("joining a second room keeps the name", async () => {
  const name = fresh("two");
  const a = await joined(server.url, name, room());
  const r2 = room();
  const ack = await call(a.socket, "join", { name: "someone-else", room: r2 });
  assert.equal(ack.ok, true);
  assert.equal(ack.name, name);
  assert.deepEqual(ack.users, [name]);
  closeAll(a.socket);
});

test("public messages reach every socket in the room, the sender included, and only them", async () => {
  const r = room();
  const a = await joined(server.url, fresh("a"), r);
  const b = await joined(server.url, fresh("b"), r);
  const outsider = await joined(server.url, fresh("out"), room());
  const text = "  hello <b>world</b> \t ";
  const ack = await call(a.socket, "message", { room: r, text, id: "c-1" });
  assert.equal(ack.ok, true);
  const m = ack.message;
  assert.equal(typeof m.id, "string");
  assert.deepEqual(
    { room: m.room, from: m.from, to: m.to, text: m.text },
    { room: r, from: a.ack.name, to: null, text },
  );
  assert.ok(Math.abs(m.ts - Date.now()) < 60_000);
  assert.deepEqual(await b.rec.find("message", (x) => x.id === m.id), m);
  assert.deepEqual(await a.rec.find("message", (x) => x.id === m.id), m);
  // The outsider's own marker arrives; the room's message never did.
  const marker = await call(outsider.socket, "message", { text: "marker", room: outsider.ack.room });
  await outsider.rec.find("message", (x) => x.id === marker.message.id);
  assert.equal(outsider.rec.of("message").length, 1);
  closeAll(a.socket, b.socket, outsider.socket);
});

test("not_joined for messages, history and leave outside one's rooms", async () => {
  const s = await connectChat(server.url);
  assertError(await call(s, "message", { text: "hi" }), "not_joined");
  assertError(await call(s, "history", {}), "not_joined");
  assertError(await call(s, "leave", { room: "lobby" }), "not_joined");
  const ack = await call(s, "join", { name: fresh(), room: room() });
  assertError(await call(s, "message", { text: "hi", room: "elsewhere" }), "not_joined");
  assertError(await call(s, "message", { text: "hi" }), "not_joined"); // lobby not joined
  assertError(await call(s, "history", { room: "elsewhere" }), "not_joined");
  assert.equal((await call(s, "message", { text: "hi", room: ack.room })).ok, true);
  closeAll(s);
});

test("private messages reach the two parties only, with `to` or `@name `", async () => {
  const r = room();
  const a = await joined(server.url, fresh("Ann"), r);
  const bName = fresh("Ben");
  const b = await joined(server.url, bName, r);
  const c = await joined(server.url, fresh("Cy"), r);

  const viaTo = await call(a.socket, "message", { room: r, to: bName.toUpperCase(), text: "@x secret one" });
  assert.equal(viaTo.ok, true);
  assert.equal(viaTo.message.to, bName, "to carries the name as joined");
  assert.equal(viaTo.message.text, "@x secret one", "with `to` the text is not parsed");

  const viaAt = await call(a.socket, "message", { room: r, text: `@${bName}  secret two` });
  assert.equal(viaAt.ok, true);
  assert.equal(viaAt.message.to, bName);
  assert.equal(viaAt.message.text, " secret two", "the rest after one space");

  const later = await call(a.socket, "message", { room: r, text: `hi @${bName} not private` });
  assert.equal(later.message.to, null);
  const noSpace = await call(a.socket, "message", { room: r, text: `@${bName}` });
  assert.equal(noSpace.message.to, null);

  for (const m of [viaTo.message, viaAt.message]) {
    assert.deepEqual(await b.rec.find("message", (x) => x.id === m.id), m);
    assert.deepEqual(await a.rec.find("message", (x) => x.id === m.id), m);
  }
  // The third one sees the public ones that came after, and nothing private.
  await c.rec.find("message", (x) => x.id === noSpace.message.id);
  assert.deepEqual(
    c.rec.of("message").map((x) => x.id),
    [later.message.id, noSpace.message.id],
  );

  // History: private ones only for the parties.
  const hc = await call(c.socket, "history", { room: r });
  assert.deepEqual(hc.messages.map((x) => x.id), [later.message.id, noSpace.message.id]);
  const hb = await call(b.socket, "history", { room: r });
  assert.equal(hb.messages.length, 4);
  closeAll(a.socket, b.socket, c.socket);
});

test("unknown_recipient when the name is not in the room, and nothing is sent", async () => {
  const r = room();
  const a = await joined(server.url, fresh("p"), r);
  const elsewhere = await joined(server.url, fresh("q"), room());
  assertError(await call(a.socket, "message", { room: r, to: "nobody-here", text: "x" }), "unknown_recipient");
  assertError(await call(a.socket, "message", { room: r, to: elsewhere.ack.name, text: "x" }), "unknown_recipient");
  assertError(await call(a.socket, "message", { room: r, text: "@ghost hello" }), "unknown_recipient");
  const h = await call(a.socket, "history", { room: r });
  assert.deepEqual(h.messages, []);
  assert.equal(a.rec.of("message").length, 0);
  closeAll(a.socket, elsewhere.socket);
});

test("forbidden when `from` is someone else; the server fills `from`", async () => {
  const r = room();
  const a = await joined(server.url, fresh("Real"), r);
  const b = await joined(server.url, fresh("Other"), r);
  assertError(await call(a.socket, "message", { room: r, text: "x", from: b.ack.name }), "forbidden");
  const same = await call(a.socket, "message", { room: r, text: "x", from: a.ack.name.toUpperCase() });
  assert.equal(same.ok, true);
  assert.equal(same.message.from, a.ack.name);
  const h = await call(b.socket, "history", { room: r });
  assert.deepEqual(h.messages.map((m) => m.id), [same.message.id]);
  closeAll(a.socket, b.socket);
});

test("text_invalid for each rule; other text is kept exactly", async () => {
  const r = room();
  const a = await joined(server.url, fresh("t"), r);
  const bad = [
    "",
    "   ",
    " \n\t ",
    "x".repeat(2001),
    "a\rb",
    "a\u0000b",
    "a\u001b[31m",
    "a\u0085b",
    "a\u202eb",
    "a\u202ab",
    "a\u2066b",
    "a\u2069b",
  ];
  for (const text of bad) {
    const ack = await call(a.socket, "message", { room: r, text });
    assertError(ack, "text_invalid");
  }
  assertError(await call(a.socket, "message", { room: r, text: `@${a.ack.name} ` }), "text_invalid");
  for (const text of ["x".repeat(2000), "é".repeat(2000), "tab\there\nnew line", "😀 <img src=x>"]) {
    const ack = await call(a.socket, "message", { room: r, text });
    assert.equal(ack.ok, true, text.slice(0, 20));
    assert.equal(ack.message.text, text);
  }
  closeAll(a.socket);
});

test("text_invalid for a lone surrogate sent by a JavaScript client", async () => {
  const r = room();
  const a = await joined(server.url, fresh("sur"), r);
  assertError(await call(a.socket, "message", { room: r, text: "a\ud800b" }), "text_invalid");
  closeAll(a.socket);
});

test("typing goes to the room but the sender, or only to the recipient", async () => {
  const r = room();
  const a = await joined(server.url, fresh("ty"), r);
  const b = await joined(server.url, fresh("tb"), r);
  const c = await joined(server.url, fresh("tc"), r);
  a.socket.emit("typing", { room: r, typing: true });
  const seen = await b.rec.find("typing");
  assert.deepEqual(seen, { room: r, from: a.ack.name, to: null, typing: true });
  await c.rec.find("typing");
  a.socket.emit("typing", { room: r, to: b.ack.name, typing: false });
  const priv = await b.rec.find("typing", (t) => t.to !== null);
  assert.deepEqual(priv, { room: r, from: a.ack.name, to: b.ack.name, typing: false });
  // Invalid ones are ignored; a marker shows c got nothing private and a got nothing at all.
  a.socket.emit("typing", { room: r, typing: "yes" });
  a.socket.emit("typing", { room: "not-mine", typing: true });
  a.socket.emit("typing", { room: r, to: "ghost", typing: true });
  b.socket.emit("typing", { room: r, typing: true });
  await c.rec.find("typing", (t) => t.from === b.ack.name);
  assert.equal(c.rec.of("typing").length, 2);
  await a.rec.find("typing", (t) => t.from === b.ack.name);
  assert.equal(a.rec.of("typing").filter((t) => t.from === a.ack.name).length, 0);
  closeAll(a.socket, b.socket, c.socket);
});

test("history: oldest first, before, limit clamped to 1..100", async () => {
  const r = room();
  const a = await joined(server.url, fresh("h"), r, {});
  const ids = [];
  // The default flood limit is 10 per name: use two names.
  const b = await joined(server.url, fresh("h"), r);
  for (let i = 0; i < 20; i++) {
    const who = i < 10 ? a : b;
    const ack = await call(who.socket, "message", { room: r, text: `m${i}` });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    ids.push(ack.message.id);
  }
  const all = await call(a.socket, "history", { room: r });
  assert.deepEqual(all.messages.map((m) => m.id), ids);
  const page = await call(a.socket, "history", { room: r, before: ids[10], limit: 3 });
  assert.deepEqual(page.messages.map((m) => m.text), ["m7", "m8", "m9"]);
  assert.equal((await call(a.socket, "history", { room: r, limit: 0 })).messages.length, 1);
  assert.equal((await call(a.socket, "history", { room: r, limit: -3 })).messages.length, 1);
  assert.equal((await call(a.socket, "history", { room: r, limit: 1000 })).messages.length, 20);
  // A new joiner gets the history in its join ack.
  const c = await joined(server.url, fresh("late"), r);
  assert.deepEqual(c.ack.history.map((m) => m.id), ids);
  closeAll(a.socket, b.socket, c.socket);
});

test("join returns at most the last 50 messages", async () => {
  const r = room();
  const senders = [];
  for (let i = 0; i < 6; i++) senders.push(await joined(server.url, fresh("bulk"), r));
  const ids = [];
  for (let i = 0; i < 60; i++) {
    const ack = await call(senders[i % 6].socket, "message", { room: r, text: `b${i}` });
    ids.push(ack.message.id);
  }
  const late = await joined(server.url, fresh("late"), r);
  assert.deepEqual(late.ack.history.map((m) => m.id), ids.slice(10));
  closeAll(late.socket, ...senders.map((s) => s.socket));
});

test("client ids: a resend returns the stored message and delivers nothing twice", async () => {
  const r = room();
  const a = await joined(server.url, fresh("id"), r);
  const b = await joined(server.url, fresh("id"), r);
  const first = await call(a.socket, "message", { room: r, text: "once", id: "msg-1" });
  const again = await call(a.socket, "message", { room: r, text: "changed", id: "msg-1" });
  assert.deepEqual(again, first);
  // Another name with the same client id makes its own message.
  const other = await call(b.socket, "message", { room: r, text: "mine", id: "msg-1" });
  assert.notEqual(other.message.id, first.message.id);
  await b.rec.find("message", (m) => m.id === other.message.id);
  assert.equal(b.rec.messages("once").length, 1);
  assert.equal(b.rec.messages("changed").length, 0);
  const h = await call(a.socket, "history", { room: r });
  assert.deepEqual(h.messages.map((m) => m.text), ["once", "mine"]);
  closeAll(a.socket, b.socket);
});

test("events without an ack callback are still processed", async () => {
  const r = room();
  const a = await joined(server.url, fresh("noack"), r);
  a.socket.emit("message", { room: r, text: "fire and forget" });
  const m = await a.rec.find("message", (x) => x.text === "fire and forget");
  assert.equal(m.from, a.ack.name);
  closeAll(a.socket);
});

test("token take-over: a reload keeps the name and the old socket is disconnected", async () => {
  const r = room();
  const name = fresh("Reload");
  const old = await joined(server.url, name, r);
  const watcher = await joined(server.url, fresh("w"), r);
  const extra = room();
  await call(old.socket, "join", { name, room: extra });
  const gone = new Promise((resolve) => old.socket.once("disconnect", resolve));

  const fresh1 = await connectChat(server.url);
  assertError(await call(fresh1, "join", { name, room: r }), "name_taken");
  const ack = await call(fresh1, "join", { name: name.toLowerCase(), room: r, token: old.ack.token });
  assert.equal(ack.ok, true);
  assert.equal(ack.name, name, "the name as first joined");
  assert.equal(ack.token, old.ack.token);
  assert.equal(await gone, "io server disconnect");
  // Still present in r for the others (no "user left" there); gone from the other room.
  await watcher.rec.until("users", (l) => l.at(-1).users.includes(name));
  const post = await call(fresh1, "message", { room: r, text: "back" });
  assert.equal(post.ok, true);
  await watcher.rec.find("message", (m) => m.id === post.message.id);
  assert.equal(watcher.rec.of("user left").filter((e) => e.name === name).length, 0);
  assertError(await call(fresh1, "message", { room: extra, text: "x" }), "not_joined");
  closeAll(fresh1, watcher.socket);
});

test("no input crashes the server or closes the connection", async () => {
  const s = await connectChat(server.url);
  const rec = new Events(s);
  const junk = [null, 0, "", [], {}, { name: { a: 1 } }, { text: null }, { limit: 1e308 }, { room: null }];
  for (const event of ["join", "leave", "message", "typing", "history", "unknown"]) {
    for (const p of junk) s.emit(event, p);
    s.emit(event);
    s.emit(event, 1, 2, 3);
  }
  const ack = await call(s, "join", { name: fresh("alive"), room: room() });
  assert.equal(ack.ok, true);
  assert.equal(s.connected, true);
  assert.equal(rec.of("message").length, 0);
  closeAll(s);
});
