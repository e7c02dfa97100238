// web/chat-client.js under node --test, against a fake socket (tests/web/fake-socket.mjs) whose
// acks the tests give by hand: the outbox and its resend with the same ids after a reconnect,
// the state of rooms, users, messages (the bounded window, history pages) and typing, the
// errors, and name folding.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ChatClient, CONNECT_WAIT_MS, EVENTS, foldName, MAX_TOKENS, memoryStorage, PAGE } from "../../web/chat-client.js";
import { FakeSocket, fakeTimers, settle, msg, range } from "./fake-socket.mjs";

const ME = { name: "Alice", token: "tok-alice" };

// A client with a stored identity and a fake socket, its events recorded by type.
function setup({ identity = ME, storage, maxMessages, ids } = {}) {
  const timers = fakeTimers();
  let n = 0;
  storage ??= memoryStorage(identity ? { identity } : {});
  const client = new ChatClient({ storage, timers, maxMessages, newId: ids ?? (() => `c${++n}`) });
  const socket = new FakeSocket();
  const events = [];
  for (const type of EVENTS) {
    client.addEventListener(type, (e) => events.push({ type, ...e.detail }));
  }
  client.attach(socket);
  return { client, socket, timers, storage, events, of: (type) => events.filter((e) => e.type === type) };
}

function joinAck(room, history = [], users = ["Alice", "Bob"], name = "Alice") {
  return { ok: true, name, token: "tok-alice", room, users, history };
}

// Connects and answers the join of `room` (the current one) with `history`.
async function connectJoined(s, history = [], room = "lobby") {
  s.socket.open();
  const join = await s.socket.waitCall("join");
  assert.equal(join.payload.room, room);
  join.answer(joinAck(room, history));
  await settle();
  return join;
}

const ids = (client, room = "lobby") => client.rooms.get(room).messages.map((m) => m.id);

test("a stored identity joins on connect with its token; the history fills the window", async () => {
  const s = setup();
  s.socket.open();
  const join = await s.socket.waitCall("join");
  assert.deepEqual(join.payload, { name: "Alice", room: "lobby", token: "tok-alice" });
  assert.equal(s.client.joined, false);
  join.answer(joinAck("lobby", range(1, 50)));
  await settle();
  assert.equal(s.client.joined, true);
  assert.equal(s.client.online, true);
  assert.deepEqual(s.client.rooms.get("lobby").users, ["Alice", "Bob"]);
  assert.equal(ids(s.client).length, 50);
  // 50 is a full page: there may be earlier ones.
  assert.equal(s.client.rooms.get("lobby").hasEarlier, true);
  assert.deepEqual(s.of("log").map((e) => e.kind), ["reset"]);
  assert.deepEqual(s.of("connection"), [{ type: "connection", online: true }]);
});

test("a message sent offline waits in the stored outbox and goes out after the join", async () => {
  const s = setup();
  const item = s.client.send("lobby", "hello", null);
  assert.equal(item.id, "c1");
  assert.deepEqual(s.storage.data.get("outbox"), [{ id: "c1", room: "lobby", text: "hello", to: null }]);
  assert.equal(s.client.pending("lobby").length, 1);
  assert.equal(s.socket.calls.length, 0, "nothing sent before the join");
  s.socket.open();
  const join = await s.socket.waitCall("join");
  assert.equal(s.socket.calls.filter((c) => c.event === "message").length, 0, "nothing sent before the join's ack");
  join.answer(joinAck("lobby"));
  const send = await s.socket.waitCall("message");
  assert.deepEqual(send.payload, { room: "lobby", text: "hello", id: "c1" });
  send.answer({ ok: true, message: msg(7, "hello", "Alice") });
  await settle();
  assert.deepEqual(s.client.pending("lobby"), []);
  assert.deepEqual(s.storage.data.get("outbox"), []);
  assert.deepEqual(ids(s.client), ["7"]);
  // The broadcast of the same message is not a second one.
  s.socket.fire("message", msg(7, "hello", "Alice"));
  assert.deepEqual(ids(s.client), ["7"]);
});

