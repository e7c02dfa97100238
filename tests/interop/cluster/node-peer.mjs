// A Node socket.io 4.8 node of the cluster: @socket.io/redis-adapter 8.3.0 (classic), node-redis
// 4.7 (createClient({url}) publisher + duplicate() subscriber).
//   node node-peer.mjs REDIS_URL [PREFIX] [REQUESTS_TIMEOUT_MS] [classic|sharded|streams] [RECOVERY_MS]
// (sharded: createShardedAdapter, subscriptionMode "dynamic"; streams:
// @socket.io/redis-streams-adapter 0.3.1; docs/cluster.md). RECOVERY_MS > 0: connection state
// recovery, sessions kept that long.
// Listens on a free port and prints `listening on http://127.0.0.1:PORT` (tests/interop/lib/
// server.mjs reads it). In "/", event `cluster` runs the same ops as Kibitz's conformance-server
// (examples/conformance-server/cluster_control.hpp), so a test drives both kinds of node alike.

import http from "node:http";
import { Server } from "socket.io";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";

const [redisUrl, prefix = "socket.io", timeoutMs = "5000", mode = "classic", recoveryMs = "0"] =
  process.argv.slice(2);
const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
// node-redis reconnects by itself; errors while Redis is down are expected in the fault tests.
pub.on("error", () => {});
sub.on("error", () => {});
await Promise.all([pub.connect(), sub.connect()]);

const server = http.createServer();
const adapters = {
  sharded: () => createShardedAdapter(pub, sub, { channelPrefix: prefix, subscriptionMode: "dynamic" }),
  streams: () => createStreamsAdapter(pub, { channelPrefix: prefix }),
  classic: () => createAdapter(pub, sub, { key: prefix, requestsTimeout: Number(timeoutMs) }),
};
const io = new Server(server, {
  adapter: (adapters[mode] ?? adapters.classic)(),
  ...(Number(recoveryMs) > 0
    ? { connectionStateRecovery: { maxDisconnectionDuration: Number(recoveryMs), skipMiddlewares: true } }
    : {}),
});
const log = [];

for (const name of ["hello-srv", "ping-srv", "silent-srv"]) {
  io.on(name, (...args) => {
    const cb = typeof args[args.length - 1] === "function" ? args.pop() : null;
    log.push([name, args]);
    if (name === "ping-srv" && cb) cb({ pong: "node", args });
  });
}

function select(cmd) {
  let op = io;
  for (const r of cmd.rooms ?? []) op = op.to(r);
  for (const r of cmd.except ?? []) op = op.except(r);
  if (cmd.local) op = op.local;
  if (cmd.volatile) op = op.volatile;
  return op;
}

const error = (e) => (e ? String(e.message ?? e) : null);

async function run(socket, cmd) {
  const adapter = io.of("/").adapter;
  switch (cmd.op) {
    case "emit":
      select(cmd).emit(cmd.event, ...(cmd.args ?? []));
      return { ok: true };
    case "emitWithAck":
      return new Promise((resolve) =>
        select(cmd)
          .timeout(cmd.timeout ?? 2000)
          .emit(cmd.event, ...(cmd.args ?? []), (err, responses) =>
            resolve({ error: error(err), responses }),
          ),
      );
    case "fetchSockets":
      try {
        const sockets = await select(cmd).fetchSockets();
        return {
          error: null,
          sockets: sockets.map((s) => ({ id: s.id, handshake: s.handshake, rooms: [...s.rooms], data: s.data })),
        };
      } catch (e) {
        return { error: error(e), sockets: [] };
      }
    case "socketsJoin":
      select(cmd).socketsJoin(cmd.room);
      return { ok: true };
    case "socketsLeave":
      select(cmd).socketsLeave(cmd.room);
      return { ok: true };
    case "disconnectSockets":
      select(cmd).disconnectSockets(!!cmd.close);
      return { ok: true };
    case "allRooms":
      try {
        return { error: null, rooms: [...(await adapter.allRooms())] };
      } catch (e) {
        return { error: error(e), rooms: [] };
      }
    case "serverCount":
      return { error: null, count: await adapter.serverCount() };
    case "serverSideEmit":
      if (!cmd.ack) {
        io.serverSideEmit(cmd.event, ...(cmd.args ?? []));
        return { ok: true };
      }
      return new Promise((resolve) =>
        io.serverSideEmit(cmd.event, ...(cmd.args ?? []), (err, responses) =>
          resolve({ error: error(err), responses }),
        ),
      );
    case "join":
      socket.join(cmd.room);
      return { ok: true };
    case "leave":
      socket.leave(cmd.room);
      return { ok: true };
    case "stats":
      return {
        uid: adapter.uid,
        connected: pub.isReady && sub.isReady,
        pendingRequests: adapter.requests?.size ?? 0,
        pendingAcks: adapter.ackRequests?.size ?? 0,
      };
    case "serverSideLog":
      return log.splice(0);
    default:
      return { error: "unknown op" };
  }
}

io.on("connection", (socket) => {
  socket.data = { user: `u-${socket.id.slice(0, 3)}` };
  socket.on("cluster", async (cmd, ack) => {
    if (typeof ack === "function") ack(await run(socket, cmd));
  });
});

server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => {
  io.close();
  Promise.allSettled([pub.quit(), sub.quit()]).then(() => process.exit(0));
});
