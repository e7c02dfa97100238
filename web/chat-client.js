// The Kibitz chat client: the /chat namespace of PROTOCOL.md as state and events, without any DOM.
//
// A ChatClient is an EventTarget. It is given a socket-like object (socket.io-client's Socket, or
// a fake in tests: on(event, fn), emit(event, payload), timeout(ms).emitWithAck(event, payload),
// `connected`) and keeps
//   - the identity {name, token} (a reload takes the name over with the token), and the tokens
//     of the last MAX_TOKENS names it held, so taking a name back (another page joined with
//     another name meanwhile) keeps its private history,
//   - the rooms: for each, a window of at most `maxMessages` messages sorted by server id, the
//     users, who is typing, the unread count, notes ("X joined"), and whether earlier or later
//     messages exist beyond the window,
//   - the outbox: messages not yet acked. Each has a client id; after a reconnect the client joins
//     its rooms again and sends the outbox again with the same ids, so the server stores each
//     once (nothing lost, nothing doubled).
// It dispatches CustomEvents whose `detail` says what changed (see EVENTS below); a view renders
// from them. Timers are injected (`timers`) so tests drive time.

import { ERRORS, ROOM_RE, foldName } from "./chat-names.js";
import { insertInto, mergeLatestInto, newRoom, replaceIn } from "./chat-window.js";

export { ERRORS, ROOM_RE, foldName };

export const ACK_TIMEOUT_MS = 8000;
export const CONNECT_WAIT_MS = 10000; // a name picked before the socket connected waits this long
export const MAX_MESSAGES = 500; // per room, in memory and so in the DOM
export const PAGE = 100; // messages per `history` request (the server's maximum)
export const JOIN_HISTORY = 50; // what `join` returns
export const TYPING_SHOWN_MS = 6000;
export const MAX_TRIES = 5; // sends of one message on one connection without an ack
export const MAX_TOKENS = 20; // names whose tokens are kept (the newest)

// Events (CustomEvent names and their detail):
//   connection {online}           the socket connected or dropped
//   identity   {identity}         the name was taken, or forgotten (null)
//   rooms      {}                 rooms added, removed, or their unread counts changed
//   users      {room}             the room's user list changed
//   log        {room, kind, messages, dropped}
//       kind "append": `messages` (sorted) come after every message of the window;
//            "prepend": they come before the first; "reset": render the window anew;
//            "update": `messages` replace the ones with their ids (an edit, a tombstone).
//       `dropped` {top, bottom}: how many messages left the window at each end.
//   outbox     {room}             the room's pending messages changed
//   typing     {room}             who is typing in the room changed
//   note       {room, note}       a note ({text, after: message id}) was added
//   error      {code, text, item} something for people to read; text null clears it; `item`
//                                 is a refused outbox entry ({id, room, text, to}) or null
//   name-refused {name, code}     the saved name was refused (taken by someone else, reserved)
//   notify     {room, message, reason}  a message for the user ("mention" or "private") came
//                                 while the page is hidden (setVisible(false))
//   ignored    {names}            the ignore list changed
export const EVENTS = ["connection", "identity", "rooms", "users", "log", "outbox", "typing", "note", "error", "name-refused", "notify", "ignored"];


const NAME_ERRORS = ["name_taken", "name_invalid", "name_reserved"];


function defaultNewId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

// A storage for the client: `memoryStorage()` in tests, localStorage (through the view) in pages.
export function memoryStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return { load: (k, fallback) => (data.has(k) ? structuredClone(data.get(k)) : fallback), save: (k, v) => (v === undefined ? data.delete(k) : data.set(k, structuredClone(v))), data };
}

