// Faults: the server stopped (SIGSTOP) and continued (SIGCONT) under chat load, shorter than the
// heartbeat timeout: no client is dropped and every message sent meanwhile is acked afterwards.
// And a client stopped (SIGSTOP) in a busy room: the server closes it once it stops reading,
// its memory stays bounded, and a bystander keeps getting its acks.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  CAP_MS,
  ChatLoad,
  call,
  checkChatMessages,
  connect,
  figure,
  percentile,
  pick,
  procStats,
  startKibitz,
  tempDir,
} from "./lib.mjs";
import { withTimeout } from "../interop/lib/server.mjs";

const STOP_MS = pick(1500, 5000);

test(`the server stopped for ${STOP_MS} ms under load keeps every client and acks everything`, async () => {
  const data = tempDir();
  const server = await startKibitz(data.dir);
  try {
    const load = new ChatLoad(server.url, { senders: 3, window: 4, prefix: "paused" });
    await load.start();
    let drops = 0;
    for (const s of load.sockets) s.on("disconnect", () => drops++);
    while (load.acked.size < 30) await new Promise((r) => setImmediate(r));
    server.proc.kill("SIGSTOP");
    const before = load.acked.size;
    // The stop is the fault itself: what was in flight, and what the clients emit meanwhile,
    // waits for the frozen server.
    await new Promise((r) => setTimeout(r, STOP_MS));
    const waiting = load.sent.filter((m) => !load.acked.has(m.id)).map((m) => m.id);
    assert.ok(waiting.length > 0, "messages were waiting while the server was stopped");
    server.proc.kill("SIGCONT");
    const t0 = performance.now();
    // Everything that waited is answered once the server runs again.
    await withTimeout(
      new Promise((resolve) => {
        const check = () => (waiting.every((id) => load.acked.has(id)) ? resolve() : setTimeout(check, 5));
        check();
      }),
      CAP_MS,
      "acks after SIGCONT",
    );
    const catchUp = performance.now() - t0;
    assert.equal(drops, 0, "no client was dropped while the server was stopped");
    await load.stop();
    assert.equal(load.failures.size, 0, JSON.stringify([...load.failures]));
    figure(`SIGSTOP ${STOP_MS} ms: ${before} acks before, ${load.acked.size} after; ${waiting.length} waiting messages answered in ${catchUp.toFixed(0)} ms; 0 clients dropped`);
    const { checked } = await checkChatMessages(server.url, [load], "faults");
    assert.equal(checked, load.acked.size);
  } finally {
    await server.stop();
    data.cleanup();
  }
});

// A child process that joins /chat as `name` in `room` and then only waits.
function sleeperProcess(url, name, room) {
  const script = `
    import { io } from "socket.io-client";
    const s = io(${JSON.stringify(url + "/chat")}, { transports: ["websocket"], reconnection: false });
    s.on("connect", () => s.emit("join", { name: ${JSON.stringify(name)}, room: ${JSON.stringify(room)} },
      (ack) => console.log(ack.ok ? "joined" : "refused " + JSON.stringify(ack))));
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: new URL("../..", import.meta.url).pathname,
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.setEncoding("utf8");
  const joined = withTimeout(
    new Promise((resolve, reject) => {
      child.stdout.on("data", (d) => (d.includes("joined") ? resolve() : reject(new Error(d))));
    }),
    CAP_MS,
    "the sleeper to join",
  );
  return { child, joined };
}

test("a stopped client in a busy room is closed; memory stays bounded; the bystander is served", async () => {
  const data = tempDir();
  const queueLimit = 1 << 20;
  const server = await startKibitz(data.dir, ["--max-send-queue", String(queueLimit)]);
  const { child, joined } = sleeperProcess(server.url, "sleeper", "busy");
  try {
    await joined;
    const bystander = await connect(server.url, "/chat");
    assert.equal((await call(bystander, "join", { name: "bystander", room: "busy" })).ok, true);
    const left = new Promise((resolve) =>
      bystander.on("user left", (e) => e.name === "sleeper" && resolve(performance.now())),
    );
    child.kill("SIGSTOP");
    const base = procStats(server.proc.pid);
    const t0 = performance.now();
    // The bystander talks in the room with big messages until the server gives up on the sleeper.
    const text = "x".repeat(1900);
    const latencies = [];
    let gone = null;
    left.then((t) => (gone = t));
    let peak = base.rss;
    for (let i = 0; gone === null && i < 200_000; i++) {
      const a = performance.now();
      const ack = await call(bystander, "message", { room: "busy", text, id: `b${i}` });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      latencies.push(performance.now() - a);
      if (i % 200 === 0) peak = Math.max(peak, procStats(server.proc.pid).rss);
      if (performance.now() - t0 > 60_000) throw new Error("the sleeper was never closed");
    }
    const closedAfter = gone - t0;
    const growth = peak - base.rss;
    figure(
      `stopped client closed after ${latencies.length} messages (${(latencies.length * 1.9).toFixed(0)} KB) in ${closedAfter.toFixed(0)} ms; ` +
        `server RSS +${(growth / 1048576).toFixed(1)} MiB; bystander ack p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    assert.ok(growth < 64 * 1048576, `RSS grew by ${growth} bytes`);
    // The bystander is still served after the close.
    assert.equal((await call(bystander, "message", { room: "busy", text: "still here" })).ok, true);
    bystander.disconnect();
  } finally {
    child.kill("SIGKILL");
    await server.stop();
    data.cleanup();
  }
});
