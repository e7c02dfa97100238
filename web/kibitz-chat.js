// <kibitz-chat server="https://host" room="lobby">: the Kibitz chat as a Web Component.
//
// Any page embeds it with two lines:
//   <script type="module" src="https://host/kibitz-chat.js"></script>
//   <kibitz-chat server="https://host" room="lobby"></kibitz-chat>
// `server` defaults to the origin this script came from, `room` to "lobby"; `name` suggests a
// name for the name form. It speaks the /chat
// namespace of PROTOCOL.md with the official socket.io-client, loaded from the server at
// /socket.io/socket.io.esm.min.js. Everything people type is shown with textContent, never as
// HTML. The name and its token stay in localStorage, so a reload keeps the name (take-over).
// Messages wait in an outbox until the server acks them; after a reconnect they are sent again
// with the same client id, so nothing is lost and nothing is doubled.

const STYLE = `
:host { --kc-bg: var(--bg, #f6f5f2); --kc-fg: var(--fg, #1d1d1f); --kc-muted: var(--muted, #6b6b70);
  --kc-accent: var(--accent, #2f6f4f); --kc-card: var(--card, #fff); --kc-border: var(--border, #dedcd6);
  --kc-danger: var(--danger, #a4302a); --kc-private: #7a4fb0; --kc-mine: color-mix(in srgb, var(--kc-accent) 12%, var(--kc-card));
  display: block; height: 100%; min-height: 22rem; color: var(--kc-fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
@media (prefers-color-scheme: dark) { :host { --kc-private: #b48ee6; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
button, input, textarea { font: inherit; color: inherit; }
button { cursor: pointer; }
:focus-visible { outline: 2px solid var(--kc-accent); outline-offset: 2px; }
.frame { display: flex; flex-direction: column; height: 100%; background: var(--kc-card); border: 1px solid var(--kc-border);
  border-radius: 14px; overflow: hidden; }
header { display: flex; align-items: center; gap: .6rem; padding: .6rem .9rem; border-bottom: 1px solid var(--kc-border); }
header h2 { margin: 0; font-size: 1.05rem; flex: 1; min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
header .me { color: var(--kc-muted); font-size: .9rem; white-space: nowrap; }
.status { font-size: .8rem; padding: .15rem .55rem; border-radius: 999px; white-space: nowrap; border: 1px solid transparent; }
.status.online { color: var(--kc-accent); border-color: color-mix(in srgb, var(--kc-accent) 40%, transparent); }
.status.offline { color: #fff; background: var(--kc-danger); }
.status.offline::before { content: "● "; }
.icon-btn { background: none; border: 1px solid var(--kc-border); border-radius: 8px; padding: .25rem .55rem; font-size: .85rem; }
.menu-btn { display: none; }
.banner { padding: .55rem .9rem; font-size: .9rem; display: flex; gap: .6rem; align-items: center; }
.banner.error { background: color-mix(in srgb, var(--kc-danger) 12%, var(--kc-card)); color: var(--kc-danger); }
.banner.offline { background: color-mix(in srgb, var(--kc-danger) 85%, #000); color: #fff; }
.banner span { flex: 1; }
.banner button { background: none; border: 0; color: inherit; font-size: 1.1rem; line-height: 1; }
.welcome { flex: 1; display: grid; place-items: center; padding: 1.5rem; }
.welcome form { width: min(22rem, 100%); display: grid; gap: .7rem; }
.welcome h3 { margin: 0; font-size: 1.4rem; }
.welcome p { margin: 0; color: var(--kc-muted); }
.field { width: 100%; padding: .6rem .75rem; border: 1px solid var(--kc-border); border-radius: 10px; background: var(--kc-bg); }
.primary { background: var(--kc-accent); color: #fff; border: 0; border-radius: 10px; padding: .6rem 1rem; font-weight: 600; }
.primary:disabled { opacity: .55; cursor: default; }
.hint { font-size: .8rem; color: var(--kc-muted); }
.app { flex: 1; display: grid; grid-template-columns: 14rem 1fr; min-height: 0; }
aside { border-right: 1px solid var(--kc-border); padding: .75rem; overflow-y: auto; display: flex; flex-direction: column; gap: 1rem; background: var(--kc-bg); }
aside h3 { margin: 0 0 .35rem; font-size: .75rem; text-transform: uppercase; letter-spacing: .06em; color: var(--kc-muted); }
aside ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
.room-btn, .user-btn { width: 100%; text-align: left; background: none; border: 0; border-radius: 8px; padding: .35rem .5rem;
  display: flex; align-items: center; gap: .4rem; }
.room-btn:hover, .user-btn:hover { background: color-mix(in srgb, var(--kc-accent) 8%, transparent); }
.room-btn[aria-current="true"] { background: color-mix(in srgb, var(--kc-accent) 16%, transparent); font-weight: 600; }
.room-btn .label, .user-btn .label { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { background: var(--kc-accent); color: #fff; border-radius: 999px; font-size: .7rem; padding: 0 .4rem; min-width: 1.2rem; text-align: center; }
.dot { width: .5rem; height: .5rem; border-radius: 50%; background: var(--kc-accent); flex: none; }
.you { color: var(--kc-muted); font-size: .8rem; }
.room-item { display: flex; }
.leave { background: none; border: 0; color: var(--kc-muted); padding: 0 .25rem; }
.room-form { display: flex; gap: .3rem; margin-top: .4rem; }
.room-form .field { padding: .35rem .5rem; font-size: .9rem; min-width: 0; }
.room-form button { border: 1px solid var(--kc-border); background: var(--kc-card); border-radius: 8px; padding: 0 .6rem; }
main { display: flex; flex-direction: column; min-height: 0; min-width: 0; }
.log { flex: 1; overflow-y: auto; padding: .8rem .9rem; display: flex; flex-direction: column; gap: .35rem; }
.empty { margin: auto; color: var(--kc-muted); text-align: center; }
.msg { max-width: min(40rem, 92%); align-self: flex-start; background: var(--kc-bg); border: 1px solid var(--kc-border);
  border-radius: 12px; padding: .35rem .65rem .45rem; }
.msg.mine { align-self: flex-end; background: var(--kc-mine); }
.msg.private { border-color: var(--kc-private); border-style: dashed; }
.msg.pending { opacity: .6; }
.msg .meta { display: flex; gap: .5rem; align-items: baseline; font-size: .78rem; color: var(--kc-muted); }
.msg .from { font-weight: 600; color: var(--kc-fg); }
.msg .tag { color: var(--kc-private); font-weight: 600; }
.msg .text { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: .1rem; }
.day { align-self: center; font-size: .75rem; color: var(--kc-muted); margin: .4rem 0; }
.typing { min-height: 1.4rem; padding: 0 .9rem; font-size: .82rem; color: var(--kc-muted); font-style: italic; }
.composer { border-top: 1px solid var(--kc-border); padding: .6rem .75rem; display: grid; gap: .4rem; }
.to { display: flex; gap: .4rem; align-items: center; font-size: .85rem; color: var(--kc-private); }
.to button { background: none; border: 1px solid currentColor; color: inherit; border-radius: 999px; padding: 0 .5rem; font-size: .8rem; }
.row { display: flex; gap: .5rem; align-items: flex-end; }
.row textarea { flex: 1; resize: none; max-height: 8rem; }
@media (max-width: 40rem) {
  .app { grid-template-columns: 1fr; position: relative; }
  .menu-btn { display: inline-block; }
  aside { position: absolute; inset: 0 25% 0 0; z-index: 2; box-shadow: 0 0 0 100vmax rgba(0,0,0,.35); display: none; }
  .app.menu-open aside { display: flex; }
  header .me { display: none; }
  .msg { max-width: 96%; }
}
`;