test("after a drop, every unacked message is sent again with the same id, in order, once", async () => {
  const s = setup();
  await connectJoined(s);
  s.client.send("lobby", "one");
  s.client.send("lobby", "two");
  const first = [await s.socket.waitCall("message"), await s.socket.waitCall("message")];
  assert.deepEqual(first.map((c) => c.payload.id), ["c1", "c2"]);
  // The connection drops before any ack; a third message is written while offline.
  s.socket.drop();
  await settle();
  assert.equal(s.client.online, false);
  s.client.send("lobby", "three", "Bob");
  await settle();
  assert.equal(s.socket.calls.filter((c) => c.event === "message").length, 2, "no send while offline");
  assert.deepEqual(s.client.pending("lobby").map((o) => o.id), ["c1", "c2", "c3"]);

  s.socket.open();
  (await s.socket.waitCall("join")).answer(joinAck("lobby"));
  const again = [await s.socket.waitCall("message"), await s.socket.waitCall("message"), await s.socket.waitCall("message")];
  assert.deepEqual(again.map((c) => c.payload), [
    { room: "lobby", text: "one", id: "c1" },
    { room: "lobby", text: "two", id: "c2" },
    { room: "lobby", text: "three", id: "c3", to: "Bob" },
  ]);
  again[0].answer({ ok: true, message: msg(1, "one", "Alice") });
  again[1].answer({ ok: true, message: msg(2, "two", "Alice") });
  again[2].answer({ ok: true, message: msg(3, "three", "Alice", "lobby", "Bob") });
  await settle();
  assert.deepEqual(s.client.outbox, []);
  assert.deepEqual(ids(s.client), ["1", "2", "3"]);
  assert.equal(s.socket.calls.filter((c) => c.event === "message").length, 5, "each message once per connection");
});

test("a late ack of the old connection changes nothing; the reconnect's send is the one", async () => {
  const s = setup();
  await connectJoined(s);
  s.client.send("lobby", "slow");
  const old = await s.socket.waitCall("message");
  s.socket.drop({ failPending: false }); // the ack is still on its way
  s.socket.open();
  (await s.socket.waitCall("join")).answer(joinAck("lobby"));
  const resend = await s.socket.waitCall("message");
  assert.equal(resend.payload.id, old.payload.id);
  old.answer({ ok: true, message: msg(4, "slow", "Alice") });
  await settle();
  assert.equal(s.client.pending("lobby").length, 1, "the old connection's answer is ignored");
  resend.answer({ ok: true, message: msg(4, "slow", "Alice") });
  await settle();
  assert.deepEqual(s.client.outbox, []);
  assert.deepEqual(ids(s.client), ["4"]);
});

test("an ack timeout while connected sends the same id again, at most 5 times", async () => {
  const s = setup();
  await connectJoined(s);
  s.client.send("lobby", "x");
  for (let i = 0; i < 5; i++) (await s.socket.waitCall("message")).fail();
  await settle();
  const sends = s.socket.calls.filter((c) => c.event === "message");
  assert.equal(sends.length, 5);
  assert.ok(sends.every((c) => c.payload.id === "c1"));
  assert.equal(s.client.pending("lobby").length, 1, "kept for the next connection");
});

test("the outbox survives a reload (a new client on the same storage)", async () => {
  const storage = memoryStorage({ identity: ME });
  const a = setup({ storage });
  a.client.send("lobby", "from before the reload");
  const b = setup({ storage });
  assert.deepEqual(b.client.pending("lobby").map((o) => [o.id, o.text]), [["c1", "from before the reload"]]);
  await connectJoined(b);
  const send = await b.socket.waitCall("message");
  assert.equal(send.payload.id, "c1");
});