export class ChatClient extends EventTarget {
  // opts: storage {load(key, fallback), save(key, value)}, startRoom ("lobby"), maxMessages,
  // ackTimeoutMs, connectWaitMs, timers {set(fn, ms), clear(handle)}, newId() (client message ids).
  constructor(opts = {}) {
    super();
    this.storage = opts.storage ?? memoryStorage();
    this.startRoom = opts.startRoom ?? "lobby";
    this.maxMessages = opts.maxMessages ?? MAX_MESSAGES;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.connectWaitMs = opts.connectWaitMs ?? CONNECT_WAIT_MS;
    this.timers = opts.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (t) => clearTimeout(t) };
    this.newId = opts.newId ?? defaultNewId;
    this.socket = null;
    this.online = false;
    this.joined = false; // every room joined on this connection, the outbox flushing
    this.joinedRooms = new Set(); // rooms joined on the current connection
    this.connection = 0; // counts connections, so a late answer of an old one is ignored
    this.rooms = new Map();
    this.identity = this.storage.load("identity", null);
    this.outbox = this.storage.load("outbox", []).map(({ id, room, text, to, action }) => ({ id, room, text, to: to ?? null, action: !!action, tries: 0, inFlight: false }));
    this.visible = true; // the page is shown (setVisible)
    this.ignored = new Set(this.storage.load("ignored", []).map(foldName)); // folded names
    for (const r of [this.startRoom, ...this.storage.load("rooms", [])]) if (ROOM_RE.test(r)) this.room(r);
    this.current = this.storage.load("current", this.startRoom);
    if (!this.rooms.has(this.current)) this.current = this.startRoom;
  }

  emitEvent(type, detail = {}) {
    this.dispatchEvent(Object.assign(new Event(type), { detail }));
  }

  // ---- The socket ----

  // Listens to `socket` (a socket.io-client Socket on /chat, or a fake).
  attach(socket) {
    this.socket = socket;
    socket.on("connect", () => this.onConnect());
    socket.on("disconnect", () => this.onDisconnect());
    socket.on("connect_error", () => this.setOnline(false));
    socket.on("message", (m) => this.onMessage(m));
    socket.on("users", (e) => this.onUsers(e));
    socket.on("user joined", (e) => this.addNote(e.room, `${e.name} joined`));
    socket.on("user left", (e) => this.addNote(e.room, `${e.name} left`));
    socket.on("typing", (e) => this.onTyping(e));
    socket.on("message updated", (m) => this.onChanged(m));
    socket.on("message deleted", (e) => this.onChanged(e && { id: e.id, room: e.room, deleted: true }));
    if (socket.connected) this.onConnect();
  }

  // Resolves true once the socket is connected, false if it is not within `ms`.
  waitOnline(ms) {
    if (this.socket?.connected) return Promise.resolve(true);
    if (!this.socket) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok) => {
        this.timers.clear(timer);
        this.removeEventListener("connection", onChange);
        resolve(ok);
      };
      const onChange = () => this.socket.connected && done(true);
      const timer = this.timers.set(() => done(!!this.socket.connected), ms);
      this.addEventListener("connection", onChange);
    });
  }

  call(event, payload) {
    return this.socket.timeout(this.ackTimeoutMs).emitWithAck(event, payload);
  }

  setOnline(online) {
    if (this.online === online) return;
    this.online = online;
    this.emitEvent("connection", { online });
  }

  async onConnect() {
    this.connection++;
    this.setOnline(true);
    if (this.identity) await this.joinAll();
  }

  onDisconnect() {
    this.connection++;
    this.joined = false;
    this.joinedRooms.clear();
    for (const item of this.outbox) item.inFlight = false;
    this.setOnline(false);
  }

  // (Re)joins every room with the saved name and token, the current one first, then sends what
  // waits in the outbox. False when a join failed (the next connect tries again).
  async joinAll() {
    const conn = this.connection;
    const rooms = [this.current, ...[...this.rooms.keys()].filter((r) => r !== this.current)];
    for (const room of rooms) {
      if (this.joinedRooms.has(room)) continue;
      if (!(await this.joinRoom(room))) return false;
      if (conn !== this.connection) return false;
    }
    this.joined = true;
    this.flush();
    return true;
  }

  // Joins `room` with the identity. True on success; on a refused name the identity is dropped.
  async joinRoom(room) {
    const { name, token } = this.identity;
    const conn = this.connection;
    let ack;
    try {
      ack = await this.call("join", token ? { name, room, token } : { name, room });
    } catch {
      return false; // disconnected or timed out: the next connect tries again
    }
    if (conn !== this.connection || !this.identity) return false;
    if (!ack.ok) return this.joinRefused(room, name, ack.error);
    this.setIdentity({ name: ack.name, token: ack.token });
    this.joinedRooms.add(room);
    const r = this.room(room);
    r.users = ack.users;
    this.mergeLatest(r, ack.history, JOIN_HISTORY);
    this.emitEvent("users", { room });
    return true;
  }

  joinRefused(room, name, error) {
    if (NAME_ERRORS.includes(error.code)) {
      // Someone else holds the name now, or it no longer passes: ask for another.
      this.setIdentity(null);
      this.emitEvent("name-refused", { name, code: error.code });
      this.showError(error);
      return false;
    }
    this.showError(error);
    if (error.code === "room_invalid" || error.code === "too_many_rooms") this.forgetRoom(room);
    return false;
  }

  setIdentity(identity) {
    const same = JSON.stringify(identity) === JSON.stringify(this.identity);
    this.identity = identity;
    this.storage.save("identity", identity ?? undefined);
    if (identity?.token) this.keepToken(identity.name, identity.token);
    if (!same) this.emitEvent("identity", { identity });
  }

  // The tokens of the names held lately: [[folded name, token]], the newest last, at most
  // MAX_TOKENS. `token` undefined forgets the name's.
  keepToken(name, token) {
    const key = foldName(name);
    const kept = this.storage.load("tokens", []).filter((e) => Array.isArray(e) && e[0] !== key);
    if (token !== undefined) kept.push([key, token]);
    this.storage.save("tokens", kept.slice(-MAX_TOKENS));
  }

  tokenOf(name) {
    const key = foldName(name);
    return this.storage.load("tokens", []).find((e) => Array.isArray(e) && e[0] === key)?.[1];
  }

  // Makes `name` the identity to join with, with the token it last had here, unless it already
  // is the identity: a host page that knows the person's name (the chess page) joins with it,
  // without asking. Call before attach(); a refused name asks as a reload would (name-refused).
  useName(name) {
    name = String(name ?? "").trim();
    if (!name || (this.identity && foldName(this.identity.name) === foldName(name))) return;
    const token = this.tokenOf(name);
    this.setIdentity(token ? { name, token } : { name });
  }

  // Takes `name`: joins the current room with it, then every other room. Resolves with
  // {ok, error?}.
  async pickName(name) {
    name = String(name).trim();
    if (!name) return { ok: false, error: { code: "name_invalid" } };
    // A name picked while the page still connects is taken once it is connected.
    if (!(await this.waitOnline(this.connectWaitMs))) return { ok: false, error: { code: "offline", message: "Not connected yet. Try again in a moment." } };
    const token = this.tokenOf(name);
    this.identity = token ? { name, token } : { name };
    const ok = await this.joinRoom(this.current);
    if (!ok) {
      const code = this.identity === null ? "name_refused" : "join_failed";
      this.identity = null;
      return { ok: false, error: { code } };
    }
    this.showError(null);
    await this.joinAll();
    return { ok: true };
  }

  // Forgets the name, the outbox and the rooms; a fresh connection gives up the name at once.
  signOut() {
    if (this.identity) this.keepToken(this.identity.name, undefined);
    this.setIdentity(null);
    this.outbox = [];
    this.saveOutbox();
    this.rooms.clear();
    this.room(this.startRoom);
    this.current = this.startRoom;
    this.saveRooms();
    this.emitEvent("rooms");
    this.socket?.disconnect();
    this.socket?.connect();
  }

  // ---- Rooms ----

  room(name) {
    if (!this.rooms.has(name)) this.rooms.set(name, newRoom(name));
    return this.rooms.get(name);
  }

  saveRooms() {
    this.storage.save("rooms", [...this.rooms.keys()]);
    this.storage.save("current", this.current);
  }

  // Opens `name` (lower-cased) and makes it current; joins it when the rest are joined.
  async openRoom(raw) {
    const name = String(raw).trim().toLowerCase();
    if (!ROOM_RE.test(name)) {
      this.showError({ code: "room_invalid" });
      return false;
    }
    const isNew = !this.rooms.has(name);
    this.room(name);
    this.switchRoom(name);
    if (isNew && this.joined && !this.joinedRooms.has(name)) {
      if (!(await this.joinRoom(name))) {
        this.forgetRoom(name);
        return false;
      }
    }
    return true;
  }

  switchRoom(name) {
    if (!this.rooms.has(name)) return;
    this.current = name;
    if (this.visible) this.markRead(name);
    this.saveRooms();
    this.emitEvent("rooms");
  }

  markRead(name) {
    const r = this.room(name);
    r.unread = 0;
    r.mentions = 0;
  }

  // The page was shown or hidden: while hidden, messages in the current room count as unread
  // too, and mentions and private messages are announced with `notify`.
  setVisible(visible) {
    if (this.visible === visible) return;
    this.visible = visible;
    if (visible && this.rooms.has(this.current)) {
      this.markRead(this.current);
      this.emitEvent("rooms");
    }
  }

  // Unread messages and mentions (private messages to the user count as mentions) in all rooms.
  totals() {
    let unread = 0;
    let mentions = 0;
    for (const r of this.rooms.values()) {
      unread += r.unread;
      mentions += r.mentions;
    }
    return { unread, mentions };
  }

  // ---- People the user ignores (kept in storage; their messages and typing are hidden) ----

  isIgnored(name) {
    return this.ignored.has(foldName(name));
  }

  setIgnored(name, ignored) {
    const k = foldName(name);
    if (this.ignored.has(k) === ignored) return;
    if (ignored) this.ignored.add(k);
    else this.ignored.delete(k);
    this.storage.save("ignored", [...this.ignored]);
    for (const r of this.rooms.values()) if (r.typing.has(k)) this.emitEvent("typing", { room: r.name });
    this.emitEvent("ignored", { names: [...this.ignored] });
  }

  // Why a message from someone else is for the user: "private", "mention", or null.
  reasonFor(m) {
    const me = this.identity ? foldName(this.identity.name) : null;
    if (!me || m.deleted || foldName(m.from) === me) return null;
    if (m.to && foldName(m.to) === me) return "private";
    if ((m.mentions ?? []).some((n) => foldName(n) === me)) return "mention";
    return null;
  }

  async leaveRoom(name) {
    if (name === this.startRoom) return;
    if (this.joinedRooms.delete(name)) {
      try {
        await this.call("leave", { room: name });
      } catch {
        // Offline: it is forgotten here; the server drops it with the connection.
      }
    }
    this.forgetRoom(name);
  }

  forgetRoom(name) {
    if (name === this.startRoom || !this.rooms.has(name)) return;
    for (const t of this.rooms.get(name).typing.values()) this.timers.clear(t.timer);
    this.rooms.delete(name);
    this.outbox = this.outbox.filter((o) => o.room !== name);
    this.saveOutbox();
    if (this.current === name) this.current = this.startRoom;
    this.saveRooms();
    this.emitEvent("rooms");
  }

  onUsers(e) {
    const r = this.rooms.get(e?.room);
    if (!r) return;
    r.users = e.users;
    this.emitEvent("users", { room: e.room });
  }

  addNote(room, text) {
    const r = this.rooms.get(room);
    if (!r) return;
    const note = { text, after: r.messages.at(-1)?.id ?? "0" };
    r.notes.push(note);
    if (r.notes.length > 20) r.notes.shift();
    this.emitEvent("note", { room, note });
  }

  // ---- The message window of a room ----

  // A message from the server (`own`: the ack of one we sent, which is never unread).
  onMessage(m, own = false) {
    const r = this.rooms.get(m?.room);
    if (!r || r.ids.has(m.id)) return;
    const k = foldName(m.from);
    if (r.typing.has(k)) {
      this.timers.clear(r.typing.get(k).timer);
      r.typing.delete(k);
      this.emitEvent("typing", { room: m.room });
    }
    const mine = own || (this.identity && foldName(m.from) === foldName(this.identity.name));
    if (!mine && !this.isIgnored(m.from)) {
      const reason = this.reasonFor(m);
      if (m.room !== this.current || !this.visible) {
        r.unread++;
        if (reason) r.mentions++;
        this.emitEvent("rooms");
      }
      if (reason && !this.visible) this.emitEvent("notify", { room: m.room, message: m, reason });
    }
    // While the window shows older pages (hasLater), a new message waits for loadLatest().
    if (r.hasLater) return;
    this.insert(r, [m]);
  }

  // An edited message, or a deleted one ({id, room, deleted: true}), from the server or an ack.
  onChanged(m) {
    const r = this.rooms.get(m?.room);
    if (!r) return;
    if (m.deleted) {
      const old = r.messages.find((x) => x.id === m.id);
      if (!old) return;
      m = { id: m.id, room: m.room, from: old.from, ts: old.ts, deleted: true };
    }
    const change = replaceIn(r, m);
    if (change) this.emitEvent("log", { room: r.name, ...change });
  }

  // Changes the text of the user's message `id` in `room`. Resolves with the ack.
  async edit(room, id, text) {
    return this.change("edit", { id, text }, (ack) => this.onChanged(ack.message));
  }

  // Deletes the user's message `id` in `room`. Resolves with the ack.
  async remove(room, id) {
    return this.change("delete", { id }, () => this.onChanged({ id, room, deleted: true }));
  }

  async change(event, payload, applied) {
    if (!this.socket?.connected) {
      const error = { code: "offline", message: "Not connected: try again when the chat is back." };
      this.showError(error, error.message);
      return { ok: false, error };
    }
    let ack;
    try {
      ack = await this.call(event, payload);
    } catch {
      const error = { code: "offline", message: "No answer from the server: try again." };
      this.showError(error, error.message);
      return { ok: false, error };
    }
    if (ack.ok) applied(ack);
    else this.showError(ack.error);
    return ack;
  }

  // Adds `list` to the window of `r`, bounded to maxMessages; one `log` event.
  insert(r, list) {
    const change = insertInto(r, list, this.maxMessages);
    if (change) this.emitEvent("log", { room: r.name, ...change });
  }

  // Merges the latest page (join's history, or `history` without `before`) into the window.
  mergeLatest(r, page, limit) {
    const change = mergeLatestInto(r, page, limit, this.maxMessages);
    if (change) this.emitEvent("log", { room: r.name, ...change });
  }

  // Loads the page before the window's first message with `history`. Resolves with
  // {ok, count} or {ok: false, error}; one request per room at a time.
  loadEarlier(room) {
    const r = this.rooms.get(room);
    if (!r) return Promise.resolve({ ok: false, error: { code: "not_joined" } });
    if (r.loading) return r.loading;
    if (!r.hasEarlier || !this.joinedRooms.has(room)) return Promise.resolve({ ok: true, count: 0 });
    const before = r.messages[0]?.id;
    r.loading = this.fetchHistory(r, before ? { room, before, limit: PAGE } : { room, limit: PAGE }).then((res) => {
      r.loading = null;
      if (!res.ok) return res;
      if (this.rooms.get(room) !== r) return { ok: true, count: 0 };
      if (res.messages.length < PAGE) r.hasEarlier = false;
      this.insert(r, res.messages);
      return { ok: true, count: res.messages.length };
    });
    return r.loading;
  }

  // Gives up older pages and shows the latest messages again (after loadEarlier trimmed the end).
  loadLatest(room) {
    const r = this.rooms.get(room);
    if (!r) return Promise.resolve({ ok: false, error: { code: "not_joined" } });
    if (r.loading) return r.loading;
    if (!r.hasLater || !this.joinedRooms.has(room)) return Promise.resolve({ ok: true, count: 0 });
    r.loading = this.fetchHistory(r, { room, limit: PAGE }).then((res) => {
      r.loading = null;
      if (!res.ok || this.rooms.get(room) !== r) return res;
      r.hasLater = true; // forces the window to become the latest page
      this.mergeLatest(r, res.messages, PAGE);
      return { ok: true, count: res.messages.length };
    });
    return r.loading;
  }

  // One `history` call; `rate_limited` waits retry_after_ms and tries again (at most 3 times).
  async fetchHistory(r, payload, tries = 0) {
    let ack;
    try {
      ack = await this.call("history", payload);
    } catch {
      return { ok: false, error: { code: "offline" } };
    }
    if (ack.ok) return { ok: true, messages: ack.messages };
    if (ack.error.code === "rate_limited" && tries < 3) {
      await new Promise((resolve) => this.timers.set(resolve, (ack.error.retry_after_ms ?? 1000) + 50));
      return this.fetchHistory(r, payload, tries + 1);
    }
    this.showError(ack.error);
    return { ok: false, error: ack.error };
  }

  // ---- Typing ----

  onTyping(e) {
    const r = this.rooms.get(e?.room);
    if (!r) return;
    const k = foldName(e.from);
    const old = r.typing.get(k);
    if (old) this.timers.clear(old.timer);
    if (e.typing) {
      const timer = this.timers.set(() => {
        r.typing.delete(k);
        this.emitEvent("typing", { room: e.room });
      }, TYPING_SHOWN_MS);
      r.typing.set(k, { name: e.from, private: e.to != null, timer });
    } else {
      r.typing.delete(k);
    }
    this.emitEvent("typing", { room: e.room });
  }

  // Who is typing in `room`: [{name, private}].
  typingIn(room) {
    return [...(this.rooms.get(room)?.typing.values() ?? [])].filter(({ name }) => !this.isIgnored(name)).map(({ name, private: p }) => ({ name, private: p }));
  }

  setTyping(room, typing, to = null) {
    if (!this.socket?.connected || !this.joined) return;
    const p = { room, typing };
    if (to) p.to = to;
    this.socket.emit("typing", p);
  }

  // ---- The outbox ----

  // Queues a message to `room` (privately to `to` when given; a `/me` message with
  // {action: true}) and sends it when joined.
  send(room, text, to = null, { action = false } = {}) {
    if (!this.identity || !String(text).trim()) return null;
    const item = { id: this.newId(), room, text, to, action, tries: 0, inFlight: false };
    this.outbox.push(item);
    this.saveOutbox();
    this.emitEvent("outbox", { room });
    if (this.joined) this.deliver(item);
    return item;
  }

  pending(room) {
    return this.outbox.filter((o) => o.room === room);
  }

  saveOutbox() {
    this.storage.save("outbox", this.outbox.map(({ id, room, text, to, action }) => (action ? { id, room, text, to, action } : { id, room, text, to })));
  }

  // Sends every waiting message, in order, once joined.
  flush() {
    for (const item of this.outbox) if (!item.inFlight) this.deliver(item);
  }

  async deliver(item) {
    if (item.inFlight || !this.joined || !this.outbox.includes(item)) return;
    const conn = this.connection;
    item.inFlight = true;
    item.tries++;
    const payload = { room: item.room, text: item.text, id: item.id };
    if (item.to) payload.to = item.to;
    if (item.action) payload.action = true;
    let ack;
    try {
      ack = await this.call("message", payload);
    } catch {
      // No ack (connection dropped, or slow): keep it. The same id goes again after the
      // reconnect, or now if still connected; the server stores it once.
      if (conn !== this.connection) return;
      item.inFlight = false;
      if (this.joined && item.tries < MAX_TRIES) this.deliver(item);
      return;
    }
    if (conn !== this.connection) return; // the reconnect's flush sends it again
    item.inFlight = false;
    if (ack.ok) return this.delivered(item, ack.message);
    this.refused(item, ack.error);
  }

  delivered(item, message) {
    if (this.errorKind === "rate_limited") this.showError(null);
    this.dropFromOutbox(item);
    this.onMessage(message, true);
  }

  async refused(item, error) {
    if (error.code === "rate_limited") {
      const s = Math.ceil((error.retry_after_ms ?? 1000) / 1000);
      this.showError({ code: "rate_limited" }, `Slow down: you can send again in ${s} s. Your message will go out then.`);
      this.timers.set(() => this.deliver(item), (error.retry_after_ms ?? 1000) + 50);
      return;
    }
    if (error.code === "not_joined" && this.joined) {
      // The server lost our room (a restart): join again, then it goes out.
      this.joinedRooms.delete(item.room);
      if (await this.joinRoom(item.room)) this.deliver(item);
      return;
    }
    this.dropFromOutbox(item);
    this.showError(error, this.describe(error, item), item);
  }

  dropFromOutbox(item) {
    this.outbox = this.outbox.filter((o) => o !== item);
    this.saveOutbox();
    this.emitEvent("outbox", { room: item.room });
  }

  describe(error, item) {
    if (error.code === "unknown_recipient" && item) {
      const m = /^@(\S+) /.exec(item.text);
      const who = item.to ?? m?.[1];
      if (who) return `There is nobody called “${who}” in this room.`;
    }
    return ERRORS[error.code] ?? error.message ?? "Something went wrong.";
  }

  // Shows `error` ({code, message}) to people, or clears the notice with null. `item` is the
  // outbox entry the server refused (dropped from the outbox), so a view can give its text back.
  showError(error, text = null, item = null) {
    this.errorKind = error ? error.code : null;
    this.emitEvent("error", { code: error?.code ?? null, text: error ? text ?? this.describe(error) : null, item });
  }
}