const ERRORS = {
  name_invalid: "A name is 1 to 24 letters, digits, '_', '-' or '.', with nothing invisible in it.",
  name_taken: "That name, or one that looks just like it, is taken. Pick another one.",
  name_reserved: "That name is reserved. Pick another one.",
  room_invalid: "A room name is 1 to 64 characters: a-z, 0-9, _ - : .",
  too_many_rooms: "You are in as many rooms as you can be. Leave one first.",
  not_joined: "You are not in that room.",
  unknown_recipient: "There is nobody by that name in this room.",
  text_invalid: "That message cannot be sent: it is empty, longer than 2000 characters, or has control characters in it.",
  forbidden: "You can only send messages as yourself.",
  bad_request: "The server did not understand that request.",
  unavailable: "The server could not store that just now. Try again.",
};

const ACK_TIMEOUT_MS = 8000;
const TYPING_IDLE_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const ROOM_RE = /^[a-z0-9_\-:.]{1,64}$/;

// A tiny element builder: h("div", {class: "x"}, child, "text"). Strings become text nodes.
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

const fold = (name) => name.normalize("NFKC").toLowerCase();
const timeOf = (ts) => new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const dayOf = (ts) => new Date(ts).toLocaleDateString([], { weekday: "short", month: "short", day: "numeric" });
const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