test("rate_limited: a notice, then the same message again after retry_after_ms", async () => {
  const s = setup();
  await connectJoined(s);
  s.client.send("lobby", "fast");
  (await s.socket.waitCall("message")).answer({ ok: false, error: { code: "rate_limited", message: "slow down", retry_after_ms: 1200 } });
  await settle();
  const notice = s.of("error").at(-1);
  assert.match(notice.text, /Slow down: you can send again in 2 s/);
  s.timers.run(1000);
  assert.equal(s.socket.calls.filter((c) => c.event === "message").length, 1, "not before retry_after_ms");
  s.timers.run(300);
  const again = await s.socket.waitCall("message");
  assert.equal(again.payload.id, "c1");
  again.answer({ ok: true, message: msg(9, "fast", "Alice") });
  await settle();
  assert.equal(s.of("error").at(-1).text, null, "the notice is cleared");
  assert.deepEqual(s.client.outbox, []);
});

test("a refused message leaves the outbox and comes back with the error; not_joined joins again", async () => {
  const s = setup();
  await connectJoined(s);
  s.client.send("lobby", "@Nobody hi");
  (await s.socket.waitCall("message")).answer({ ok: false, error: { code: "unknown_recipient", message: "x" } });
  await settle();
  assert.deepEqual(s.client.outbox, []);
  const e = s.of("error").at(-1);
  assert.equal(e.code, "unknown_recipient");
  assert.equal(e.text, "There is nobody called “Nobody” in this room.");
  assert.equal(e.item.text, "@Nobody hi");

  s.client.send("lobby", "after a server restart");
  (await s.socket.waitCall("message")).answer({ ok: false, error: { code: "not_joined", message: "x" } });
  (await s.socket.waitCall("join")).answer(joinAck("lobby"));
  const again = await s.socket.waitCall("message");
  assert.equal(again.payload.id, "c2");
});

test("a saved name someone else took is dropped and the view is told", async () => {
  const s = setup();
  s.client.send("lobby", "queued");
  s.socket.open();
  (await s.socket.waitCall("join")).answer({ ok: false, error: { code: "name_taken", message: "taken" } });
  await settle();
  assert.equal(s.client.identity, null);
  assert.equal(s.storage.data.has("identity"), false);
  assert.deepEqual(s.of("name-refused").map((e) => [e.name, e.code]), [["Alice", "name_taken"]]);
  assert.match(s.of("error").at(-1).text, /taken/);
  assert.equal(s.client.joined, false);
  assert.equal(s.socket.calls.filter((c) => c.event === "message").length, 0);
});

test("pickName joins the current room, then the others, with the name the server gives", async () => {
  const storage = memoryStorage({ rooms: ["lobby", "book-club"], current: "book-club" });
  const s = setup({ identity: null, storage });
  s.socket.open();
  await settle();
  assert.equal(s.socket.calls.length, 0, "no join without a name");
  const picked = s.client.pickName("  alice ");
  const first = await s.socket.waitCall("join");
  assert.deepEqual(first.payload, { name: "alice", room: "book-club" });
  first.answer(joinAck("book-club", [], ["alice"], "alice"));
  const second = await s.socket.waitCall("join");
  assert.deepEqual(second.payload, { name: "alice", room: "lobby", token: "tok-alice" });
  second.answer(joinAck("lobby", [], ["alice", "Bob"], "alice"));
  assert.deepEqual(await picked, { ok: true });
  assert.deepEqual(s.storage.data.get("identity"), { name: "alice", token: "tok-alice" });
  assert.deepEqual([...s.client.joinedRooms], ["book-club", "lobby"]);
});

test("a name picked before the socket connected is taken once it connects; offline past the wait, a clear error", async () => {
  const s = setup({ identity: null });
  const picked = s.client.pickName("Alice");
  await settle();
  assert.equal(s.socket.calls.length, 0, "nothing sent before the connection");
  s.timers.run(CONNECT_WAIT_MS - 1);
  s.socket.open();
  (await s.socket.waitCall("join")).answer(joinAck("lobby"));
  assert.deepEqual(await picked, { ok: true });
  assert.equal(s.timers.size, 0, "the wait's timer is cleared");
  assert.deepEqual(s.storage.data.get("identity"), ME);

  const late = setup({ identity: null });
  const refused = late.client.pickName("Bob");
  await settle();
  late.timers.run(CONNECT_WAIT_MS);
  assert.deepEqual(await refused, { ok: false, error: { code: "offline", message: "Not connected yet. Try again in a moment." } });
  assert.equal(late.client.identity, null);
  late.socket.open();
  await settle();
  assert.equal(late.socket.calls.length, 0, "a refused pick does not join later by itself");
});

