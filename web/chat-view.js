// The message log of <kibitz-chat>: renders a ChatClient room window (web/chat-client.js) into a
// scrolling element, incrementally. New messages are appended as nodes, earlier pages prepended,
// and messages that leave the client's bounded window are removed from the top or the bottom, so
// the DOM holds at most the client's `maxMessages` message nodes per room. Only a room switch or a
// `reset` renders the whole window; an `update` replaces one message's node. Text is set with
// textContent, never parsed as HTML; links (http and https only) are <a> nodes built here.

import { foldName } from "./chat-client.js";
import { linkify } from "./chat-text.js";

// A tiny element builder: h("div", {class: "x"}, child, "text"). Strings become text nodes.
export function h(tag, props = {}, ...children) {
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

const timeOf = (ts) => new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const dayOf = (ts) => new Date(ts).toLocaleDateString([], { weekday: "short", month: "short", day: "numeric" });
const NEAR_PX = 120; // this close to an end of the log counts as there

export class MessageLog {
  // el: the scrolling .log element; client: the ChatClient; me(): the user's name;
  // onAction(kind, message): "edit" or "delete" chosen on one of the user's messages.
  constructor(el, client, me, onAction = () => {}) {
    this.el = el;
    this.client = client;
    this.me = me;
    this.onAction = onAction;
    this.revealed = new Set(); // ids of ignored people's messages shown anyway
    this.room = null;
    this.earlierBtn = h("button", { class: "more", type: "button", hidden: true, onclick: () => this.loadEarlier() }, "Earlier messages");
    this.list = h("div", { class: "list" });
    this.laterBtn = h("button", { class: "more", type: "button", hidden: true, onclick: () => this.loadLatest() }, "Jump to the latest messages");
    this.pendingBox = h("div", { class: "list pending-list" });
    el.append(this.earlierBtn, this.list, this.laterBtn, this.pendingBox);
    el.addEventListener("scroll", () => this.onScroll(), { passive: true });
  }

  atBottom() {
    return this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 40;
  }

  scrollToBottom() {
    this.el.scrollTop = this.el.scrollHeight;
  }

  onScroll() {
    if (!this.room) return;
    const r = this.client.rooms.get(this.room);
    if (!r) return;
    if (this.el.scrollTop < NEAR_PX && r.hasEarlier) this.loadEarlier();
    else if (r.hasLater && this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < NEAR_PX) this.loadLatest();
  }

  loadEarlier() {
    this.el.setAttribute("aria-busy", "true");
    this.client.loadEarlier(this.room).finally(() => this.el.removeAttribute("aria-busy"));
  }

  loadLatest() {
    this.el.setAttribute("aria-busy", "true");
    this.client.loadLatest(this.room).then(() => this.scrollToBottom()).finally(() => this.el.removeAttribute("aria-busy"));
  }

  // Renders the whole window of `room` (a room switch, or a `reset`), then the pending ones.
  show(room) {
    this.room = room;
    const r = this.client.rooms.get(room);
    const nodes = [];
    let day = null;
    let n = 0;
    const notes = r.notes;
    for (const m of r.messages) {
      while (n < notes.length && Number(notes[n].after) < Number(m.id)) {
        if (Number(notes[n].after) >= Number(r.messages[0].id)) nodes.push(this.noteNode(notes[n]));
        n++;
      }
      if (dayOf(m.ts) !== day) nodes.push(this.dayNode((day = dayOf(m.ts))));
      nodes.push(this.messageNode(m, false));
    }
    for (; n < notes.length; n++) if (!r.messages.length || Number(notes[n].after) >= Number(r.messages[0].id)) nodes.push(this.noteNode(notes[n]));
    this.lastDay = day;
    this.list.replaceChildren(...nodes);
    this.updateEmpty();
    this.showPending();
    this.updateButtons();
    this.scrollToBottom();
    // Too few to scroll: nothing would ever ask for more, so ask now.
    if (r.hasEarlier && this.el.scrollHeight <= this.el.clientHeight) this.loadEarlier();
  }

  // Applies a `log` event of the client for the room shown. The reader's place is kept: lines
  // added or removed above it move the scroll position by their height, unless the log was at the
  // bottom and the new messages came there.
  apply({ kind, messages, dropped }) {
    if (kind === "reset") return this.show(this.room);
    if (kind === "update") return this.update(messages);
    const stick = kind === "append" && this.atBottom();
    const top = this.el.scrollTop;
    let shift = 0;
    let height = this.el.scrollHeight;
    if (kind === "append") this.append(messages);
    else this.prepend(messages);
    if (kind === "prepend") shift += this.el.scrollHeight - height;
    height = this.el.scrollHeight;
    if (dropped.top) this.dropTop(dropped.top);
    shift -= height - this.el.scrollHeight;
    if (dropped.bottom) this.dropBottom(dropped.bottom);
    this.updateEmpty();
    this.updateButtons();
    if (stick) this.scrollToBottom();
    else this.el.scrollTop = top + shift;
  }

  // Replaces the nodes of `messages` (edited, or deleted) in place.
  update(messages) {
    for (const m of messages) {
      for (const node of this.list.children) {
        if (node.dataset.id === m.id) {
          node.replaceWith(this.messageNode(m, false));
          break;
        }
      }
    }
  }

  append(messages) {
    const frag = document.createDocumentFragment();
    for (const m of messages) {
      const d = dayOf(m.ts);
      if (d !== this.lastDay) frag.append(this.dayNode((this.lastDay = d)));
      frag.append(this.messageNode(m, false));
    }
    this.list.append(frag);
  }

  prepend(messages) {
    const frag = document.createDocumentFragment();
    let day = null;
    for (const m of messages) {
      const d = dayOf(m.ts);
      if (d !== day) frag.append(this.dayNode((day = d)));
      frag.append(this.messageNode(m, false));
    }
    const first = this.list.firstElementChild;
    if (first?.classList.contains("day") && first.dataset.day === day) first.remove();
    if (!this.list.querySelector(".msg")) this.lastDay = day;
    this.list.prepend(frag);
  }

  // Removes the first `n` message nodes and the lines before the next one, which gets its day line.
  dropTop(n) {
    while (n > 0 && this.list.firstElementChild) {
      const c = this.list.firstElementChild;
      if (c.classList.contains("msg")) n--;
      c.remove();
    }
    while (this.list.firstElementChild && !this.list.firstElementChild.classList.contains("msg")) this.list.firstElementChild.remove();
    const first = this.list.firstElementChild;
    if (first) first.before(this.dayNode(first.dataset.day));
  }

  // Removes the last `n` message nodes and the lines after them.
  dropBottom(n) {
    while (n > 0 && this.list.lastElementChild) {
      const c = this.list.lastElementChild;
      if (c.classList.contains("msg")) n--;
      c.remove();
    }
    while (this.list.lastElementChild && !this.list.lastElementChild.classList.contains("msg")) this.list.lastElementChild.remove();
    this.lastDay = this.list.lastElementChild?.dataset.day ?? null;
  }

  addNote(note) {
    if (this.client.rooms.get(this.room)?.hasLater) return; // older pages shown: it comes with the latest
    this.list.append(this.noteNode(note));
    this.updateEmpty();
    if (this.atBottom()) this.scrollToBottom();
  }

  // The messages still in the outbox, after every acked one.
  showPending() {
    const stick = this.atBottom();
    const name = this.me();
    const nodes = this.client.pending(this.room).map((o) => this.messageNode({ from: name, to: o.to, text: o.text, ts: Date.now() }, true));
    this.pendingBox.replaceChildren(...nodes);
    this.updateEmpty();
    if (stick || nodes.length) this.scrollToBottom();
  }

  updateEmpty() {
    const empty = this.list.querySelector(".empty");
    const has = this.list.querySelector(".msg, .note") || this.pendingBox.firstElementChild;
    if (has && empty) empty.remove();
    else if (!has && !empty) this.list.append(h("p", { class: "empty", text: "No messages yet. Say hello!" }));
  }

  updateButtons() {
    const r = this.client.rooms.get(this.room);
    this.earlierBtn.hidden = !r?.hasEarlier;
    this.laterBtn.hidden = !r?.hasLater;
  }

  dayNode(day) {
    return h("div", { class: "day", "data-day": day, text: day });
  }

  noteNode(note) {
    return h("div", { class: "day note", text: note.text });
  }

  messageNode(m, pending) {
    const mine = foldName(m.from) === foldName(this.me());
    const attrs = { "data-id": m.id ?? "", "data-day": dayOf(m.ts) };
    if (m.deleted) {
      return h("div", { class: `msg deleted${mine ? " mine" : ""}`, ...attrs },
        h("div", { class: "meta" }, h("span", { class: "from", text: m.from }), h("time", { datetime: new Date(m.ts).toISOString(), text: timeOf(m.ts) })),
        h("div", { class: "text gone", text: "This message was deleted." }));
    }
    if (!mine && !pending && this.client.isIgnored(m.from) && !this.revealed.has(m.id)) return this.ignoredNode(m, attrs);
    const mentioned = this.client.reasonFor(m) === "mention";
    const cls = ["msg", mine ? "mine" : "", m.to ? "private" : "", pending ? "pending" : "", m.action ? "action" : "", mentioned ? "mentioned" : ""].filter(Boolean).join(" ");
    const meta = h("div", { class: "meta" }, h("span", { class: "from", text: m.from }));
    if (m.to) meta.append(h("span", { class: "tag", text: mine ? `→ ${m.to} · private` : "→ you · private" }));
    meta.append(h("time", { datetime: new Date(m.ts).toISOString(), text: pending ? "sending…" : timeOf(m.ts) }));
    if (m.edited) meta.append(h("span", { class: "edited", title: `edited ${timeOf(m.edited)}`, text: "(edited)" }));
    if (mine && !pending && m.id) meta.append(this.actionsNode(m));
    const text = h("div", { class: "text" });
    if (m.action) text.append(`* ${m.from} `);
    text.append(...textNodes(m.text));
    return h("div", { class: cls, ...attrs }, meta, text);
  }

  // The Edit and Delete buttons of one of the user's messages; Delete asks once more.
  actionsNode(m) {
    const del = h("button", { type: "button", class: "act delete", "aria-label": "Delete this message" }, "Delete");
    del.addEventListener("click", () => {
      if (del.dataset.confirm) return this.onAction("delete", m);
      del.dataset.confirm = "1";
      del.textContent = "Really delete?";
      setTimeout(() => {
        delete del.dataset.confirm;
        del.textContent = "Delete";
      }, 4000);
    });
    return h("span", { class: "actions" },
      h("button", { type: "button", class: "act edit", "aria-label": "Edit this message", onclick: () => this.onAction("edit", m) }, "Edit"), del);
  }

  // A message of someone the user ignores: a note with "Show" and "Stop ignoring".
  ignoredNode(m, attrs) {
    return h("div", { class: "msg ignored", ...attrs },
      h("span", { text: `A message from ${m.from} is hidden (you ignore ${m.from}). ` }),
      h("button", { type: "button", class: "link-btn", onclick: (e) => { this.revealed.add(m.id); e.target.closest(".msg").replaceWith(this.messageNode(m, false)); } }, "Show"),
      " · ",
      h("button", { type: "button", class: "link-btn", onclick: () => this.client.setIgnored(m.from, false) }, `Stop ignoring ${m.from}`));
  }
}

// The nodes of a message text: text nodes, and links as <a> with rel="noopener noreferrer".
export function textNodes(text) {
  return linkify(String(text)).map((p) =>
    p.href ? h("a", { href: p.href, target: "_blank", rel: "noopener noreferrer", text: p.text }) : document.createTextNode(p.text));
}
