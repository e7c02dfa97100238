// The nodes of a test cluster: Kibitz (conformance-server --redis) and Node (node-peer.mjs),
// each started on a free port and stopped by its own PID, and the clients that drive them:
// every node answers the `cluster` control event alike (cluster_control.hpp, node-peer.mjs).

import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../lib/server.mjs";
import { connect } from "../../lib/sio.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const START_CAP_MS = 10_000;

export function startKibitz(redisUrl, extra = []) {
  return startServer("conformance-server", ["--redis", redisUrl, ...extra]);
}

// node node-peer.mjs REDIS_URL PREFIX TIMEOUT PROTOCOL RECOVERY_MS; resolves with {url, port,
// proc, stop()}.
export async function startNode(
  redisUrl,
  { prefix = "socket.io", timeoutMs = 5000, protocol = "classic", recoveryMs = 0 } = {},
) {
  const args = [path.join(here, "..", "node-peer.mjs"), redisUrl, prefix, String(timeoutMs), protocol, String(recoveryMs)];
  const proc = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`node peer: no listening line\n${stderr}`)), START_CAP_MS);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`node peer exited (${code})\n${stderr}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    },
  };
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
