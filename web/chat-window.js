// The message window of one room for web/chat-client.js: at most `max` messages sorted by server
// id, with `hasEarlier` (older ones exist before it) and `hasLater` (newer ones exist after it).
// Pure functions on the room object; each answers the change for the `log` event, or null.

const byId = (a, b) => Number(a.id) - Number(b.id);

export function newRoom(name) {
  return { name, messages: [], ids: new Set(), users: [], typing: new Map(), unread: 0, mentions: 0, notes: [], hasEarlier: false, hasLater: false, loading: null };
}

// Replaces the message with `m.id` (an edit, or a deletion's tombstone) where the window holds
// it. Answers {kind: "update", messages: [m], dropped: {top: 0, bottom: 0}} or null.
export function replaceIn(r, m) {
  if (!r.ids.has(m.id)) return null;
  const i = r.messages.findIndex((x) => x.id === m.id);
  if (i < 0) return null;
  r.messages[i] = m;
  return { kind: "update", messages: [m], dropped: { top: 0, bottom: 0 } };
}

// Adds the messages of `list` that the window lacks. kind "append" when all come after the last
// one, "prepend" when all come before the first, else "reset"; then trims the window to `max` at
// the end away from the new ones. Answers {kind, messages, dropped: {top, bottom}} or null.
export function insertInto(r, list, max) {
  const fresh = list.filter((m) => !r.ids.has(m.id)).sort(byId);
  if (!fresh.length) return null;
  const first = r.messages[0];
  const last = r.messages.at(-1);
  let kind = "reset";
  if (!last || byId(fresh[0], last) > 0) kind = "append";
  else if (byId(fresh.at(-1), first) < 0) kind = "prepend";
  if (kind === "append") r.messages = r.messages.concat(fresh);
  else if (kind === "prepend") r.messages = fresh.concat(r.messages);
  else r.messages = r.messages.concat(fresh).sort(byId);
  for (const m of fresh) r.ids.add(m.id);
  return { kind, messages: fresh, dropped: trim(r, kind === "prepend" ? "bottom" : "top", max) };
}

function trim(r, side, max) {
  const over = r.messages.length - max;
  if (over <= 0) return { top: 0, bottom: 0 };
  const gone = side === "top" ? r.messages.splice(0, over) : r.messages.splice(-over, over);
  for (const m of gone) r.ids.delete(m.id);
  if (side === "top") r.hasEarlier = true;
  else r.hasLater = true;
  return side === "top" ? { top: over, bottom: 0 } : { top: 0, bottom: over };
}

// Merges the latest page of the room (`limit` asked for) into the window. If the page is full and
// starts after the window's last message, messages were missed in between (or the window shows
// older pages: hasLater): the window becomes that page, as a "reset".
export function mergeLatestInto(r, page, limit, max) {
  const list = [...page].sort(byId);
  const last = r.messages.at(-1);
  const gap = r.hasLater || (last && list.length >= limit && byId(list[0], last) > 0);
  if (last && !gap) return insertInto(r, list, max);
  const kept = list.slice(-max);
  r.hasLater = false;
  r.hasEarlier = list.length >= limit || kept.length < list.length;
  r.ids = new Set(kept.map((m) => m.id));
  r.messages = kept;
  return { kind: "reset", messages: kept, dropped: { top: 0, bottom: 0 } };
}