// A host page that knows the name (the chess page) joins with it at once: useName before attach.
function setupAs(name, storage) {
  const timers = fakeTimers();
  const client = new ChatClient({ storage, timers, startRoom: "game:g1", newId: () => "c1" });
  client.useName(name);
  const socket = new FakeSocket();
  client.attach(socket);
  return { client, socket };
}

test("useName joins with the host page's name without a form, and keeps each name's token", async () => {
  const storage = memoryStorage({ identity: ME, tokens: [["alice", "tok-alice"]] });
  const game = setupAs("anna", storage);
  game.socket.open();
  const join = await game.socket.waitCall("join");
  assert.deepEqual(join.payload, { name: "anna", room: "game:g1" }, "a name never held here has no token");
  join.answer({ ok: true, name: "anna", token: "tok-anna", room: "game:g1", users: ["anna"], history: [] });
  await settle();
  assert.equal(game.client.joined, true);
  assert.deepEqual(storage.data.get("identity"), { name: "anna", token: "tok-anna" });

  // Back to the page as Alice: her own token, so her identity and private history, not a new one.
  const back = setupAs("ALICE", storage);
  back.socket.open();
  assert.deepEqual((await back.socket.waitCall("join")).payload, { name: "ALICE", room: "game:g1", token: "tok-alice" });

  // The name already held (folded) keeps the identity as it is.
  const same = setupAs("Anna", memoryStorage({ identity: { name: "anna", token: "tok-anna" } }));
  same.socket.open();
  assert.deepEqual((await same.socket.waitCall("join")).payload, { name: "anna", room: "game:g1", token: "tok-anna" });
});

test("the kept tokens are bounded: the newest MAX_TOKENS names; signOut forgets its name's", () => {
  const s = setup({ identity: null });
  for (let i = 0; i < MAX_TOKENS + 5; i++) s.client.setIdentity({ name: `user${i}`, token: `tok${i}` });
  const kept = s.storage.data.get("tokens");
  assert.equal(kept.length, MAX_TOKENS);
  assert.deepEqual(kept[0], ["user5", "tok5"]);
  assert.equal(s.client.tokenOf("user4"), undefined);
  assert.equal(s.client.tokenOf("USER24"), "tok24");
  s.client.signOut();
  assert.equal(s.client.tokenOf("user24"), undefined);
  assert.equal(s.storage.data.get("tokens").length, MAX_TOKENS - 1);
});

test("too_many_rooms forgets the room and goes back to the start room", async () => {
  const s = setup();
  await connectJoined(s);
  const opened = s.client.openRoom("Chess-Club");
  assert.equal(s.client.current, "chess-club");
  (await s.socket.waitCall("join")).answer({ ok: false, error: { code: "too_many_rooms", message: "x" } });
  assert.equal(await opened, false);
  assert.equal(s.client.current, "lobby");
  assert.deepEqual([...s.client.rooms.keys()], ["lobby"]);
  assert.equal(s.of("error").at(-1).code, "too_many_rooms");
  assert.equal(s.client.openRoom("no spaces allowed") instanceof Promise, true);
  assert.equal(s.of("error").at(-1).code, "room_invalid");
});

