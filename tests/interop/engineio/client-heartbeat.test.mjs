// engine.io-client 6 heartbeats with pingInterval 300 / pingTimeout 200, and the server closing a
// client that stops answering pings.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { once, startServer, until } from "../lib/server.mjs";
import { closeClient, echoAll, openClient, poll } from "../lib/eio.mjs";

const modes = {
  "polling only": { transports: ["polling"] },
  "websocket only": { transports: ["websocket"] },
  "polling upgraded to websocket": {},
};

describe("engine.io-client heartbeat", () => {
  let server;
  let socket;
  before(async () => {
    server = await startServer("conformance-server");
  });
  after(async () => {
    await closeClient(socket);
    await server?.stop();
  });

  for (const [mode, opts] of Object.entries(modes)) {
    it(`survives 4 heartbeats over ${mode}`, async () => {
      socket = await openClient(server.url, opts);
      let pings = 0;
      let closeReason = null;
      socket.on("ping", () => pings++);
      socket.on("close", (reason) => (closeReason = reason));
      await until(socket, "ping", () => pings >= 4, 5000, "4 pings");
      assert.equal(closeReason, null);
      assert.equal(socket.readyState, "open");
      assert.deepEqual(await echoAll(socket, ["still alive"]), ["still alive"]);
      if (opts.transports) assert.equal(socket.transport.name, opts.transports[0]);
      await closeClient(socket);
    });
  }

  for (const [mode, opts] of Object.entries(modes)) {
    it(`closes a client that stops answering pings over ${mode}`, async () => {
      socket = await openClient(server.url, opts);
      if (!opts.transports) await once(socket, "upgrade", 5000);
      const sid = socket.id;
      // Swallow the client's pongs from here on.
      const sendPacket = socket._sendPacket.bind(socket);
      socket._sendPacket = (type, ...rest) => (type === "pong" ? undefined : sendPacket(type, ...rest));
      const [reason] = await once(socket, "close", 5000);
      // The server's pingTimeout (200 ms) ends the session before the client's own
      // pingInterval + pingTimeout (500 ms) runs out.
      assert.equal(reason, "transport close");
      const res = await poll(server.url, sid);
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body), { code: 1, message: "Session ID unknown" });
    });
  }
});
