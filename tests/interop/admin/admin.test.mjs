// The Admin UI protocol (@socket.io/admin-ui 0.5.1, CLUSTER.md 5) driven with socket.io-client
// against Kibitz (the kibitz binary, --admin-mode development) and against the reference, a Node
// socket.io 4.8 server with instrument() (node-admin.mjs), side by side: the same steps on
// each, then their answers compared (exact where the protocol fixes a value, by shape where it
// is the server's own: ids, addresses, times, headers).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startKibitzAdmin, startNodeAdmin, connectAdmin, connectTo, shape, USER } from "./lib.mjs";

let kibitz;
let node;
const answers = {};

before(async () => {
  [kibitz, node] = await Promise.all([startKibitzAdmin(["--admin-server-id", "kibitz-a"]), startNodeAdmin("node-ref")]);
});
after(async () => {
  await Promise.all([kibitz?.stop(), node?.stop()]);
});

// The steps, on one server; returns what it answered.
async function drive(url) {
  const out = {};
  // Wrong password, wrong user: refused with the message the UI keys on.
  for (const auth of [{ username: USER, password: "wrong" }, { username: "root", password: "changeit" }, {}]) {
    const err = await connectAdmin(url, auth).then(
      () => null,
      (e) => e,
    );
    assert.ok(err, `refused: ${JSON.stringify(auth)}`);
    (out.refusals ??= []).push(err.message);
  }
  const t = await connectTo(url, "/");
  const admin = await connectAdmin(url);
  const [sessionId] = await admin.next("session");
  out.session = sessionId;
  [out.config] = await admin.next("config");
  const [all] = await admin.next("all_sockets");
  out.allSocket = all.find((s) => s.id === t.id);
  out.adminInAll = all.some((s) => s.nsp === "/admin");
  const [stats] = await admin.next("server_stats", ([s]) => s.namespaces.some((n) => n.name === "/" && n.socketsCount === 1));
  out.stats = stats;

  // A second socket: socket_connected, then its events reach the admin as event_received.
  const u = await connectTo(url, "/");
  out.connected = await admin.next("socket_connected", ([s]) => s.id === u.id);
  u.emit("hello-admin", 1, { two: 2 });
  out.received = await admin.next("event_received", ([, id]) => id === u.id);

  // join, emit to the room, leave; then a room emit reaches nobody while one to t.id does.
  admin.emit("join", "/", "room-x", t.id);
  out.roomJoined = await admin.next("room_joined", ([, room]) => room === "room-x");
  admin.emit("emit", "/", "room-x", "to-room", 1, "two");
  out.toRoom = await t.next("to-room");
  admin.emit("leave", "/", "room-x", t.id);
  out.roomLeft = await admin.next("room_left", ([, room]) => room === "room-x");
  admin.emit("emit", "/", "room-x", "after-leave");
  admin.emit("emit", "/", t.id, "direct");
  await t.next("direct");
  out.afterLeave = t.events.some((e) => e.event === "after-leave");
  // MJOIN: every socket of "/" (no filter) joins; u's room_joined comes too.
  admin.emit("join", "/", "everyone");
  await admin.next("room_joined", ([, room, id]) => room === "everyone" && id === u.id);

  // _disconnect of t only (close false: the namespace, not the connection).
  const tid = t.id; // the client forgets it on disconnect
  const gone = t.next("disconnect", () => true, "t's disconnect");
  admin.emit("_disconnect", "/", false, t.id);
  const [reason] = await new Promise((resolve, reject) => {
    t.once("disconnect", (r) => resolve([r]));
    gone.catch(reject);
  });
  out.disconnectReason = reason;
  out.disconnected = await admin.next("socket_disconnected", ([, id]) => id === tid);
  assert.equal(u.connected, true, "the bystander stays connected");

  // Bad commands are ignored: the admin and the bystander go on.
  admin.emit("_disconnect", 42, "x");
  admin.emit("emit", "/no-such-namespace", null, "x");
  admin.emit("join");
  admin.emit("emit", "/", u.id, "still-here");
  await u.next("still-here");

  // The session id lets the UI reconnect without the password.
  const again = await connectAdmin(url, { sessionId });
  out.sessionReconnect = again.connected;
  const notASession = await connectAdmin(url, { sessionId: "0000000000000000" }).then(() => null, (e) => e.message);
  out.badSession = notASession;
  for (const s of [again, admin, u, t]) s.disconnect();
  return out;
}