test("users, notes, unread counts and typing follow the server's events", async () => {
  const s = setup({ storage: memoryStorage({ identity: ME, rooms: ["lobby", "side"] }) });
  s.socket.open();
  (await s.socket.waitCall("join")).answer(joinAck("lobby"));
  (await s.socket.waitCall("join")).answer(joinAck("side"));
  await settle();
  s.socket.fire("users", { room: "lobby", users: ["Alice", "Bob", "Carol"] });
  assert.deepEqual(s.client.rooms.get("lobby").users, ["Alice", "Bob", "Carol"]);
  s.socket.fire("users", { room: "elsewhere", users: ["X"] });
  assert.equal(s.client.rooms.has("elsewhere"), false, "events of unknown rooms are ignored");
  s.socket.fire("user joined", { room: "lobby", name: "Carol" });
  assert.deepEqual(s.of("note").at(-1).note, { text: "Carol joined", after: "0" });
  s.socket.fire("message", msg(5, "psst", "Bob", "side"));
  assert.equal(s.client.rooms.get("side").unread, 1);
  s.client.switchRoom("side");
  assert.equal(s.client.rooms.get("side").unread, 0);

  s.socket.fire("typing", { room: "side", from: "ZOË", to: "Alice", typing: true });
  assert.deepEqual(s.client.typingIn("side"), [{ name: "ZOË", private: true }]);
  s.timers.run(5999);
  assert.equal(s.client.typingIn("side").length, 1);
  s.timers.run(1);
  assert.deepEqual(s.client.typingIn("side"), [], "shown for 6 s at most");
  s.socket.fire("typing", { room: "side", from: "zoë", to: null, typing: true });
  // A message from the same (folded) name ends its typing.
  s.socket.fire("message", msg(6, "done", "zoe\u0308", "side"));
  assert.deepEqual(s.client.typingIn("side"), []);
  s.client.setTyping("side", true, "Bob");
  assert.deepEqual(s.socket.emitted.at(-1), { event: "typing", payload: { room: "side", typing: true, to: "Bob" } });
});

test("the window is bounded: new messages push the oldest out, and they come back on loadEarlier", async () => {
  const s = setup({ maxMessages: 5 });
  await connectJoined(s, range(1, 3));
  assert.equal(s.client.rooms.get("lobby").hasEarlier, false, "3 < 50: the whole history");
  for (const m of range(4, 8)) s.socket.fire("message", m);
  assert.deepEqual(ids(s.client), ["4", "5", "6", "7", "8"]);
  const logs = s.of("log").slice(1);
  assert.deepEqual(logs.map((e) => [e.kind, e.dropped.top]), [["append", 0], ["append", 0], ["append", 1], ["append", 1], ["append", 1]]);
  const r = s.client.rooms.get("lobby");
  assert.equal(r.hasEarlier, true);

  // Loading earlier asks for the page before the first message and prepends it.
  const loading = s.client.loadEarlier("lobby");
  assert.equal(s.client.loadEarlier("lobby"), loading, "one request at a time");
  const h = await s.socket.waitCall("history");
  assert.deepEqual(h.payload, { room: "lobby", before: "4", limit: PAGE });
  h.answer({ ok: true, messages: range(1, 3) });
  assert.deepEqual(await loading, { ok: true, count: 3 });
  assert.deepEqual(ids(s.client), ["1", "2", "3", "4", "5"]);
  const e = s.of("log").at(-1);
  assert.equal(e.kind, "prepend");
  assert.deepEqual(e.dropped, { top: 0, bottom: 3 });
  assert.equal(r.hasEarlier, false, "fewer than a page: the start of the room");
  assert.equal(r.hasLater, true);

  // While older pages are shown, a new message waits; loadLatest shows the latest page.
  s.socket.fire("message", msg(9));
  assert.deepEqual(ids(s.client), ["1", "2", "3", "4", "5"]);
  const latest = s.client.loadLatest("lobby");
  const h2 = await s.socket.waitCall("history");
  assert.deepEqual(h2.payload, { room: "lobby", limit: PAGE });
  h2.answer({ ok: true, messages: range(1, 9) });
  await latest;
  assert.deepEqual(ids(s.client), ["5", "6", "7", "8", "9"]);
  assert.equal(r.hasLater, false);
  assert.equal(r.hasEarlier, true);
  assert.equal(s.of("log").at(-1).kind, "reset");
});

