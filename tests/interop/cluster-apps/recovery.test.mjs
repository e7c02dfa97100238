// Connection state recovery of /chat across two kibitz nodes (kibitz --redis-protocol streams
// --recovery-window): a chat client behind a small TCP proxy (the load balancer) loses its
// transport on node A and comes back through node B with `recovered: true`, its old id, and the
// room's message it missed, once; its page joins again with its token and the chat goes on
// across the nodes. Negative control: with the classic protocol the same move comes back new.
// The recovery flags' bad values are refused at start.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { startProxy } from "../cluster/lib/proxy.mjs";
import { binDir } from "../lib/server.mjs";
import { joined, call, closeAll, reconnectingChat, tempData } from "../chat/chat.mjs";
import { freshCluster, startNode, withStores } from "./lib.mjs";

const WINDOW = ["--recovery-window", "60000", "--recovery-restore-timeout", "5000"];

const stores = withStores();

// ann joins the lobby through the proxy on node A and bob on node B; ann's transport is dropped
// while the proxy holds new connections, bob says something, and the proxy lets ann through to
// B. Returns what ann saw, her first id and join, and bob.
async function moveAcrossNodes(protocol) {
  const cluster = freshCluster(stores.pg, stores.redis);
  const flags = ["--redis-protocol", protocol, ...WINDOW];
  const [a, b] = await Promise.all([startNode(cluster, flags), startNode(cluster, flags)]);
  const proxy = await startProxy();
  proxy.to(a.port);
  const ann = reconnectingChat(proxy.url);
  let bob;
  try {
    await ann.until("ann connected", () => ann.connects.length === 1);
    const annJoin = await ann.call("join", { name: "ann", room: "lobby" });
    assert.equal(annJoin.ok, true, JSON.stringify(annJoin));
    bob = await joined(b.url, "bob");
    // ann has an offset to come back with once she hears of bob.
    await ann.until("ann hears bob", () =>
      ann.of("users").some((e) => JSON.stringify(e.args[0].users) === '["ann","bob"]'));
    const firstId = ann.socket.id;

    proxy.hold();
    proxy.to(b.port);
    proxy.drop();
    await ann.until("ann's transport closed", () => ann.of("(disconnect)").length === 1);
    assert.equal(ann.of("(disconnect)")[0].args[0], "transport close");
    await bob.rec.until("user left", (l) => l.some((u) => u.name === "ann"));
    const sent = await call(bob.socket, "message", { room: "lobby", text: "while you were away" });
    assert.equal(sent.ok, true, JSON.stringify(sent));
    proxy.release();
    await ann.until("ann back", () => ann.connects.length === 2);
    return { a, b, proxy, ann, annJoin, bob, firstId };
  } catch (e) {
    closeAll(ann.socket, bob?.socket);
    await proxy.close();
    await Promise.all([a.close(), b.close()]);
    throw e;
  }
}

async function finish({ a, b, proxy, ann, bob }) {
  closeAll(ann.socket, bob.socket);
  await proxy.close();
  await Promise.all([a.close(), b.close()]);
}

test("streams: a chat client recovers on the other node with what it missed, once", async () => {
  const run = await moveAcrossNodes("streams");
  const { ann, annJoin, bob, firstId } = run;
  try {
    assert.deepEqual(ann.connects[1], { id: firstId, recovered: true });
    const missed = () => ann.of("message").filter((e) => e.args[0].text === "while you were away");
    await ann.until("the missed message", () => missed().length === 1);
    assert.equal(missed()[0].phase, 2, "delivered on the recovered connection");
    assert.equal(missed()[0].args[0].from, "bob");

    // The page joins again with its token: the same identity, presence across both nodes.
    const again = await ann.call("join", { name: "ann", room: "lobby", token: annJoin.token });
    assert.equal(again.ok, true, JSON.stringify(again));
    assert.equal(again.token, annJoin.token);
    assert.deepEqual(again.users, ["ann", "bob"]);
    await bob.rec.until("user joined", (l) => l.some((u) => u.name === "ann"));
    const back = await ann.call("message", { room: "lobby", text: "back on node B" });
    assert.equal(back.ok, true, JSON.stringify(back));
    await bob.rec.until("message", (l) => l.some((m) => m.text === "back on node B"), undefined, "ann's message on bob's node");
    assert.equal(missed().length, 1, "the missed message came once");
    const offsets = ann.events.filter((e) => typeof e.args.at(-1) === "string").map((e) => e.args.at(-1));
    assert.equal(new Set(offsets).size, offsets.length, `an offset twice: ${offsets}`);
  } finally {
    await finish(run);
  }
});

test("negative control, classic protocol: the same move comes back as a new socket", async () => {
  const run = await moveAcrossNodes("classic");
  const { ann, firstId } = run;
  try {
    assert.equal(ann.connects[1].recovered, false);
    assert.notEqual(ann.connects[1].id, firstId);
    assert.equal(ann.of("message").length, 0, "nothing replayed to a new socket");
  } finally {
    await finish(run);
  }
});

test("bad recovery flags are refused at start with a clear message", () => {
  const data = tempData();
  const run = (...args) =>
    spawnSync(path.join(binDir(), "kibitz"), ["--port", "0", "--data", data.dir, ...args], {
      encoding: "utf8",
      timeout: 10_000,
    });
  for (const [flag, value] of [
    ["--recovery-restore-timeout", "0"],
    ["--recovery-restore-packets", "0"],
    ["--recovery-restore-packets", "many"],
  ]) {
    const r = run("--recovery-window", "60000", flag, value);
    assert.equal(r.status, 2, `${flag} ${value}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`bad value for ${flag}`));
  }
  data.cleanup();
});