test("kibitz answers the admin protocol as Node's instrument() does", async () => {
  answers.kibitz = await drive(kibitz.url);
  answers.node = await drive(node.url);
  const k = answers.kibitz;
  const n = answers.node;

  assert.deepEqual(k.refusals, ["invalid credentials", "invalid credentials", "invalid credentials"]);
  assert.deepEqual(k.refusals, n.refusals);
  assert.match(k.session, /^[0-9a-f]{16}$/);
  assert.match(n.session, /^[0-9a-f]{16}$/);
  assert.deepEqual(k.config, n.config);

  // all_sockets: the same fields, nested alike (headers differ in content, not in kind).
  const entry = (s) => ({ ...shape(s), handshake: { ...shape(s.handshake), headers: "object", query: "object" } });
  assert.deepEqual(entry(k.allSocket), entry(n.allSocket));
  assert.equal(k.allSocket.nsp, "/");
  assert.equal(k.allSocket.clientId.length, 12);
  assert.deepEqual(k.allSocket.data, {});
  assert.deepEqual(k.allSocket.rooms, [k.allSocket.id]);
  assert.equal(k.adminInAll, n.adminInAll);

  // server_stats: the same fields and kinds; this server's own id.
  const statsShape = (s) => ({ ...shape(s), aggregatedEvents: "array" });
  assert.deepEqual(statsShape(k.stats), statsShape(n.stats));
  assert.equal(k.stats.serverId, "kibitz-a");
  assert.deepEqual(shape(k.stats.namespaces[0]), shape(n.stats.namespaces[0]));
  for (const e of [...k.stats.aggregatedEvents, ...n.stats.aggregatedEvents]) {
    assert.equal(e.timestamp % 1000, 0);
    assert.ok(["rawConnection", "rawDisconnection", "packetsIn", "packetsOut", "bytesIn", "bytesOut"].includes(e.type), e.type);
  }
  const types = (s) => new Set(s.aggregatedEvents.map((e) => e.type));
  assert.ok(types(k.stats).has("rawConnection"));

  // Development events: same arity and kinds, and the values the protocol fixes.
  assert.deepEqual(shape(k.connected).length, shape(n.connected).length);
  assert.deepEqual(entry(k.connected[0]), entry(n.connected[0]));
  assert.match(k.connected[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(k.received[2], ["hello-admin", 1, { two: 2 }]);
  assert.deepEqual(k.received[2], n.received[2]);
  assert.deepEqual(shape(k.received), shape(n.received));
  assert.deepEqual(shape(k.roomJoined), shape(n.roomJoined));
  assert.equal(k.roomJoined[0], "/");
  assert.deepEqual(k.toRoom, [1, "two"]);
  assert.deepEqual(k.toRoom, n.toRoom);
  assert.deepEqual(shape(k.roomLeft), shape(n.roomLeft));
  assert.equal(k.afterLeave, false);
  assert.equal(n.afterLeave, false);
  assert.equal(k.disconnectReason, "io server disconnect");
  assert.equal(k.disconnectReason, n.disconnectReason);
  assert.deepEqual(shape(k.disconnected), shape(n.disconnected));
  assert.equal(k.disconnected[2], n.disconnected[2]); // "server namespace disconnect"
  assert.equal(k.sessionReconnect, true);
  assert.equal(n.sessionReconnect, true);
  assert.equal(k.badSession, "invalid credentials");
  assert.equal(k.badSession, n.badSession);
});
