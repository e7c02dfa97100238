// What people type into the web chat and what it shows, as pure functions (no DOM): slash
// commands, and links in message text. Tested under node --test (tests/web/chat-text.test.mjs).

// The commands of the composer. Each answers an action for the element:
//   {kind: "send", text, action?}   send `text` (action: a `/me` message)
//   {kind: "msg", to, text}         a private message to `to`
//   {kind: "join", room} | {kind: "leave"} | {kind: "help"}
//   {kind: "error", text}           explain, send nothing (an unknown command, missing arguments)
export const COMMANDS = [
  { name: "me", usage: "/me text", help: "say what you do: * you text" },
  { name: "msg", usage: "/msg name text", help: "a private message to name" },
  { name: "join", usage: "/join room", help: "open a room (join it)" },
  { name: "leave", usage: "/leave", help: "leave this room" },
  { name: "help", usage: "/help", help: "this list" },
];

export const HELP_TEXT = `Commands: ${COMMANDS.map((c) => `${c.usage} (${c.help})`).join("; ")}. Start with // to send a text that begins with /.`;

// Parses what is in the composer. Text that does not start with "/" is sent as it is; "//x"
// sends "/x".
export function parseCommand(input) {
  const raw = String(input);
  if (!raw.startsWith("/")) return { kind: "send", text: raw };
  if (raw.startsWith("//")) return { kind: "send", text: raw.slice(1) };
  const m = /^\/(\S*)(?:\s+([\s\S]*))?$/.exec(raw);
  const name = (m?.[1] ?? "").toLowerCase();
  const rest = m?.[2] ?? "";
  switch (name) {
    case "me":
      return rest.trim() ? { kind: "send", text: rest, action: true } : usage("me");
    case "msg": {
      const parts = /^(\S+)\s+([\s\S]+)$/.exec(rest);
      if (!parts || !parts[2].trim()) return usage("msg");
      return { kind: "msg", to: parts[1].replace(/^@/, ""), text: parts[2] };
    }
    case "join": {
      const room = rest.trim().replace(/^#/, "").toLowerCase();
      return room && !/\s/.test(room) ? { kind: "join", room } : usage("join");
    }
    case "leave":
      return { kind: "leave" };
    case "help":
      return { kind: "help" };
    default:
      return { kind: "error", text: `There is no command “/${name}”. ${HELP_TEXT}` };
  }
}

function usage(name) {
  const c = COMMANDS.find((x) => x.name === name);
  return { kind: "error", text: `Usage: ${c.usage} (${c.help}).` };
}

// Splits `text` into parts to show: {text} for plain text and {text, href} for an http(s) link.
// A link runs to the next white space, without trailing punctuation that usually ends a
// sentence (. , ; : ! ? and a closing bracket with no opening one inside the link). Only
// http:// and https:// make links; the view builds them as DOM nodes, never HTML.
export function linkify(text) {
  const parts = [];
  const re = /\bhttps?:\/\/[^\s<>"]+/gi;
  let last = 0;
  for (let m; (m = re.exec(text)); ) {
    let url = m[0];
    url = trimTrailing(url);
    if (!isHttpUrl(url)) continue;
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ text: url, href: url });
    last = m.index + url.length;
    re.lastIndex = last;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function trimTrailing(url) {
  for (;;) {
    const c = url.at(-1);
    if (".,;:!?'".includes(c)) url = url.slice(0, -1);
    else if (c === ")" && count(url, "(") < count(url, ")")) url = url.slice(0, -1);
    else if (c === "]" && count(url, "[") < count(url, "]")) url = url.slice(0, -1);
    else return url;
  }
}

const count = (s, c) => s.split(c).length - 1;

function isHttpUrl(s) {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}
