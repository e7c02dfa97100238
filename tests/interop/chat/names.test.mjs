// Names people can trust (docs/security.md), in /chat and /chess: no invisible names, no reserved names,
// no look-alike of a name present in the chat.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startChat, connectChat, call, joined, closeAll, CAP_MS } from "./chat.mjs";
import { withTimeout } from "../lib/server.mjs";

let server;
before(async () => {
  server = await startChat();
});
after(async () => {
  await server?.close();
});

function assertError(ack, code) {
  assert.equal(ack.ok, false, JSON.stringify(ack));
  assert.equal(ack.error.code, code, JSON.stringify(ack));
  assert.ok(ack.error.message.length > 0);
}

test("names made of invisible or default-ignorable characters are name_invalid", async () => {
  const s = await connectChat(server.url);
  for (const name of ["\u3164", "\u3164\u3164", "\u115F", "\u1160", "\uFFA0", "\u200B", "\u180E",
                      "bob\u3164", "\u2800"]) {
    assertError(await call(s, "join", { name, room: "inv" }), "name_invalid");
  }
  closeAll(s);
});

test("reserved names are name_reserved, whatever their case, separators or look-alike letters", async () => {
  const s = await connectChat(server.url);
  for (const name of ["system", "Server", "ADMIN", "administrator", "kibitz", "Moderator", "root",
                      "ad.min", "_root_", "\u0430dmin", "\uFF41\uFF44\uFF4D\uFF49\uFF4E"]) {
    assertError(await call(s, "join", { name, room: "res" }), "name_reserved");
  }
  // Names that only contain a reserved word are fine.
  const ok = await call(s, "join", { name: "systematic", room: "res" });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  closeAll(s);
});

test("a look-alike of a name in the chat is name_taken until that name leaves", async () => {
  const holder = await joined(server.url, "paypal", "conf");
  const other = await connectChat(server.url);
  for (const name of ["p\u0430ypal", "paypaI", "PAYPAL", "\uFF50aypal"]) {
    assertError(await call(other, "join", { name, room: "conf" }), "name_taken");
  }
  // A bystander is unaffected and a different name is fine.
  const ok = await call(other, "join", { name: "paypals", room: "conf" });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  holder.socket.disconnect();
  const third = await connectChat(server.url);
  for (let i = 0; ; i++) {
    const ack = await call(third, "join", { name: "p\u0430ypal", room: "conf" });
    if (ack.ok) break;
    assert.equal(ack.error.code, "name_taken");
    assert.ok(i < 50, "the look-alike never became free");
  }
  closeAll(other, third);
});

test("chess player names follow the same rules (bad_request)", async () => {
  const chess = io(server.url + "/chess", { forceNew: true, reconnection: false });
  await withTimeout(new Promise((resolve) => chess.once("connect", resolve)), CAP_MS, "connect /chess");
  for (const name of ["admin", "System", "\u3164", "\uFFA0\uFFA0", "ad.min"]) {
    const ack = await chess.timeout(CAP_MS).emitWithAck("create", { name });
    assert.equal(ack.ok, false, `${name}: ${JSON.stringify(ack)}`);
    assert.equal(ack.error.code, "bad_request");
  }
  const fine = await chess.timeout(CAP_MS).emitWithAck("create", { name: "Zoë" });
  assert.equal(fine.ok, true, JSON.stringify(fine));
  chess.disconnect();
});