test("a rejoin merges its history: only new ones are appended; after a gap the window restarts", async () => {
  const s = setup();
  await connectJoined(s, range(1, 10));
  s.socket.drop();
  s.socket.open();
  (await s.socket.waitCall("join")).answer(joinAck("lobby", range(1, 12)));
  await settle();
  assert.deepEqual(ids(s.client).slice(-3), ["10", "11", "12"]);
  assert.deepEqual(s.of("log").at(-1).messages.map((m) => m.id), ["11", "12"]);
  assert.equal(s.of("log").at(-1).kind, "append");
  // Offline for long: the join's 50 start after our last one, so some were missed.
  s.socket.drop();
  s.socket.open();
  (await s.socket.waitCall("join")).answer(joinAck("lobby", range(100, 149)));
  await settle();
  assert.deepEqual(ids(s.client), range(100, 149).map((m) => m.id));
  assert.equal(s.of("log").at(-1).kind, "reset");
  assert.equal(s.client.rooms.get("lobby").hasEarlier, true);
});

test("history: rate_limited waits and asks again; unavailable is an error for people", async () => {
  const s = setup();
  await connectJoined(s, range(51, 100));
  const loading = s.client.loadEarlier("lobby");
  (await s.socket.waitCall("history")).answer({ ok: false, error: { code: "rate_limited", message: "x", retry_after_ms: 500 } });
  await settle();
  assert.equal(s.timers.size, 1);
  s.timers.run(550);
  const again = await s.socket.waitCall("history");
  assert.deepEqual(again.payload, { room: "lobby", before: "51", limit: PAGE });
  again.answer({ ok: false, error: { code: "unavailable", message: "x" } });
  assert.equal((await loading).ok, false);
  assert.equal(s.of("error").at(-1).code, "unavailable");
  assert.deepEqual(ids(s.client).length, 50);
});

test("signOut forgets the name, the outbox and the rooms, and reconnects", async () => {
  const s = setup({ storage: memoryStorage({ identity: ME, rooms: ["lobby", "side"] }) });
  s.client.send("side", "never sent");
  s.client.signOut();
  assert.equal(s.client.identity, null);
  assert.deepEqual(s.client.outbox, []);
  assert.deepEqual([...s.client.rooms.keys()], ["lobby"]);
  assert.deepEqual(s.storage.data.get("rooms"), ["lobby"]);
  assert.equal(s.socket.connected, true);
});

test("foldName matches the server's NFKC case folding on the cases that matter", () => {
  const same = [
    ["ZOË", "zoë", "zoe\u0308"], // composed, lower, decomposed
    ["Straße", "STRASSE", "strasse", "STRAẞE"], // ß and capital ẞ fold to ss
    ["ΟΔΟΣ", "οδος", "οδοσ"], // final sigma
    ["ＡＬＩＣＥ", "alice", "Alice"], // full width (NFKC)
    ["ﬁne", "FINE"], // the fi ligature
    ["Ꭰ", "ꭰ"], // Cherokee
    ["İstanbul", "i\u0307stanbul"], // capital I with dot above: i and a combining dot
  ];
  for (const group of same) {
    const keys = group.map(foldName);
    assert.ok(keys.every((k) => k === keys[0]), `${group.join(" ")} -> ${keys.join(" ")}`);
  }
  assert.equal(foldName("Straße"), "strasse");
  assert.equal(foldName("ΟΔΟΣ"), "οδοσ");
  // Keys as ICU makes them: Cherokee folds to capitals, the dotless ı is not i.
  assert.equal(foldName("ꭰᏸ"), "Ꭰ\u13f0");
  assert.equal(foldName("ı"), "ı");
  assert.notEqual(foldName("ı"), foldName("I"));
  assert.notEqual(foldName("Anna"), foldName("Anne"));
});

test("message updated and message deleted replace the message in the window", async () => {
  const s = setup();
  await connectJoined(s, [msg(1, "helo"), msg(2)]);
  s.socket.fire("message updated", { ...msg(1, "hello"), edited: 5 });
  const r = s.client.rooms.get("lobby");
  assert.equal(r.messages[0].text, "hello");
  assert.equal(r.messages[0].edited, 5);
  s.socket.fire("message deleted", { id: "2", room: "lobby" });
  assert.deepEqual(r.messages[1], { id: "2", room: "lobby", from: "Bob", ts: msg(2).ts, deleted: true });
  assert.deepEqual(s.of("log").slice(-2).map((e) => e.kind), ["update", "update"]);
  // Unknown ids and rooms change nothing.
  s.socket.fire("message updated", msg(99, "x"));
  s.socket.fire("message deleted", { id: "1", room: "nowhere" });
  assert.equal(s.of("log").length, 3);
});

