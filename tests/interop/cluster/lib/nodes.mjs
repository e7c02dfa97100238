// The nodes of a test cluster: Kibitz (conformance-server --redis) and Node (node-peer.mjs),
// each started on a free port and stopped by its own PID, and the clients that drive them:
// every node answers the `cluster` control event alike (cluster_control.hpp, node-peer.mjs).

import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, startNodeScript } from "../../lib/server.mjs";
import { connect } from "../../lib/sio.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

export function startKibitz(redisUrl, extra = []) {
  return startServer("conformance-server", ["--redis", redisUrl, ...extra]);
}

// node node-peer.mjs REDIS_URL PREFIX TIMEOUT PROTOCOL RECOVERY_MS; resolves with {url, port,
// proc, stop()}.
export function startNode(
  redisUrl,
  { prefix = "socket.io", timeoutMs = 5000, protocol = "classic", recoveryMs = 0 } = {},
) {
  const args = [redisUrl, prefix, String(timeoutMs), protocol, String(recoveryMs)];
  return startNodeScript(path.join(here, "..", "node-peer.mjs"), args, "node peer");
}

// Runs one cluster op on the node `socket` is connected to; resolves with its answer.
export function control(socket, cmd, timeoutMs = 10_000) {
  return socket.timeout(timeoutMs).emitWithAck("cluster", cmd);
}

// A client of `node` that records every event it gets (name -> list of argument arrays).
export async function recordingClient(node, opts = {}) {
  const socket = await connect(node.url, "/", { transports: ["websocket"], ...opts });
  const got = new Map();
  socket.onAny((event, ...args) => {
    if (!got.has(event)) got.set(event, []);
    got.get(event).push(args);
  });
  return { socket, got, count: (event) => got.get(event)?.length ?? 0 };
}
