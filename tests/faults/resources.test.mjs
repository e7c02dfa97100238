// Faults of the machine: the process runs out of file descriptors (its limit lowered with
// `prlimit --pid`), and the disk under its data directory fills up (a small tmpfs). Neither ends
// the process; an `ok` ack still means stored; service comes back by itself once the resource does.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import {
  CAP_MS,
  call,
  checkChatMessages,
  connect,
  figure,
  integrityCheck,
  pick,
  procStats,
  startKibitz,
  tempDir,
} from "./lib.mjs";
import { withTimeout } from "../interop/lib/server.mjs";

function prlimit(pid, args) {
  const r = spawnSync("prlimit", ["--pid", String(pid), ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`prlimit ${args}: ${r.stderr}`);
}

function rawConnection(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", () => resolve(s));
  });
}

test("out of file descriptors: no busy loop, the bystander is served, accepting resumes", async () => {
  const data = tempDir();
  const server = await startKibitz(data.dir);
  const pid = server.proc.pid;
  const extra = [];
  try {
    const bystander = await connect(server.url, "/chat");
    assert.equal((await call(bystander, "join", { name: "bystander", room: "fds" })).ok, true);
    const base = procStats(pid);
    const limit = base.fds + 8;
    // The soft limit only (raising a hard limit back needs privileges a container may lack).
    prlimit(pid, [`--nofile=${limit}:`]);
    // More connections than descriptors left: the kernel completes them, the server cannot
    // accept them all.
    for (let i = 0; i < 40; i++) extra.push(await rawConnection(server.port));
    const held = pick(1000, 3000);
    const before = procStats(pid);
    // The exhaustion is the fault: hold it and see what the server spends meanwhile.
    const acks = [];
    const t0 = performance.now();
    while (performance.now() - t0 < held) {
      const a = performance.now();
      const ack = await call(bystander, "message", { room: "fds", text: `during ${acks.length}` });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      acks.push(performance.now() - a);
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = procStats(pid);
    const cpuShare = (after.ticks - before.ticks) / 100 / (held / 1000);
    figure(
      `EMFILE with ${extra.length} pending connections for ${held} ms: server CPU ${(cpuShare * 100).toFixed(0)} %, ` +
        `fds ${after.fds}/${limit}, bystander acks ${acks.length}, worst ${Math.max(...acks).toFixed(1)} ms`,
    );
    assert.ok(cpuShare < 0.5, `the server spun at ${(cpuShare * 100).toFixed(0)} % CPU while out of descriptors`);
    // Free the descriptors: new clients are accepted again, without a restart.
    for (const s of extra.splice(0)) s.destroy();
    prlimit(pid, [`--nofile=${base.fds + 4096}:`]);
    const late = await withTimeout(connect(server.url, "/chat"), CAP_MS, "a new client after the exhaustion");
    assert.equal((await call(late, "join", { name: "late", room: "fds" })).ok, true);
    late.disconnect();
    bystander.disconnect();
  } finally {
    for (const s of extra) s.destroy();
    const { code } = await server.stop();
    assert.equal(code, 0, server.stderr());
    data.cleanup();
  }
});

function mount(args) {
  return spawnSync("mount", args, { encoding: "utf8" });
}

test("disk full: messages answer unavailable, nothing acked is lost, service resumes", async (t) => {
  const root = tempDir();
  const dir = path.join(root.dir, "small");
  mkdirSync(dir);
  const m = mount(["-t", "tmpfs", "-o", "size=3m", "tmpfs", dir]);
  if (m.status !== 0) {
    root.cleanup();
    return t.skip(`cannot mount a tmpfs here (${m.stderr.trim()}): run as root`);
  }
  let server;
  try {
    server = await startKibitz(dir);
    const sender = await connect(server.url, "/chat");
    assert.equal((await call(sender, "join", { name: "filler", room: "faults" })).ok, true);
    const white = await connect(server.url, "/chess");
    const black = await connect(server.url, "/chess");
    const created = await call(white, "create", { name: "white", color: "white", clock: null });
    assert.equal(created.ok, true);
    const game = created.game.id;
    assert.equal((await call(black, "join", { game, name: "black" })).ok, true);
    assert.equal((await call(white, "move", { game, uci: "e2e4", ply: 0 })).ok, true);
    const load = { acked: new Map() };
    const text = "d".repeat(1900);
    let refused = null;
    let i = 0;
    for (; i < 20_000 && !refused; i++) {
      const ack = await call(sender, "message", { room: "faults", text: `${i} ${text}`, id: `f${i}` });
      if (ack.ok) load.acked.set(`f${i}`, ack.message);
      else refused = ack.error;
    }
    assert.ok(refused, "the disk never filled");
    assert.equal(refused.code, "unavailable", JSON.stringify(refused));
    figure(`disk full after ${load.acked.size} acked messages (3 MiB tmpfs): the next answered ${refused.code}`);
    // Fill what is left, so that even a small write (a chess move) finds no room.
    const filler = path.join(dir, "filler");
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) appendFileSync(filler, chunk);
    } catch (e) {
      if (e.code !== "ENOSPC") throw e;
    }
    // Full: a write that still fits in pages SQLite already holds (its WAL is reused after a
    // checkpoint) may go through; any other is refused. Either way the answer is ok (and then
    // stored) or unavailable, never a lost ack, and the server lives.
    let refusedAfter = 0;
    for (let k = 0; k < 20; k++) {
      const a = await call(sender, "message", { room: "faults", text: `full ${k} ${text}`, id: `full-${k}` });
      if (a.ok) load.acked.set(`full-${k}`, a.message);
      else {
        assert.equal(a.error.code, "unavailable", JSON.stringify(a));
        refusedAfter++;
      }
    }
    assert.ok(refusedAfter > 0, "a full disk refused nothing");
    const move = await call(black, "move", { game, uci: "e7e5", ply: 1 });
    if (!move.ok) assert.equal(move.error.code, "unavailable", JSON.stringify(move));
    figure(`disk filled to the last page: ${refusedAfter} of 20 messages unavailable, the move ${move.ok ? "fit" : "unavailable"}`);
    // Room again: the same server acks again.
    rmSync(filler);
    assert.equal(mount(["-o", "remount,size=64m", dir]).status, 0);
    const resumed = await call(sender, "message", { room: "faults", text: "room again", id: "after" });
    assert.equal(resumed.ok, true, JSON.stringify(resumed));
    load.acked.set("after", resumed.message);
    // The move again (a retry of one already played at that ply answers ok as well).
    assert.equal((await call(black, "move", { game, uci: "e7e5", ply: 1 })).ok, true);
    for (const s of [sender, white, black]) s.disconnect();
    const { code } = await server.stop();
    assert.equal(code, 0, server.stderr());
    server = await startKibitz(dir);
    const { checked } = await checkChatMessages(server.url, [load], "faults");
    assert.equal(checked, load.acked.size);
    const viewer = await connect(server.url, "/chess");
    const view = await call(viewer, "join", { game, name: "viewer" });
    assert.deepEqual(view.game.moves, ["e2e4", "e7e5"]);
    viewer.disconnect();
    await server.stop();
    server = null;
    assert.equal(integrityCheck(dir), "ok");
  } finally {
    if (server) await server.stop();
    spawnSync("umount", ["-l", dir]);
    root.cleanup();
  }
});