test("edit and remove call the server and apply its answer; errors are shown", async () => {
  const s = setup();
  await connectJoined(s, [msg(1, "typo", "Alice")]);
  const editing = s.client.edit("lobby", "1", "fixed");
  const call = await s.socket.waitCall("edit");
  assert.deepEqual(call.payload, { id: "1", text: "fixed" });
  call.answer({ ok: true, message: { ...msg(1, "fixed", "Alice"), edited: 9 } });
  assert.equal((await editing).ok, true);
  assert.equal(s.client.rooms.get("lobby").messages[0].text, "fixed");
  const removing = s.client.remove("lobby", "1");
  (await s.socket.waitCall("delete")).answer({ ok: false, error: { code: "forbidden", message: "no" } });
  assert.equal((await removing).ok, false);
  assert.equal(s.of("error").at(-1).code, "forbidden");
  const again = s.client.remove("lobby", "1");
  (await s.socket.waitCall("delete")).answer({ ok: true });
  await again;
  assert.equal(s.client.rooms.get("lobby").messages[0].deleted, true);
});

test("/me messages carry action: true through the outbox", async () => {
  const s = setup();
  await connectJoined(s);
  s.client.send("lobby", "waves", null, { action: true });
  const call = await s.socket.waitCall("message");
  assert.equal(call.payload.action, true);
  assert.deepEqual(s.storage.load("outbox", [])[0].action, true);
});

test("mentions and private messages count per room, and notify only while hidden", async () => {
  const s = setup();
  await connectJoined(s);
  const mention = { ...msg(1, "hi @alice", "Bob"), mentions: ["Alice"] };
  s.socket.fire("message", mention); // the current room, the page shown: read at once
  assert.equal(s.client.rooms.get("lobby").unread, 0);
  assert.equal(s.of("notify").length, 0);
  s.client.setVisible(false);
  s.socket.fire("message", { ...msg(2, "hi again @ALICE", "Bob"), mentions: ["ALICE"] });
  s.socket.fire("message", msg(3, "secret", "Bob", "lobby", "Alice"));
  s.socket.fire("message", msg(4, "nothing for you", "Bob"));
  s.socket.fire("message", { ...msg(5, "me", "Alice"), mentions: ["Alice"] }); // my own
  assert.deepEqual(s.client.totals(), { unread: 3, mentions: 2 });
  assert.deepEqual(s.of("notify").map((e) => [e.message.id, e.reason]), [["2", "mention"], ["3", "private"]]);
  s.client.setVisible(true);
  assert.deepEqual(s.client.totals(), { unread: 0, mentions: 0 });
});

test("ignored people: no unread, no notification, no typing; kept in storage", async () => {
  const s = setup();
  await connectJoined(s);
  s.client.setIgnored("BOB", true);
  assert.equal(s.client.isIgnored("bob"), true);
  s.client.setVisible(false);
  s.socket.fire("message", msg(1, "@alice hi", "Bob", "lobby", "Alice"));
  s.socket.fire("typing", { room: "lobby", from: "Bob", to: null, typing: true });
  assert.deepEqual(s.client.totals(), { unread: 0, mentions: 0 });
  assert.equal(s.of("notify").length, 0);
  assert.deepEqual(s.client.typingIn("lobby"), []);
  // The message is still in the window (the view hides it with a note and an undo).
  assert.equal(s.client.rooms.get("lobby").messages.length, 1);
  const reloaded = new ChatClient({ storage: s.storage });
  assert.equal(reloaded.isIgnored("Bob"), true);
  s.client.setIgnored("bob", false);
  assert.deepEqual(s.client.typingIn("lobby"), [{ name: "Bob", private: false }]);
  assert.deepEqual(s.of("ignored").map((e) => e.names), [["bob"], []]);
});
