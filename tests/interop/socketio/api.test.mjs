// The handler shapes of the C++ API (docs/library.md), against the real sio-test-server's "/api"
// namespace with npm socket.io-client: typed handlers refusing a wrong type with the ack
// answered, several listeners and off, a per-packet middleware's error, an ack awaited by a C++
// coroutine, and a throwing handler that leaves the other clients unaffected.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { call, CAP_MS, closeAll, connect, serverDisconnect, startSio, stopClean } from "../lib/sio.mjs";
import { once } from "../lib/server.mjs";

describe("the C++ handler API with real clients", () => {
  let server;
  let bystander;
  before(async () => {
    server = await startSio(["--log-level", "off"]);
    bystander = await connect(server.url, "/api", { transports: ["websocket"] });
  });
  after(async () => {
    closeAll(bystander);
    await stopClean(server);
  });

  // The bystander still gets its acks (typed handler, its own listeners).
  async function othersGoOn() {
    assert.equal(await call(bystander, "add", { a: 20, b: 22 }), 42);
  }

  it("a typed handler converts its argument, or answers the ack with an error", async () => {
    const s = await connect(server.url, "/api", { transports: ["polling"] });
    assert.equal(await call(s, "add", { a: 1, b: 2 }), 3);
    assert.deepEqual(await call(s, "add", { a: "one", b: 2 }), { error: "invalid arguments" });
    assert.deepEqual(await call(s, "add", 7), { error: "invalid arguments" });
    assert.deepEqual(await call(s, "add"), { error: "invalid arguments" });
    assert.ok(s.connected);
    s.disconnect();
    await othersGoOn();
  });

  it("several listeners run in order, and off removes one", async () => {
    const s = await connect(server.url, "/api", { transports: ["websocket"] });
    assert.deepEqual(await call(s, "count"), ["first", "second"]);
    await call(s, "count-off");
    s.emit("count"); // only "first" now: no listener answers an ack
    assert.deepEqual(await call(s, "counts"), ["first", "second", "first"]);
    s.disconnect();
    await othersGoOn();
  });

  it("a per-packet middleware refuses an event: the server's error handler, no ack", async () => {
    const s = await connect(server.url, "/api", { transports: ["websocket"] });
    let acked = false;
    const refused = once(s, "packet-error", CAP_MS);
    s.emit("forbidden", () => {
      acked = true;
    });
    assert.deepEqual((await refused)[0], { message: "unauthorized event" });
    // Events are handled in order: an ack of "forbidden" would have come before this answer.
    assert.equal(await call(s, "echo", 5), 5);
    assert.equal(acked, false);
    assert.ok(s.connected);
    s.disconnect();
    await othersGoOn();
  });

  it("a C++ coroutine awaits the client's ack", async () => {
    const s = await connect(server.url, "/api", { transports: ["websocket"] });
    s.on("co-ping", (n, cb) => cb("pong", n + 1));
    const pong = once(s, "co-pong", CAP_MS);
    await call(s, "co-ping");
    assert.deepEqual((await pong)[0], ["pong", 2]);
    s.disconnect();
    await othersGoOn();
  });

  it("a throwing handler disconnects that socket only", async () => {
    const victim = await connect(server.url, "/api", { transports: ["websocket"] });
    const sid = victim.id;
    const gone = once(victim, "disconnect", CAP_MS);
    victim.emit("throw");
    assert.equal((await gone)[0], "io server disconnect");
    const record = await serverDisconnect(bystander, sid);
    assert.equal(record.reason, "server namespace disconnect");
    assert.ok(bystander.connected);
    await othersGoOn();
  });
});
