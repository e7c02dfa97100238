// web/chat-text.js under node --test: the composer's slash commands and links in message text.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HELP_TEXT, linkify, parseCommand } from "../../web/chat-text.js";

test("plain text is sent as it is; // escapes a leading slash", () => {
  assert.deepEqual(parseCommand("hello /me"), { kind: "send", text: "hello /me" });
  assert.deepEqual(parseCommand("  /me not a command"), { kind: "send", text: "  /me not a command" });
  assert.deepEqual(parseCommand("//me literally"), { kind: "send", text: "/me literally" });
});

test("the commands and their arguments", () => {
  assert.deepEqual(parseCommand("/me waves  hello"), { kind: "send", text: "waves  hello", action: true });
  assert.deepEqual(parseCommand("/ME shouts"), { kind: "send", text: "shouts", action: true });
  assert.deepEqual(parseCommand("/msg bob see you\nlater"), { kind: "msg", to: "bob", text: "see you\nlater" });
  assert.deepEqual(parseCommand("/msg @Zoë hi"), { kind: "msg", to: "Zoë", text: "hi" });
  assert.deepEqual(parseCommand("/join #Chess-Club"), { kind: "join", room: "chess-club" });
  assert.deepEqual(parseCommand("/leave"), { kind: "leave" });
  assert.deepEqual(parseCommand("/help"), { kind: "help" });
  assert.match(HELP_TEXT, /\/me text/);
});

test("unknown commands and missing arguments are explained, never sent", () => {
  for (const input of ["/nick bob", "/", "/me", "/me   ", "/msg bob", "/msg", "/join", "/join two words"]) {
    const r = parseCommand(input);
    assert.equal(r.kind, "error", input);
    assert.ok(r.text.length > 10, input);
  }
  assert.match(parseCommand("/nick bob").text, /no command “\/nick”/);
  assert.match(parseCommand("/msg bob").text, /Usage: \/msg name text/);
});

test("links: http and https only, without the punctuation that ends a sentence", () => {
  assert.deepEqual(linkify("see https://example.org/a?b=1#c."), [
    { text: "see " },
    { text: "https://example.org/a?b=1#c", href: "https://example.org/a?b=1#c" },
    { text: "." },
  ]);
  assert.deepEqual(linkify("(http://x.org/wiki/A_(b)) ok"), [
    { text: "(" },
    { text: "http://x.org/wiki/A_(b)", href: "http://x.org/wiki/A_(b)" },
    { text: ") ok" },
  ]);
  for (const t of ["javascript:alert(1)", "ftp://x.org", "data:text/html,<b>", "www.example.org", "https://", "<a href=x>"]) {
    assert.ok(linkify(t).every((p) => !p.href), t);
  }
  assert.deepEqual(linkify(""), []);
  assert.deepEqual(linkify("no links"), [{ text: "no links" }]);
  const two = linkify("https://a.org and HTTPS://b.org");
  assert.deepEqual(two.filter((p) => p.href).map((p) => p.href), ["https://a.org", "HTTPS://b.org"]);
  assert.equal(two.map((p) => p.text).join(""), "https://a.org and HTTPS://b.org");
});
