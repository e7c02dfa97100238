// Hardening (docs/security.md): out of descriptors (EMFILE), the server neither spins nor floods its log; it keeps
// serving the connections it has, and accepts again once descriptors are free. The limit is put
// on the running server with util-linux prlimit; CPU time comes from /proc/PID/stat.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { startServer } from "../lib/server.mjs";
import { handshake, procStats, waitFor } from "../lib/eio.mjs";
import { connectWs } from "../lib/rawws.mjs";

const WINDOW_MS = 1000;

async function echoes(ws, text) {
  ws.sendText(`4${text}`);
  for (;;) {
    const m = await ws.nextText(5000);
    if (m === "2") {
      ws.sendText("3");
      continue;
    }
    assert.equal(m, `4${text}`);
    return;
  }
}

function connect(port) {
  const sock = net.connect({ port, host: "127.0.0.1" });
  sock.on("error", () => {});
  return sock;
}

describe("accept under EMFILE", () => {
  let server;
  before(async () => {
    // The default heartbeat: the bystander below does not have to answer pings in the window.
    server = await startServer("conformance-server", ["--ping-interval-ms", "25000", "--ping-timeout-ms", "20000"]);
  });
  after(async () => server?.stop());

  it("backs off, logs once, serves its bystander, and accepts again when fds free up", async (t) => {
    const pid = server.proc.pid;
    const bystander = await connectWs(server.port, "/engine.io/?EIO=4&transport=websocket");
    assert.match(await bystander.nextText(), /^0\{/);
    const limit = procStats(pid).fds + 8;
    // The soft limit only (no privilege needed, and it can be raised back).
    const soft = /Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, "utf8"))[1];
    execFileSync("prlimit", ["--pid", String(pid), `--nofile=${limit}:`]);
    const clients = Array.from({ length: 40 }, () => connect(server.port));
    await waitFor(() => /accept: /.test(server.stderr()), { what: "the server to report EMFILE" });
    const logsBefore = server.stderr().split("accept: ").length;
    const cpuBefore = procStats(pid).cpuTicks;
    // The measurement window (the server is out of descriptors all along).
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const cpuTicks = procStats(pid).cpuTicks - cpuBefore;
    await echoes(bystander, "during EMFILE");
    const logs = server.stderr().split("accept: ").length - logsBefore;
    t.diagnostic(`CPU ${cpuTicks} ticks in ${WINDOW_MS} ms while out of descriptors, ${logs} more log lines`);
    // A spinning accept loop burns the whole window (about 100 ticks).
    assert.ok(cpuTicks <= 20, `CPU ${cpuTicks} ticks in ${WINDOW_MS} ms`);
    assert.ok(logs <= 1, `${logs} accept log lines in the window`);
    for (const c of clients) c.destroy();
    // Descriptors free: a new session is admitted (the backoff is at most 1 s).
    const took = await waitFor(
      async () => {
        try {
          await handshake(server.url);
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 10_000, everyMs: 100, what: "a handshake after the clients closed" },
    );
    t.diagnostic(`accepting again ${took} ms after the clients closed`);
    await echoes(bystander, "after EMFILE");
    execFileSync("prlimit", ["--pid", String(pid), `--nofile=${soft}:`]);
    bystander.destroy();
  });
});
