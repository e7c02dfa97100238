// TLS configured through the environment (KIBITZ_TLS_CERT, KIBITZ_TLS_KEY, as the systemd unit's
// EnvironmentFile does): the kibitz binary serves https and wss on its port, a socket.io-client
// trusting the test CA connects over WebSocket, and its handshake is secure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { once } from "../lib/server.mjs";
import { makePki, startTlsServer } from "./tls-lib.mjs";

test("KIBITZ_TLS_CERT and KIBITZ_TLS_KEY turn TLS on", async () => {
  const pki = makePki();
  pki.issue(77);
  const data = mkdtempSync(path.join(tmpdir(), "kibitz-tls-env-"));
  const server = await startTlsServer("kibitz", pki, ["--data", data, "--log-level", "warn"], { viaEnv: true });
  try {
    assert.match(server.url, /^https:/);
    const s = io(server.url + "/chat", { ca: pki.ca, transports: ["websocket"], reconnection: false, forceNew: true });
    await once(s, "connect", 5000, { rejectOn: ["connect_error"] });
    const ack = await s.timeout(5000).emitWithAck("join", { name: "envy", room: "lobby" });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    s.disconnect();
  } finally {
    await server.stop();
    pki.remove();
    rmSync(data, { recursive: true, force: true });
  }
});
