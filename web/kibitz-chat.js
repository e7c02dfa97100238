// <kibitz-chat server="https://host" room="lobby">: the Kibitz chat as a Web Component.
//
// Any page embeds it with two lines:
//   <script type="module" src="https://host/kibitz-chat.js"></script>
//   <kibitz-chat server="https://host" room="lobby"></kibitz-chat>
// `server` defaults to the origin this script came from, `room` to "lobby"; `name` suggests a
// name for the name form; `join-as` joins with that name at once, without the form (a host page
// that already knows the person's name: the chess page passes the player's), the form coming
// back only if the name is refused; `max-messages` bounds the messages the log holds per room (500). It
// speaks the /chat namespace of PROTOCOL.md with the official socket.io-client, loaded from the
// server at /socket.io/socket.io.esm.min.js.
//
// The modules: web/chat-client.js (ChatClient: socket, outbox, rooms, users, messages, typing;
// an EventTarget without DOM, with its room windows in chat-window.js and names in chat-names.js),
// web/chat-view.js (MessageLog: the log, appended to node by node and bounded) and this file (the
// element: the frame, the forms, the lists, localStorage). Everything people type is shown with
// textContent, never as HTML. The name and its token stay in localStorage, so a reload keeps the
// name (take-over).

import { ChatClient, ERRORS, MAX_MESSAGES, ROOM_RE, foldName } from "./chat-client.js";
import { MessageLog, h } from "./chat-view.js";
import { HELP_TEXT, parseCommand } from "./chat-text.js";

// The layout for a narrow chat: a small screen, or a narrow box on a wide one (the chess page's
// side column): the rooms and people behind a menu button.
const NARROW = `
  .app { grid-template-columns: 1fr; position: relative; }
  .menu-btn { display: inline-block; }
  aside { position: absolute; inset: 0 25% 0 0; z-index: 2; box-shadow: 0 0 0 100vmax rgba(0,0,0,.35); display: none; }
  .app.menu-open aside { display: flex; }
  header .me, header .sign-out { display: none; }
  .side-name { display: flex; }
  .msg { max-width: 96%; }
`;

const STYLE = `
:host { container-type: inline-size; --kc-bg: var(--bg, #f6f5f2); --kc-fg: var(--fg, #1d1d1f); --kc-muted: var(--muted, #6b6b70);
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
.log { flex: 1; overflow-y: auto; overflow-anchor: none; padding: .8rem .9rem; display: flex; flex-direction: column; gap: .35rem; }
.log .list { display: contents; }
.log .more { align-self: center; background: none; border: 1px solid var(--kc-border); border-radius: 999px; padding: .15rem .7rem; font-size: .8rem; color: var(--kc-muted); }
.log[aria-busy="true"] .more { opacity: .55; }
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
.msg .meta .actions { margin-left: auto; display: none; gap: .3rem; }
.msg.mine:hover .actions, .msg.mine:focus-within .actions { display: inline-flex; }
.act { background: none; border: 0; padding: 0 .15rem; font-size: .75rem; color: var(--kc-muted); text-decoration: underline; }
.act.delete[data-confirm] { color: var(--kc-danger); font-weight: 600; }
.msg .edited { font-style: italic; }
.msg.deleted .text.gone { color: var(--kc-muted); font-style: italic; }
.msg.action .text { font-style: italic; }
.msg.mentioned { border-color: var(--kc-accent); box-shadow: inset 3px 0 0 var(--kc-accent); }
.msg.ignored { font-size: .82rem; color: var(--kc-muted); background: none; border-style: dotted; }
.msg .text a { color: var(--kc-accent); }
.link-btn { background: none; border: 0; padding: 0; color: var(--kc-accent); text-decoration: underline; font-size: inherit; }
.badge.mention { background: var(--kc-danger); }
.banner.info { background: color-mix(in srgb, var(--kc-accent) 10%, var(--kc-card)); }
.user-item { display: flex; position: relative; }
.user-more { background: none; border: 0; color: var(--kc-muted); padding: 0 .3rem; }
.user-menu { position: absolute; right: 0; top: 100%; z-index: 3; background: var(--kc-card); border: 1px solid var(--kc-border); border-radius: 8px; padding: .2rem; display: grid; }
.user-menu button { background: none; border: 0; text-align: left; padding: .3rem .6rem; border-radius: 6px; white-space: nowrap; }
.user-menu button:hover { background: color-mix(in srgb, var(--kc-accent) 10%, transparent); }
.ignored-tag { color: var(--kc-muted); font-size: .75rem; }
.side-name { display: none; align-items: center; gap: .5rem; margin-top: .6rem; font-size: .85rem; }
.side-me { margin: 0; flex: 1; color: var(--kc-muted); }
.settings label { display: flex; gap: .4rem; align-items: flex-start; font-size: .82rem; color: var(--kc-muted); }
.to.editing { color: var(--kc-accent); }
.day { align-self: center; font-size: .75rem; color: var(--kc-muted); margin: .4rem 0; }
.typing { min-height: 1.4rem; padding: 0 .9rem; font-size: .82rem; color: var(--kc-muted); font-style: italic; }
.composer { border-top: 1px solid var(--kc-border); padding: .6rem .75rem; display: grid; gap: .4rem; }
.to { display: flex; gap: .4rem; align-items: center; font-size: .85rem; color: var(--kc-private); }
.to button { background: none; border: 1px solid currentColor; color: inherit; border-radius: 999px; padding: 0 .5rem; font-size: .8rem; }
.row { display: flex; gap: .5rem; align-items: flex-end; }
.row textarea { flex: 1; resize: none; max-height: 8rem; }
@media (max-width: 40rem) { ${NARROW} }
@container (max-width: 40rem) { ${NARROW} }
`;