class KibitzChat extends HTMLElement {
  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    this.rooms = new Map(); // room -> { messages: Map(id -> Message), users: [], typing: Map, unread }
    this.outbox = []; // { id, room, text, to, tries }
    this.current = null;
    this.recipient = null;
    this.socket = null;
    this.joined = false;
    this.joinedRooms = new Set(); // rooms joined on the current connection
  }

  get server() {
    return this.getAttribute("server") || new URL(import.meta.url).origin;
  }

  // localStorage keys are per server, so one page can embed chats of several servers.
  key(what) {
    return `kibitz-chat:${this.server}:${what}`;
  }
  load(what, fallback) {
    try {
      const v = localStorage.getItem(this.key(what));
      return v === null ? fallback : JSON.parse(v);
    } catch {
      return fallback;
    }
  }
  save(what, value) {
    try {
      if (value === undefined) localStorage.removeItem(this.key(what));
      else localStorage.setItem(this.key(what), JSON.stringify(value));
    } catch {
      // Private mode or a full quota: the chat still works, a reload just forgets.
    }
  }

  connectedCallback() {
    if (this.frame) return;
    this.build();
    this.identity = this.load("identity", null); // { name, token }
    this.outbox = this.load("outbox", []);
    const start = this.getAttribute("room") || "lobby";
    const saved = this.load("rooms", []);
    for (const r of [start, ...saved]) if (ROOM_RE.test(r)) this.room(r);
    this.current = this.load("current", start);
    if (!this.rooms.has(this.current)) this.current = start;
    this.connect();
    this.render();
  }

  disconnectedCallback() {
    this.socket?.disconnect();
  }

  // ---- Building the UI (once) ----

  build() {
    const sheet = STYLE;
    if (this.root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
      const s = new CSSStyleSheet();
      s.replaceSync(sheet);
      this.root.adoptedStyleSheets = [s];
    } else {
      this.root.append(h("style", { text: sheet }));
    }
    this.statusEl = h("span", { class: "status", role: "status" });
    this.meEl = h("span", { class: "me" });
    this.titleEl = h("h2");
    this.menuBtn = h("button", { class: "icon-btn menu-btn", type: "button", "aria-label": "Rooms and people", "aria-expanded": "false", onclick: () => this.toggleMenu() }, "☰");
    this.signOutBtn = h("button", { class: "icon-btn", type: "button", onclick: () => this.signOut() }, "Change name");
    const header = h("header", {}, this.menuBtn, this.titleEl, this.meEl, this.statusEl, this.signOutBtn);

    this.offlineEl = h("div", { class: "banner offline", role: "alert", hidden: true }, h("span", { text: "Connection lost. Reconnecting… your messages will be sent when it is back." }));
    this.errorText = h("span");
    this.errorEl = h("div", { class: "banner error", role: "alert", hidden: true }, this.errorText,
      h("button", { type: "button", "aria-label": "Dismiss", onclick: () => this.showError(null) }, "×"));

    // The name form.
    this.nameInput = h("input", { class: "field", name: "name", autocomplete: "nickname", maxlength: "64", placeholder: "Your name", "aria-label": "Your name", required: true });
    // A host page may suggest a name (the chess page passes the player's); it is only a default.
    if (this.getAttribute("name")) this.nameInput.value = this.getAttribute("name");
    this.nameBtn = h("button", { class: "primary", type: "submit" }, "Join the chat");
    this.welcomeEl = h("div", { class: "welcome" },
      h("form", { onsubmit: (e) => { e.preventDefault(); this.pickName(); } },
        h("h3", { text: "Pick a name" }),
        h("p", { text: "Letters of any script, digits, _ - . (up to 24). Everyone in the room sees it." }),
        this.nameInput, this.nameBtn));

    // Rooms and people.
    this.roomsList = h("ul", { "aria-label": "Your rooms" });
    this.roomInput = h("input", { class: "field", placeholder: "room name", "aria-label": "Create or join a room", maxlength: "64", autocapitalize: "none", spellcheck: "false" });
    const roomForm = h("form", { class: "room-form", onsubmit: (e) => { e.preventDefault(); this.openRoomFromInput(); } },
      this.roomInput, h("button", { type: "submit" }, "Join"));
    this.usersList = h("ul", { "aria-label": "People in this room" });
    this.usersTitle = h("h3", { text: "People" });
    const aside = h("aside", {}, h("section", {}, h("h3", { text: "Rooms" }), this.roomsList, roomForm), h("section", {}, this.usersTitle, this.usersList));

    // Messages and the composer.
    this.logEl = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
    this.typingEl = h("div", { class: "typing", "aria-live": "polite" });
    this.toEl = h("div", { class: "to", hidden: true });
    this.input = h("textarea", { class: "field", rows: "1", placeholder: "Message — @name to whisper", "aria-label": "Message", maxlength: "4000",
      onkeydown: (e) => this.onKey(e), oninput: () => this.onInput() });
    this.sendBtn = h("button", { class: "primary", type: "submit" }, "Send");
    const composer = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.send(); } },
      this.toEl, h("div", { class: "row" }, this.input, this.sendBtn));
    this.mainEl = h("main", {}, this.logEl, this.typingEl, composer);
    this.appEl = h("div", { class: "app" }, aside, this.mainEl);
    this.appEl.addEventListener("keydown", (e) => { if (e.key === "Escape") this.toggleMenu(false); });

    this.frame = h("div", { class: "frame", part: "frame" }, header, this.offlineEl, this.errorEl, this.welcomeEl, this.appEl);
    this.root.append(this.frame);
  }

  // ---- Connection ----

  async connect() {
    let io;
    try {
      ({ io } = await import(new URL("/socket.io/socket.io.esm.min.js", this.server).href));
    } catch {
      this.showError("Could not load the chat client from the server.");
      this.setOnline(false);
      return;
    }
    const socket = io(new URL("/chat", this.server).href, { transports: ["websocket", "polling"], reconnectionDelayMax: 4000 });
    this.socket = socket;
    socket.on("connect", () => this.onConnect());
    socket.on("disconnect", () => {
      this.joined = false;
      this.joinedRooms.clear();
      this.setOnline(false);
    });
    socket.on("connect_error", () => this.setOnline(false));
    socket.on("message", (m) => this.onMessage(m));
    socket.on("users", (e) => this.onUsers(e));
    socket.on("user joined", (e) => this.note(e.room, `${e.name} joined`));
    socket.on("user left", (e) => this.note(e.room, `${e.name} left`));
    socket.on("typing", (e) => this.onTyping(e));
  }

  setOnline(online) {
    this.statusEl.textContent = online ? "Connected" : "Offline";
    this.statusEl.className = `status ${online ? "online" : "offline"}`;
    this.offlineEl.hidden = online || !this.identity;
    this.frame.dataset.state = online ? "online" : "offline";
  }

  call(event, payload) {
    return this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
  }

  async onConnect() {
    this.setOnline(true);
    if (this.identity) await this.joinAll();
  }

  // (Re)joins every room with the saved name and token, then sends what waits in the outbox.
  async joinAll() {
    const rooms = [this.current, ...[...this.rooms.keys()].filter((r) => r !== this.current)];
    for (const room of rooms) {
      if (this.joinedRooms.has(room)) continue;
      const ok = await this.joinRoom(room);
      if (!ok) return;
    }
    this.joined = true;
    this.flush();
  }

  async joinRoom(room) {
    const { name, token } = this.identity;
    let ack;
    try {
      ack = await this.call("join", { name, room, token });
    } catch {
      return false; // disconnected or timed out: the next connect tries again
    }
    if (!ack.ok) {
      if (["name_taken", "name_invalid", "name_reserved"].includes(ack.error.code)) {
        // Someone else holds the name now (or it no longer passes): ask for another.
        this.identity = null;
        this.save("identity", undefined);
        this.render();
        this.showError(ERRORS[ack.error.code]);
        this.nameInput.value = name;
        this.nameInput.focus();
        return false;
      }
      this.showError(this.describe(ack.error));
      if (ack.error.code === "room_invalid" || ack.error.code === "too_many_rooms") this.forgetRoom(room);
      return ack.error.code !== "rate_limited";
    }
    this.identity = { name: ack.name, token: ack.token };
    this.save("identity", this.identity);
    this.joinedRooms.add(room);
    const r = this.room(room);
    for (const m of ack.history) r.messages.set(m.id, m);
    r.users = ack.users;
    this.render();
    return true;
  }

  async pickName() {
    const name = this.nameInput.value.trim();
    if (!name) return;
    if (!this.socket?.connected) {
      this.showError("Not connected yet. Try again in a moment.");
      return;
    }
    this.nameBtn.disabled = true;
    this.identity = { name };
    const ok = await this.joinRoom(this.current);
    this.nameBtn.disabled = false;
    if (!ok) {
      if (this.identity === null) return;
      this.identity = null;
      this.render();
      return;
    }
    this.showError(null);
    await this.joinAll();
    this.input.focus();
  }

  signOut() {
    this.identity = null;
    this.save("identity", undefined);
    this.outbox = [];
    this.save("outbox", this.outbox);
    this.rooms.clear();
    const start = this.getAttribute("room") || "lobby";
    this.room(start);
    this.current = start;
    this.saveRooms();
    // A fresh connection gives up the old name at once.
    this.socket?.disconnect().connect();
    this.render();
    this.nameInput.focus();
  }

  // ---- Rooms ----

  room(name) {
    if (!this.rooms.has(name)) this.rooms.set(name, { messages: new Map(), users: [], typing: new Map(), unread: 0, notes: [] });
    return this.rooms.get(name);
  }

  saveRooms() {
    this.save("rooms", [...this.rooms.keys()]);
    this.save("current", this.current);
  }

  async openRoomFromInput() {
    const name = this.roomInput.value.trim().toLowerCase();
    if (!ROOM_RE.test(name)) {
      this.showError(ERRORS.room_invalid);
      return;
    }
    this.roomInput.value = "";
    const isNew = !this.rooms.has(name);
    this.room(name);
    this.switchRoom(name);
    if (isNew && this.joined && !this.joinedRooms.has(name)) {
      if (!(await this.joinRoom(name))) this.forgetRoom(name);
    }
  }

  switchRoom(name) {
    this.current = name;
    this.room(name).unread = 0;
    this.recipient = null;
    this.saveRooms();
    this.toggleMenu(false);
    this.render();
    this.input.focus();
  }

  async leaveRoom(name) {
    if (this.joined) {
      this.joinedRooms.delete(name);
      try {
        await this.call("leave", { room: name });
      } catch {
        // Offline: it is forgotten here; the server drops it with the connection.
      }
    }
    this.forgetRoom(name);
  }

  forgetRoom(name) {
    const start = this.getAttribute("room") || "lobby";
    if (name === start) return;
    this.rooms.delete(name);
    this.outbox = this.outbox.filter((o) => o.room !== name);
    this.save("outbox", this.outbox);
    if (this.current === name) this.current = start;
    this.saveRooms();
    this.render();
  }

  toggleMenu(open) {
    const next = open ?? !this.appEl.classList.contains("menu-open");
    this.appEl.classList.toggle("menu-open", next);
    this.menuBtn.setAttribute("aria-expanded", String(next));
  }

  // ---- Messages ----

  onMessage(m) {
    const r = this.rooms.get(m.room);
    if (!r || r.messages.has(m.id)) return;
    r.messages.set(m.id, m);
    r.typing.delete(fold(m.from));
    if (m.room !== this.current) r.unread++;
    this.render();
  }

  onUsers(e) {
    const r = this.rooms.get(e.room);
    if (!r) return;
    r.users = e.users;
    if (e.room === this.current) this.renderUsers();
    else this.renderRooms();
  }

  onTyping(e) {
    const r = this.rooms.get(e.room);
    if (!r) return;
    const k = fold(e.from);
    clearTimeout(r.typing.get(k)?.timer);
    if (e.typing) {
      const timer = setTimeout(() => {
        r.typing.delete(k);
        this.renderTyping();
      }, TYPING_SHOWN_MS);
      r.typing.set(k, { name: e.from, private: e.to !== null, timer });
    } else {
      r.typing.delete(k);
    }
    if (e.room === this.current) this.renderTyping();
  }

  note(room, text) {
    const r = this.rooms.get(room);
    if (!r) return;
    r.notes.push({ text, at: Date.now(), after: this.lastId(r) });
    if (room === this.current) this.renderLog();
  }

  lastId(r) {
    let last = 0;
    for (const id of r.messages.keys()) last = Math.max(last, Number(id));
    return last;
  }

  send() {
    const raw = this.input.value;
    if (!raw.trim()) return;
    if (!this.identity) return;
    const item = { id: newId(), room: this.current, text: raw, to: this.recipient, tries: 0 };
    this.outbox.push(item);
    this.save("outbox", this.outbox);
    this.input.value = "";
    this.autosize();
    this.stopTyping();
    this.render();
    if (this.joined) this.deliver(item);
  }

  // Sends every waiting message, in order, once joined.
  flush() {
    for (const item of this.outbox) if (!item.inFlight) this.deliver(item);
  }

  async deliver(item) {
    if (item.inFlight || !this.joined) return;
    item.inFlight = true;
    item.tries++;
    const payload = { room: item.room, text: item.text, id: item.id };
    if (item.to) payload.to = item.to;
    let ack;
    try {
      ack = await this.call("message", payload);
    } catch {
      // No ack (connection dropped, or slow): keep it; the same id is sent again after the
      // reconnect, or now if still connected, and the server stores it once.
      item.inFlight = false;
      if (this.joined && item.tries < 5) this.deliver(item);
      return;
    }
    item.inFlight = false;
    if (ack.ok) {
      if (this.errorKind === "rate_limited") this.showError(null);
      this.dropFromOutbox(item);
      this.onMessage(ack.message);
      return;
    }
    const code = ack.error.code;
    if (code === "rate_limited") {
      this.showError(`Slow down: you can send again in ${Math.ceil(ack.error.retry_after_ms / 1000)} s. Your message will go out then.`, code);
      setTimeout(() => this.deliver(item), ack.error.retry_after_ms + 50);
      return;
    }
    if (code === "not_joined" && this.joined) {
      // The server lost our room (a restart): join again, then it goes out.
      this.joinedRooms.delete(item.room);
      if (await this.joinRoom(item.room)) this.deliver(item);
      return;
    }
    this.dropFromOutbox(item);
    this.showError(this.describe(ack.error, item));
    if (!this.input.value && item.room === this.current) {
      this.input.value = item.to ? `@${item.to} ${item.text}` : item.text;
      this.autosize();
    }
  }

  dropFromOutbox(item) {
    this.outbox = this.outbox.filter((o) => o.id !== item.id);
    this.save("outbox", this.outbox.map(({ inFlight, ...rest }) => rest));
    this.render();
  }

  describe(error, item) {
    if (error.code === "unknown_recipient" && item) {
      const m = /^@(\S+) /.exec(item.text);
      const who = item.to ?? m?.[1];
      if (who) return `There is nobody called “${who}” in this room.`;
    }
    return ERRORS[error.code] ?? error.message ?? "Something went wrong.";
  }

  showError(text, kind = null) {
    this.errorKind = text ? kind : null;
    this.errorEl.hidden = !text;
    this.errorText.textContent = text ?? "";
  }

  // ---- Typing ----

  onKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.send();
    } else if (e.key === "Escape" && this.recipient) {
      this.setRecipient(null);
    }
  }

  onInput() {
    this.autosize();
    if (!this.joined) return;
    const now = Date.now();
    if (!this.typingSince || now - this.typingSince > TYPING_IDLE_MS - 500) {
      this.typingSince = now;
      this.emitTyping(true);
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingTimer);
    if (this.typingSince) this.emitTyping(false);
    this.typingSince = 0;
  }

  emitTyping(typing) {
    if (!this.socket?.connected || !this.joined) return;
    const p = { room: this.current, typing };
    if (this.recipient) p.to = this.recipient;
    this.socket.emit("typing", p);
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 128)}px`;
  }

  setRecipient(name) {
    this.recipient = name;
    this.renderComposer();
    this.toggleMenu(false);
    this.input.focus();
  }

  // ---- Rendering (textContent only for anything people typed) ----

  render() {
    const named = !!this.identity;
    this.welcomeEl.hidden = named;
    this.appEl.hidden = !named;
    this.signOutBtn.hidden = !named;
    this.offlineEl.hidden = !named || this.socket?.connected !== false;
    this.meEl.textContent = named ? `as ${this.identity.name}` : "";
    this.titleEl.textContent = named ? `# ${this.current}` : "Kibitz chat";
    if (!named) return;
    this.renderRooms();
    this.renderUsers();
    this.renderLog();
    this.renderTyping();
    this.renderComposer();
  }

  renderRooms() {
    const items = [...this.rooms.entries()].map(([name, r]) => {
      const start = this.getAttribute("room") || "lobby";
      const btn = h("button", { class: "room-btn", type: "button", "aria-current": String(name === this.current), onclick: () => this.switchRoom(name) },
        h("span", { class: "label", text: `# ${name}` }),
        r.unread ? h("span", { class: "badge", "aria-label": `${r.unread} unread`, text: String(r.unread) }) : null);
      const leave = name === start ? null : h("button", { class: "leave", type: "button", "aria-label": `Leave ${name}`, title: `Leave ${name}`, onclick: () => this.leaveRoom(name) }, "×");
      return h("li", { class: "room-item" }, btn, leave);
    });
    this.roomsList.replaceChildren(...items);
  }

  renderUsers() {
    const r = this.room(this.current);
    this.usersTitle.textContent = `People here · ${r.users.length}`;
    const me = this.identity && fold(this.identity.name);
    this.usersList.replaceChildren(...r.users.map((name) => {
      const mine = fold(name) === me;
      const btn = h("button", { class: "user-btn", type: "button", disabled: mine, title: mine ? "You" : `Whisper to ${name}`,
        "aria-label": mine ? `${name} (you)` : `Whisper to ${name}`, onclick: () => this.setRecipient(name) },
        h("span", { class: "dot" }), h("span", { class: "label", text: name }), mine ? h("span", { class: "you", text: "you" }) : null);
      return h("li", {}, btn);
    }));
  }

  renderLog() {
    const r = this.room(this.current);
    const atBottom = this.logEl.scrollHeight - this.logEl.scrollTop - this.logEl.clientHeight < 40;
    const msgs = [...r.messages.values()].sort((a, b) => Number(a.id) - Number(b.id));
    const nodes = [];
    let day = null;
    let noteIdx = 0;
    const notes = r.notes.slice(-20);
    const pushNotes = (upTo) => {
      while (noteIdx < notes.length && notes[noteIdx].after <= upTo) {
        nodes.push(h("div", { class: "day", text: notes[noteIdx].text }));
        noteIdx++;
      }
    };
    for (const m of msgs) {
      pushNotes(Number(m.id) - 1);
      const d = dayOf(m.ts);
      if (d !== day) {
        day = d;
        nodes.push(h("div", { class: "day", text: d }));
      }
      nodes.push(this.messageNode(m, false));
    }
    pushNotes(Infinity);
    for (const o of this.outbox.filter((x) => x.room === this.current)) {
      nodes.push(this.messageNode({ from: this.identity.name, to: o.to, text: o.text, ts: Date.now(), pending: true }, true));
    }
    if (!nodes.length) nodes.push(h("p", { class: "empty", text: "No messages yet. Say hello!" }));
    this.logEl.replaceChildren(...nodes);
    if (atBottom || msgs.length + this.outbox.length < 30) this.logEl.scrollTop = this.logEl.scrollHeight;
  }

  messageNode(m, pending) {
    const me = fold(this.identity.name);
    const mine = fold(m.from) === me;
    const cls = ["msg", mine ? "mine" : "", m.to ? "private" : "", pending ? "pending" : ""].filter(Boolean).join(" ");
    const meta = h("div", { class: "meta" }, h("span", { class: "from", text: m.from }));
    if (m.to) meta.append(h("span", { class: "tag", text: mine ? `→ ${m.to} · private` : "→ you · private" }));
    meta.append(h("time", { datetime: new Date(m.ts).toISOString(), text: pending ? "sending…" : timeOf(m.ts) }));
    const node = h("div", { class: cls, "data-id": m.id ?? "" }, meta, h("div", { class: "text", text: m.text }));
    return node;
  }

  renderTyping() {
    const r = this.room(this.current);
    const names = [...r.typing.values()].map((t) => (t.private ? `${t.name} (to you)` : t.name));
    this.typingEl.textContent = names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.slice(0, 3).join(", ")} are typing…`;
  }

  renderComposer() {
    if (!this.recipient) {
      this.toEl.hidden = true;
      this.toEl.replaceChildren();
      this.input.placeholder = `Message #${this.current} — @name to whisper`;
      return;
    }
    this.toEl.hidden = false;
    this.toEl.replaceChildren(h("span", { text: `Private to ${this.recipient}` }),
      h("button", { type: "button", "aria-label": "Send to everyone instead", onclick: () => this.setRecipient(null) }, "× everyone"));
    this.input.placeholder = `Whisper to ${this.recipient}`;
  }
}

if (!customElements.get("kibitz-chat")) customElements.define("kibitz-chat", KibitzChat);
