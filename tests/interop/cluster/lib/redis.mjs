// A redis-server of the test's own (Debian's), on a free loopback port, stopped by its PID:
// `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no` (docs/cluster.md). kill()
// SIGKILLs it and restart() starts a fresh, empty one on the same port (the F-redis-restart
// fault). Timeouts are safety nets: nothing here waits for a fixed time.

import { spawn } from "node:child_process";
import net from "node:net";
import { freePort } from "../../lib/postgres.mjs";

const READY_CAP_MS = 5000;

// Resolves true when a PING on 127.0.0.1:port is answered with PONG.
function pong(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    let got = "";
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on("error", () => done(false));
    s.on("data", (d) => {
      got += d;
      if (got.includes("\r\n")) done(got.startsWith("+PONG"));
    });
    s.on("connect", () => s.write("PING\r\n"));
  });
}

async function ready(port, proc) {
  const deadline = Date.now() + READY_CAP_MS;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited early (code ${proc.exitCode})`);
    if (await pong(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server: no PONG within ${READY_CAP_MS} ms`);
    await new Promise((r) => setTimeout(r, 20)); // polling a readiness probe, not timing a test
  }
}

function spawnRedis(port) {
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  return { proc, exited };
}

// Starts one; resolves with { url, port, pid(), kill(), restart(), stop(), stopSignal(sig) }.
export async function startRedis() {
  const port = await freePort();
  let cur = spawnRedis(port);
  await ready(port, cur.proc);
  async function end(signal) {
    if (cur.proc.exitCode === null && cur.proc.signalCode === null) cur.proc.kill(signal);
    await cur.exited;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => cur.proc.pid,
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
    async restart() {
      await end("SIGKILL");
      cur = spawnRedis(port);
      await ready(port, cur.proc);
    },
  };
}