const TYPING_IDLE_MS = 3000;

// localStorage under keys per server, so one page can embed chats of several servers.
function localStore(server) {
  const key = (what) => `kibitz-chat:${server}:${what}`;
  return {
    load(what, fallback) {
      try {
        const v = localStorage.getItem(key(what));
        return v === null ? fallback : JSON.parse(v);
      } catch {
        return fallback;
      }
    },
    save(what, value) {
      try {
        if (value === undefined) localStorage.removeItem(key(what));
        else localStorage.setItem(key(what), JSON.stringify(value));
      } catch {
        // Private mode or a full quota: the chat still works, a reload just forgets.
      }
    },
  };
}

// The header's name for a room: a game's room (`game:<id>`, the chess page's) is "Game chat".
const roomTitle = (room) => (room.startsWith("game:") ? "Game chat" : `# ${room}`);

class KibitzChat extends HTMLElement {
  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    this.recipient = null;
  }

  get server() {
    return this.getAttribute("server") || new URL(import.meta.url).origin;
  }

  get startRoom() {
    const r = this.getAttribute("room") || "lobby";
    return ROOM_RE.test(r) ? r : "lobby";
  }

  // `max-messages`: how many messages of a room the log holds (20 to 5000, else 500).
  get maxMessages() {
    const n = Number(this.getAttribute("max-messages"));
    return Number.isInteger(n) && n >= 20 && n <= 5000 ? n : MAX_MESSAGES;
  }

  connectedCallback() {
    if (this.frame) return;
    this.store = localStore(this.server);
    this.client = new ChatClient({ storage: this.store, startRoom: this.startRoom, maxMessages: this.maxMessages });
    if (this.getAttribute("join-as")) this.client.useName(this.getAttribute("join-as"));
    this.baseTitle = document.title;
    this.onVisibility = () => {
      this.client.setVisible(document.visibilityState !== "hidden");
      this.updateTitle();
    };
    document.addEventListener("visibilitychange", this.onVisibility);
    this.client.setVisible(document.visibilityState !== "hidden");
    this.build();
    this.listen();
    this.connect();
    this.render();
  }

  disconnectedCallback() {
    this.socket?.disconnect();
    document.removeEventListener("visibilitychange", this.onVisibility);
  }

  get current() {
    return this.client.current;
  }

  // ---- Building the UI (once) ----

  build() {
    if (this.root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
      const s = new CSSStyleSheet();
      s.replaceSync(STYLE);
      this.root.adoptedStyleSheets = [s];
    } else {
      this.root.append(h("style", { text: STYLE }));
    }
    const header = this.buildHeader();
    this.offlineEl = h("div", { class: "banner offline", role: "alert", hidden: true }, h("span", { text: "Connection lost. Reconnecting… your messages will be sent when it is back." }));
    this.errorText = h("span");
    this.errorEl = h("div", { class: "banner error", role: "alert", hidden: true }, this.errorText,
      h("button", { type: "button", "aria-label": "Dismiss", onclick: () => this.showError(null) }, "×"));
    this.infoText = h("span");
    this.infoUndo = h("button", { type: "button", class: "link-btn" }, "Undo");
    this.infoEl = h("div", { class: "banner info", role: "status", hidden: true }, this.infoText, this.infoUndo,
      h("button", { type: "button", "aria-label": "Dismiss", onclick: () => this.showInfo(null) }, "×"));
    this.welcomeEl = this.buildWelcome();
    this.appEl = h("div", { class: "app" }, this.buildAside(), this.buildMain());
    this.appEl.addEventListener("keydown", (e) => { if (e.key === "Escape") this.toggleMenu(false); });
    this.frame = h("div", { class: "frame", part: "frame" }, header, this.offlineEl, this.errorEl, this.infoEl, this.welcomeEl, this.appEl);
    this.root.append(this.frame);
  }

  buildHeader() {
    this.statusEl = h("span", { class: "status", role: "status" });
    this.meEl = h("span", { class: "me" });
    this.titleEl = h("h2");
    this.menuBtn = h("button", { class: "icon-btn menu-btn", type: "button", "aria-label": "Rooms and people", "aria-expanded": "false", onclick: () => this.toggleMenu() }, "☰");
    this.signOutBtn = h("button", { class: "icon-btn sign-out", type: "button", onclick: () => this.signOut() }, "Change name");
    return h("header", {}, this.menuBtn, this.titleEl, this.meEl, this.statusEl, this.signOutBtn);
  }

  buildWelcome() {
    this.nameInput = h("input", { class: "field", name: "name", autocomplete: "nickname", maxlength: "64", placeholder: "Your name", "aria-label": "Your name", required: true });
    // A host page may suggest a name (the chess page passes the player's); it is only a default.
    if (this.getAttribute("name")) this.nameInput.value = this.getAttribute("name");
    this.nameBtn = h("button", { class: "primary", type: "submit" }, "Join the chat");
    return h("div", { class: "welcome" },
      h("form", { onsubmit: (e) => { e.preventDefault(); this.pickName(); } },
        h("h3", { text: "Pick a name" }),
        h("p", { text: "Letters of any script, digits, _ - . (up to 24). Everyone in the room sees it." }),
        this.nameInput, this.nameBtn));
  }

  buildAside() {
    this.roomsList = h("ul", { "aria-label": "Your rooms" });
    this.roomInput = h("input", { class: "field", placeholder: "room name", "aria-label": "Create or join a room", maxlength: "64", autocapitalize: "none", spellcheck: "false" });
    const roomForm = h("form", { class: "room-form", onsubmit: (e) => { e.preventDefault(); this.openRoomFromInput(); } },
      this.roomInput, h("button", { type: "submit" }, "Join"));
    this.usersList = h("ul", { "aria-label": "People in this room" });
    this.usersTitle = h("h3", { text: "People" });
    this.notifyBox = h("input", { type: "checkbox", name: "notify", onchange: () => this.setNotify(this.notifyBox.checked) });
    this.notifyBox.checked = this.store.load("notify", true);
    // In a narrow chat the header has no room for the name and "Change name": both are here.
    this.sideMe = h("p", { class: "side-me" });
    const settings = h("section", { class: "settings" }, h("h3", { text: "Settings" }),
      h("label", {}, this.notifyBox, h("span", { text: "Notify me of mentions and private messages while this tab is hidden" })),
      h("div", { class: "side-name" }, this.sideMe, h("button", { class: "icon-btn", type: "button", onclick: () => this.signOut() }, "Change name")));
    return h("aside", {}, h("section", {}, h("h3", { text: "Rooms" }), this.roomsList, roomForm), h("section", {}, this.usersTitle, this.usersList), settings);
  }

  buildMain() {
    this.logEl = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
    this.log = new MessageLog(this.logEl, this.client, () => this.client.identity?.name ?? "", (kind, m) => this.onMessageAction(kind, m));
    this.typingEl = h("div", { class: "typing", "aria-live": "polite" });
    this.toEl = h("div", { class: "to", hidden: true });
    this.input = h("textarea", { class: "field", rows: "1", placeholder: "Message — @name to whisper", "aria-label": "Message", maxlength: "4000",
      onkeydown: (e) => this.onKey(e), oninput: () => this.onInput() });
    this.sendBtn = h("button", { class: "primary", type: "submit" }, "Send");
    const composer = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.send(); } },
      this.toEl, h("div", { class: "row" }, this.input, this.sendBtn));
    return h("main", {}, this.logEl, this.typingEl, composer);
  }

  // ---- The client's events ----

  listen() {
    const on = (type, fn) => this.client.addEventListener(type, (e) => fn(e.detail));
    const here = (fn) => (d) => { if (this.client.identity && d.room === this.current) fn(d); };
    on("connection", ({ online }) => this.setOnline(online));
    on("identity", () => this.render());
    on("rooms", () => {
      this.updateTitle();
      if (!this.client.identity) return;
      if (this.log.room !== this.current) this.render(); // the current room was forgotten
      else this.renderRooms();
    });
    on("users", here(() => this.renderUsers()));
    on("log", here((d) => this.log.apply(d)));
    on("note", here((d) => this.log.addNote(d.note)));
    on("outbox", here(() => this.log.showPending()));
    on("typing", here(() => this.renderTyping()));
    on("error", (d) => this.onError(d));
    on("notify", (d) => this.notify(d));
    on("ignored", () => {
      if (!this.client.identity) return;
      this.renderUsers();
      this.renderTyping();
      this.log.show(this.current);
    });
    on("name-refused", ({ name }) => {
      this.nameInput.value = name;
      this.nameInput.focus();
    });
  }

  onError({ text, item }) {
    this.showError(text);
    if (item && !this.input.value && item.room === this.current) {
      this.input.value = item.to ? `@${item.to} ${item.text}` : item.text;
      this.autosize();
    }
  }

  async connect() {
    let io;
    try {
      ({ io } = await import(new URL("/socket.io/socket.io.esm.min.js", this.server).href));
    } catch {
      this.showError("Could not load the chat client from the server.");
      this.setOnline(false);
      return;
    }
    this.socket = io(new URL("/chat", this.server).href, { transports: ["websocket", "polling"], reconnectionDelayMax: 4000 });
    this.client.attach(this.socket);
  }

  setOnline(online) {
    this.statusEl.textContent = online ? "Connected" : "Offline";
    this.statusEl.className = `status ${online ? "online" : "offline"}`;
    this.offlineEl.hidden = online || !this.client.identity;
    this.frame.dataset.state = online ? "online" : "offline";
  }

  async pickName() {
    const name = this.nameInput.value.trim();
    if (!name) return;
    this.nameBtn.disabled = true;
    const res = await this.client.pickName(name);
    this.nameBtn.disabled = false;
    if (res.ok) {
      this.input.focus();
      this.askNotifyOnce();
    }
    else if (res.error.code === "offline") this.showError(res.error.message);
  }

  signOut() {
    this.recipient = null;
    this.client.signOut();
    this.render();
    this.nameInput.focus();
  }

  async openRoomFromInput() {
    const name = this.roomInput.value.trim().toLowerCase();
    if (!ROOM_RE.test(name)) {
      this.showError(ERRORS.room_invalid);
      return;
    }
    this.roomInput.value = "";
    const open = this.client.openRoom(name);
    this.afterSwitch();
    await open;
  }

  switchRoom(name) {
    this.client.switchRoom(name);
    this.afterSwitch();
  }

  afterSwitch() {
    this.recipient = null;
    this.toggleMenu(false);
    this.render();
    this.input.focus();
  }

  toggleMenu(open) {
    const next = open ?? !this.appEl.classList.contains("menu-open");
    this.appEl.classList.toggle("menu-open", next);
    this.menuBtn.setAttribute("aria-expanded", String(next));
  }

  showError(text) {
    this.errorEl.hidden = !text;
    this.errorText.textContent = text ?? "";
  }

  // ---- The composer ----

  send() {
    const raw = this.input.value;
    if (!raw.trim() || !this.client.identity) return;
    if (this.editing) return this.saveEdit(raw);
    const cmd = parseCommand(raw);
    if (cmd.kind === "error") return this.showError(cmd.text);
    this.showError(null);
    if (cmd.kind === "send") this.client.send(this.current, cmd.text, this.recipient, { action: !!cmd.action });
    else if (cmd.kind === "msg") this.client.send(this.current, cmd.text, cmd.to);
    else if (cmd.kind === "join") {
      if (!ROOM_RE.test(cmd.room)) return this.showError(ERRORS.room_invalid);
      this.client.openRoom(cmd.room);
      this.afterSwitch();
    } else if (cmd.kind === "leave") {
      if (this.current === this.client.startRoom) return this.showError(`You cannot leave #${this.current}; /join another room instead.`);
      this.leaveRoom(this.current);
    } else if (cmd.kind === "help") this.log.addNote({ text: HELP_TEXT });
    this.input.value = "";
    this.autosize();
    this.stopTyping();
  }

  onKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.send();
    } else if (e.key === "Escape" && this.editing) {
      this.stopEditing();
    } else if (e.key === "Escape" && this.recipient) {
      this.setRecipient(null);
    } else if (e.key === "ArrowUp" && !this.input.value && !this.editing) {
      const me = foldName(this.client.identity?.name ?? "");
      const last = this.client.room(this.current).messages.findLast((m) => !m.deleted && foldName(m.from) === me);
      if (last) {
        e.preventDefault();
        this.startEditing(last);
      }
    }
  }

  // ---- Editing and deleting the user's own messages ----

  onMessageAction(kind, m) {
    if (kind === "edit") this.startEditing(m);
    else if (kind === "delete") this.client.remove(m.room, m.id);
  }

  startEditing(m) {
    this.editing = { id: m.id, room: m.room };
    this.input.value = m.text;
    this.renderComposer();
    this.autosize();
    this.input.focus();
  }

  stopEditing() {
    this.editing = null;
    this.input.value = "";
    this.autosize();
    this.renderComposer();
  }

  async saveEdit(text) {
    const { id, room } = this.editing;
    this.sendBtn.disabled = true;
    const ack = await this.client.edit(room, id, text);
    this.sendBtn.disabled = false;
    if (ack.ok) this.stopEditing();
  }

  // ---- Ignoring people ----

  setIgnored(name, ignored) {
    this.client.setIgnored(name, ignored);
    if (ignored) this.showInfo(`You ignore ${name}: their messages and typing are hidden.`, () => this.setIgnored(name, false));
    else this.showInfo(null);
  }

  showInfo(text, undo) {
    this.infoEl.hidden = !text;
    this.infoText.textContent = text ?? "";
    this.infoUndo.hidden = !undo;
    this.infoUndo.onclick = () => {
      undo?.();
      this.showInfo(null);
    };
  }

  // ---- Notifications and the title ----

  setNotify(on) {
    this.store.save("notify", on);
    if (on) this.askNotify();
  }

  askNotifyOnce() {
    if (this.store.load("notify-asked", false)) return;
    this.store.save("notify-asked", true);
    if (this.notifyBox.checked) this.askNotify();
  }

  askNotify() {
    if (typeof Notification === "undefined" || Notification.permission !== "default") return;
    try {
      Notification.requestPermission()?.catch?.(() => {});
    } catch {
      // Old browsers take a callback; no notifications there is fine.
    }
  }

  notify({ room, message, reason }) {
    if (!this.notifyBox.checked || typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const title = reason === "private" ? `${message.from} (private)` : `${message.from} mentioned you in #${room}`;
    const body = message.action ? `* ${message.from} ${message.text}` : message.text;
    try {
      const n = new Notification(title, { body: body.slice(0, 200), tag: `kibitz-chat-${message.id}` });
      n.onclick = () => {
        window.focus();
        this.switchRoom(room);
        n.close();
      };
    } catch {
      // A browser that only notifies from a service worker: the title still counts.
    }
  }

  updateTitle() {
    if (this.hasAttribute("no-title")) return;
    const { unread, mentions } = this.client.totals();
    const badge = unread ? (mentions ? `(${unread} · ${mentions} @) ` : `(${unread}) `) : "";
    document.title = badge + this.baseTitle;
  }

  onInput() {
    this.autosize();
    if (!this.client.joined) return;
    const now = Date.now();
    if (!this.typingSince || now - this.typingSince > TYPING_IDLE_MS - 500) {
      this.typingSince = now;
      this.client.setTyping(this.current, true, this.recipient);
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingTimer);
    if (this.typingSince) this.client.setTyping(this.current, false, this.recipient);
    this.typingSince = 0;
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
    const identity = this.client.identity;
    this.welcomeEl.hidden = !!identity;
    this.appEl.hidden = !identity;
    this.signOutBtn.hidden = !identity;
    this.offlineEl.hidden = !identity || this.client.online || !this.socket;
    this.meEl.textContent = identity ? `as ${identity.name}` : "";
    this.sideMe.textContent = this.meEl.textContent;
    this.titleEl.textContent = identity ? roomTitle(this.current) : "Kibitz chat";
    if (!identity) return;
    this.renderRooms();
    this.renderUsers();
    this.log.show(this.current);
    this.renderTyping();
    this.renderComposer();
  }

  renderRooms() {
    this.titleEl.textContent = roomTitle(this.current);
    const items = [...this.client.rooms.values()].map((r) => {
      const btn = h("button", { class: "room-btn", type: "button", "aria-current": String(r.name === this.current), onclick: () => this.switchRoom(r.name) },
        h("span", { class: "label", text: `# ${r.name}` }),
        r.mentions ? h("span", { class: "badge mention", "aria-label": `${r.mentions} mentioning you`, text: `@${r.mentions}` }) : null,
        r.unread ? h("span", { class: "badge", "aria-label": `${r.unread} unread`, text: String(r.unread) }) : null);
      const leave = r.name === this.client.startRoom ? null
        : h("button", { class: "leave", type: "button", "aria-label": `Leave ${r.name}`, title: `Leave ${r.name}`, onclick: () => this.leaveRoom(r.name) }, "×");
      return h("li", { class: "room-item" }, btn, leave);
    });
    this.roomsList.replaceChildren(...items);
  }

  async leaveRoom(name) {
    const wasCurrent = name === this.current;
    await this.client.leaveRoom(name);
    if (wasCurrent) this.render();
  }

  renderUsers() {
    const users = this.client.room(this.current).users;
    this.usersTitle.textContent = `People here · ${users.length}`;
    const me = foldName(this.client.identity.name);
    this.usersList.replaceChildren(...users.map((name) => {
      const mine = foldName(name) === me;
      const btn = h("button", { class: "user-btn", type: "button", disabled: mine, title: mine ? "You" : `Whisper to ${name}`,
        "aria-label": mine ? `${name} (you)` : `Whisper to ${name}`, onclick: () => this.setRecipient(name) },
        h("span", { class: "dot" }), h("span", { class: "label", text: name }), mine ? h("span", { class: "you", text: "you" }) : null,
        !mine && this.client.isIgnored(name) ? h("span", { class: "ignored-tag", text: "ignored" }) : null);
      return h("li", { class: "user-item" }, btn, mine ? null : this.userMenuButton(name));
    }));
  }

  // The ⋯ menu of a person in the list: ignore them, or stop.
  userMenuButton(name) {
    const more = h("button", { class: "user-more", type: "button", "aria-haspopup": "menu", "aria-label": `More for ${name}`, title: `More for ${name}` }, "⋯");
    more.addEventListener("click", () => {
      const open = more.parentElement.querySelector(".user-menu");
      for (const m of this.usersList.querySelectorAll(".user-menu")) m.remove();
      if (open) return;
      const ignored = this.client.isIgnored(name);
      const item = h("button", { type: "button", role: "menuitem", onclick: () => this.setIgnored(name, !ignored) }, ignored ? `Stop ignoring ${name}` : `Ignore ${name}`);
      more.after(h("div", { class: "user-menu", role: "menu" }, item));
      item.focus();
    });
    return more;
  }

  renderTyping() {
    const names = this.client.typingIn(this.current).map((t) => (t.private ? `${t.name} (to you)` : t.name));
    this.typingEl.textContent = names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.slice(0, 3).join(", ")} are typing…`;
  }

  renderComposer() {
    this.toEl.classList.toggle("editing", !!this.editing);
    if (this.editing) {
      this.toEl.hidden = false;
      this.toEl.replaceChildren(h("span", { text: "Editing your message · Enter saves, Esc cancels" }),
        h("button", { type: "button", "aria-label": "Cancel the edit", onclick: () => this.stopEditing() }, "× cancel"));
      this.input.placeholder = "Edit your message";
      this.sendBtn.textContent = "Save";
      return;
    }
    this.sendBtn.textContent = "Send";
    if (!this.recipient) {
      this.toEl.hidden = true;
      this.toEl.replaceChildren();
      this.input.placeholder = this.current.startsWith("game:") ? "Message the game"
        : `Message #${this.current} — @name to whisper, /help for commands`;
      return;
    }
    this.toEl.hidden = false;
    this.toEl.replaceChildren(h("span", { text: `Private to ${this.recipient}` }),
      h("button", { type: "button", "aria-label": "Send to everyone instead", onclick: () => this.setRecipient(null) }, "× everyone"));
    this.input.placeholder = `Whisper to ${this.recipient}`;
  }
}

if (!customElements.get("kibitz-chat")) customElements.define("kibitz-chat", KibitzChat);
