// examples/chat (the socket.io tutorial's chat, docs/library.md) against npm socket.io-client:
// it serves its page and the client bundle, a message goes to everyone (the sender included),
// and a message of the wrong type is skipped by its typed handler without harming anyone.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { CAP_MS, closeAll, connect } from "../lib/sio.mjs";
import { once, startServer } from "../lib/server.mjs";

describe("examples/chat with real clients", () => {
  let server;
  before(async () => {
    server = await startServer("chat-example");
  });
  after(async () => {
    await server.stop();
  });

  it("serves its page and the socket.io client bundle", async () => {
    const page = await fetch(server.url + "/");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<ul id="messages">/);
    const bundle = await fetch(server.url + "/socket.io/socket.io.js");
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get("content-type"), /javascript/);
  });

  it("sends every chat message to everyone, and skips one of the wrong type", async () => {
    const alice = await connect(server.url, "/", { transports: ["websocket"] });
    const bob = await connect(server.url, "/", { transports: ["polling"] });
    try {
      const seen = [];
      bob.on("chat message", (msg) => seen.push(msg));
      const toAlice = once(alice, "chat message", CAP_MS);
      const toBob = once(bob, "chat message", CAP_MS);
      alice.emit("chat message", 42); // not a string: skipped, nobody gets it
      alice.emit("chat message", "hello");
      assert.deepEqual(await toAlice, ["hello"]);
      assert.deepEqual(await toBob, ["hello"]);
      // Bob's own message: events of one connection are handled in order, so had 42 gone out
      // it would have come first.
      const back = once(bob, "chat message", CAP_MS);
      bob.emit("chat message", "hi");
      await back;
      assert.deepEqual(seen, ["hello", "hi"]);
      assert.ok(alice.connected && bob.connected);
    } finally {
      closeAll(alice, bob);
    }
  });
});
