// Rooms and the broadcast operator with three socket.io-client sockets (one polling, one
// WebSocket, one upgraded): to/except, io.emit versus socket.broadcast.emit, broadcast acks,
// fetch_sockets, sockets_join/leave and disconnect_sockets.
//
// "Did not receive" is shown without waiting for time: a socket's packets leave in order, so once
// the socket has the answer to a request sent after the broadcast, anything the broadcast sent it
// has arrived too (`sync`).

import { describe, it, before, after, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { once } from "../lib/server.mjs";
import { call, CAP_MS, closeAll, connect, Recorder, startSio, stopClean } from "../lib/sio.mjs";

const sync = (...sockets) => Promise.all(sockets.map((s) => call(s, "echo", "sync")));

describe("rooms and broadcasts", () => {
  let server;
  let a;
  let b;
  let c;
  before(async () => {
    server = await startSio();
  });
  after(async () => {
    await stopClean(server);
  });
  beforeEach(async () => {
    a = await connect(server.url, "/", { transports: ["polling"] });
    b = await connect(server.url, "/", { transports: ["websocket"] });
    c = await connect(server.url);
  });
  afterEach(() => closeAll(a, b, c));

  // Records `event` on a, b and c.
  function record(event) {
    return [a, b, c].map((s) => new Recorder(s, event));
  }

  it("puts each socket in a room named by its id", async () => {
    assert.deepEqual(await call(a, "rooms"), [a.id]);
    assert.deepEqual((await call(a, "join", { room: "r" })).sort(), [a.id, "r"].sort());
    assert.deepEqual(await call(a, "leave", { room: "r" }), [a.id]);
  });

  it("io.to(room) reaches the room's members only", async () => {
    await call(a, "join", { room: "r" });
    await call(b, "join", { room: "r" });
    const [ra, rb, rc] = record("room-msg");
    await call(c, "to-room", { room: "r", event: "room-msg", args: [1, "x"] });
    await ra.waitFor(1);
    await rb.waitFor(1);
    await sync(a, b, c);
    assert.deepEqual(ra.calls, [[1, "x"]]);
    assert.deepEqual(rb.calls, [[1, "x"]]);
    assert.deepEqual(rc.calls, []);
  });

  it("io.to(room).except(room) leaves out the excepted room", async () => {
    await call(a, "join", { room: "r" });
    await call(b, "join", { room: ["r", "x"] });
    const [ra, rb, rc] = record("m");
    await call(c, "to-room", { room: "r", except: "x", event: "m", args: ["only a"] });
    await ra.waitFor(1);
    await sync(a, b, c);
    assert.deepEqual(ra.firsts, ["only a"]);
    assert.deepEqual(rb.calls, []);
    assert.deepEqual(rc.calls, []);
  });

  it("io.except(room) reaches everyone outside the room", async () => {
    await call(a, "join", { room: "r" });
    await call(b, "join", { room: "r" });
    const [ra, rb, rc] = record("m");
    await call(a, "except-room", { room: "r", event: "m", args: ["outside"] });
    await rc.waitFor(1);
    await sync(a, b, c);
    assert.deepEqual(ra.calls, []);
    assert.deepEqual(rb.calls, []);
    assert.deepEqual(rc.firsts, ["outside"]);
  });

  it("several rooms are a union: a socket in both gets the event once", async () => {
    await call(a, "join", { room: ["r1", "r2"] });
    await call(b, "join", { room: "r2" });
    const [ra, rb, rc] = record("m");
    await call(c, "to-room", { room: ["r1", "r2"], event: "m", args: [7] });
    await ra.waitFor(1);
    await rb.waitFor(1);
    await sync(a, b, c);
    assert.equal(ra.calls.length, 1);
    assert.equal(rb.calls.length, 1);
    assert.equal(rc.calls.length, 0);
  });

  it("io.emit reaches every socket, the sender included", async () => {
    const [ra, rb, rc] = record("all");
    await call(a, "emit-all", { event: "all", args: ["hi"] });
    await Promise.all([ra.waitFor(1), rb.waitFor(1), rc.waitFor(1)]);
    await sync(a, b, c);
    for (const r of [ra, rb, rc]) assert.deepEqual(r.calls, [["hi"]]);
  });

  it("socket.broadcast.emit reaches every socket but the sender", async () => {
    const [ra, rb, rc] = record("bc");
    await call(a, "broadcast", { event: "bc", args: ["not a"] });
    await Promise.all([rb.waitFor(1), rc.waitFor(1)]);
    await sync(a, b, c);
    assert.deepEqual(ra.calls, []);
    assert.deepEqual(rb.calls, [["not a"]]);
    assert.deepEqual(rc.calls, [["not a"]]);
  });

  it("socket.to(room) leaves out the sender even when it is in the room", async () => {
    await call(a, "join", { room: "r" });
    await call(b, "join", { room: "r" });
    const [ra, rb, rc] = record("bc");
    await call(a, "broadcast", { to: "r", event: "bc", args: [] });
    await rb.waitFor(1);
    await sync(a, b, c);
    assert.equal(ra.calls.length, 0);
    assert.equal(rb.calls.length, 1);
    assert.equal(rc.calls.length, 0);
  });

  it("a broadcast with acks collects every recipient's answer", async () => {
    await call(a, "join", { room: "r" });
    await call(b, "join", { room: "r" });
    a.on("need-ack", (x, cb) => cb({ from: "a", x }));
    b.on("need-ack", (x, cb) => cb({ from: "b", x }));
    const result = once(c, "broadcast-ack-result");
    await call(c, "broadcast-ack", { room: "r", timeout_ms: 3000, args: [5] });
    const [{ err, responses }] = await result;
    assert.equal(err, "");
    const sorted = responses.map((r) => r[0] ?? r).sort((x, y) => x.from.localeCompare(y.from));
    assert.deepEqual(sorted, [{ from: "a", x: 5 }, { from: "b", x: 5 }]);
  });

  it("a broadcast with acks times out with the answers that came", async () => {
    await call(a, "join", { room: "r" });
    await call(b, "join", { room: "r" });
    a.on("need-ack", (...args) => args.pop()("a answered"));
    b.on("need-ack", () => {}); // never answers
    const result = once(c, "broadcast-ack-result");
    await call(c, "broadcast-ack", { room: "r", timeout_ms: 300, args: [] });
    const [{ err, responses }] = await result;
    assert.equal(err, "timeout");
    assert.equal(responses.length, 1);
    assert.deepEqual(responses.map((r) => (Array.isArray(r) ? r[0] : r)), ["a answered"]);
  });

  it("fetch_sockets, sockets_join, sockets_leave and disconnect_sockets act on a selection", async () => {
    await call(a, "join", { room: "r" });
    await call(b, "join", { room: "r" });
    await call(a, "data-set", { key: "k", value: 1 });
    const ids = (list) => list.map((s) => s.id).sort();
    const inR = await call(c, "fetch", { room: "r" });
    assert.deepEqual(ids(inR), [a.id, b.id].sort());
    assert.deepEqual(inR.find((s) => s.id === a.id).data, { k: 1 });
    assert.deepEqual(ids(await call(c, "fetch", { room: "r", except: b.id })), [a.id]);
    assert.deepEqual(ids(await call(c, "fetch", {})), [a.id, b.id, c.id].sort());

    await call(c, "sockets-join", { room: "r", join: "t" });
    assert.deepEqual(ids(await call(c, "fetch", { room: "t" })), [a.id, b.id].sort());
    assert.ok((await call(a, "rooms")).includes("t"));
    await call(c, "sockets-leave", { room: "t", except: a.id, leave: "t" });
    assert.deepEqual(ids(await call(c, "fetch", { room: "t" })), [a.id]);

    const aId = a.id; // the client forgets its id on disconnect
    const gone = [once(a, "disconnect", CAP_MS), once(b, "disconnect", CAP_MS)];
    await call(c, "disconnect-sockets", { room: "r" });
    const reasons = (await Promise.all(gone)).map(([reason]) => reason);
    assert.deepEqual(reasons, ["io server disconnect", "io server disconnect"]);
    assert.deepEqual(ids(await call(c, "fetch", {})), [c.id]);
    assert.equal((await call(c, "wait-disconnect", { id: aId })).reason, "server namespace disconnect");
  });
});
