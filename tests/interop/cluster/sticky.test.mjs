// Sticky sessions for long-polling through HAProxy (deploy/haproxy.cfg, Debian's haproxy) in
// front of two Kibitz nodes: polling-only socket.io-clients that keep the SRV cookie
// (`withCredentials: true`) reach their node with every request and get every ack; the negative
// control, the same config without the cookie, shows why it is needed (requests of one session
// land on the other node: "Session ID unknown").

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { withTimeout } from "../lib/server.mjs";
import { startChat } from "../chat/chat.mjs";
import { startHaproxy as startLb, deployConfig } from "../cluster-apps/haproxy.mjs";

const CLIENTS = 10;
let nodes = [];

before(async () => {
  nodes = await Promise.all([startChat(), startChat()]);
});

after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

const startHaproxy = (config, name) =>
  startLb({ config, name, dir: nodes[0].dataDir, ports: nodes.map((n) => n.port) });

// One polling-only client: connects to /chat, joins, sends a message. Resolves true when every
// step was acked, false when the session broke.
async function pollingClient(url, i) {
  const socket = io(`${url}/chat`, { transports: ["polling"], upgrade: false, withCredentials: true, forceNew: true, reconnection: false });
  try {
    return await withTimeout(
      new Promise((resolve) => {
        socket.once("connect_error", () => resolve(false));
        socket.once("disconnect", () => resolve(false));
        socket.once("connect", async () => {
          try {
            const join = await socket.timeout(5000).emitWithAck("join", { name: `p${i}`, room: "sticky" });
            if (!join.ok) return resolve(false);
            for (let k = 0; k < 3; k++) {
              const sent = await socket.timeout(5000).emitWithAck("message", { room: "sticky", text: `hello ${k}` });
              if (!sent.ok) return resolve(false);
            }
            resolve(true);
          } catch {
            resolve(false);
          }
        });
      }),
      20_000,
      `polling client ${i}`,
    );
  } finally {
    socket.disconnect();
  }
}

const config = deployConfig();

test("with the SRV cookie every polling client keeps its node: all acked", async () => {
  const lb = await startHaproxy(config, "sticky");
  try {
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => pollingClient(lb.url, i)));
    assert.equal(results.filter(Boolean).length, CLIENTS);
  } finally {
    await lb.stop();
  }
});

test("negative control: without the cookie, polling sessions break", async () => {
  const plain = config.split("\n").filter((l) => !/^\s*cookie\b/.test(l)).map((l) => l.replace(/ cookie n\d/, "")).join("\n");
  assert.ok(!/cookie/.test(plain.replace(/^#.*$/gm, "")));
  const lb = await startHaproxy(plain, "plain");
  try {
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => pollingClient(lb.url, 100 + i)));
    const ok = results.filter(Boolean).length;
    console.log(`# sticky: without the cookie ${ok} of ${CLIENTS} polling clients got through`);
    assert.ok(ok <= 2, `${ok} of ${CLIENTS} polling clients got through without sticky sessions`);
  } finally {
    await lb.stop();
  }
});
