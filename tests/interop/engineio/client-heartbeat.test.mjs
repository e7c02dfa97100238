// engine.io-client 6 heartbeats with pingInterval 300 / pingTimeout 200, and the server closing a
// client that stops answering pings.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { once, until } from "../lib/server.mjs";
import { closeClient, echoAll, openClient, poll, withEchoServer } from "../lib/eio.mjs";

const modes = {
  "polling only": { transports: ["polling"] },
  "websocket only": { transports: ["websocket"] },
  "polling upgraded to websocket": {},
};

describe("engine.io-client heartbeat", () => {
  const fx = withEchoServer();

  for (const [mode, opts] of Object.entries(modes)) {
    it(`survives 4 heartbeats over ${mode}`, async () => {
      fx.socket = await openClient(fx.server.url, opts);
      let pings = 0;
      let closeReason = null;
      fx.socket.on("ping", () => pings++);
      fx.socket.on("close", (reason) => (closeReason = reason));
      await until(fx.socket, "ping", () => pings >= 4, 5000, "4 pings");
      assert.equal(closeReason, null);
      assert.equal(fx.socket.readyState, "open");
      assert.deepEqual(await echoAll(fx.socket, ["still alive"]), ["still alive"]);
      if (opts.transports) assert.equal(fx.socket.transport.name, opts.transports[0]);
      await closeClient(fx.socket);
    });
  }

  for (const [mode, opts] of Object.entries(modes)) {
    it(`closes a client that stops answering pings over ${mode}`, async () => {
      fx.socket = await openClient(fx.server.url, opts);
      if (!opts.transports) await once(fx.socket, "upgrade", 5000);
      const sid = fx.socket.id;
      // Swallow the client's pongs from here on.
      const sendPacket = fx.socket._sendPacket.bind(fx.socket);
      fx.socket._sendPacket = (type, ...rest) => (type === "pong" ? undefined : sendPacket(type, ...rest));
      const [reason] = await once(fx.socket, "close", 5000);
      // The server's pingTimeout (200 ms) ends the session before the client's own
      // pingInterval + pingTimeout (500 ms) runs out.
      assert.equal(reason, "transport close");
      const res = await poll(fx.server.url, sid);
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body), { code: 1, message: "Session ID unknown" });
    });
  }
});
