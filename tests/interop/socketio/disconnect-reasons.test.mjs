// The reasons a server-side socket reports when it leaves, spelled as socket.io 4.8 spells them
// (packages/socket.io/lib/socket.ts, DisconnectReason), read back from sio-test-server's log of
// disconnects, with the reason the client sees where there is a socket.io-client.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "../lib/server.mjs";
import {
  call,
  CAP_MS,
  closeAll,
  connect,
  openRaw,
  serverDisconnect,
  startSio,
  stopClean,
} from "../lib/sio.mjs";

describe("server-side disconnect reasons", () => {
  let server;
  let observer;
  before(async () => {
    // Short heartbeats so a silent client times out quickly, with room for a loaded machine.
    server = await startSio(["--ping-interval", "300", "--ping-timeout", "1000"]);
    observer = await connect(server.url);
  });
  after(async () => {
    closeAll(observer);
    await stopClean(server);
  });

  it("client namespace disconnect: the client leaves", async () => {
    const s = await connect(server.url);
    const id = s.id;
    s.disconnect();
    assert.equal((await serverDisconnect(observer, id)).reason, "client namespace disconnect");
  });

  it("server namespace disconnect: socket.disconnect()", async () => {
    const s = await connect(server.url);
    // A second namespace on the same connection, so the client keeps the connection open.
    const other = s.io.socket("/a"); // connects by itself: the Manager is open
    await once(other, "connect", CAP_MS);
    const id = s.id;
    const gone = once(s, "disconnect", CAP_MS);
    s.emit("disconnect-me", { close: false });
    assert.deepEqual((await gone)[0], "io server disconnect");
    assert.equal((await serverDisconnect(observer, id)).reason, "server namespace disconnect");
    assert.equal(await call(other, "echo", "same connection"), "same connection");
    closeAll(other);
  });

  it("server namespace disconnect then a closed connection: socket.disconnect(true)", async () => {
    const s = await connect(server.url, "/", { transports: ["websocket"] });
    const id = s.id;
    const gone = once(s, "disconnect", CAP_MS);
    const engineClosed = once(s.io.engine, "close", CAP_MS);
    s.emit("disconnect-me", { close: true });
    assert.deepEqual((await gone)[0], "io server disconnect");
    await engineClosed;
    assert.equal((await serverDisconnect(observer, id)).reason, "server namespace disconnect");
  });

  for (const transports of [["polling"], ["websocket"]]) {
    it(`transport close: the client closes its ${transports[0]} connection`, async () => {
      const s = await connect(server.url, "/", { transports });
      const id = s.id;
      s.io.engine.close();
      assert.equal((await serverDisconnect(observer, id)).reason, "transport close");
    });
  }

  it("transport close: the TCP connection drops", async () => {
    const raw = await openRaw(server.port);
    const { sid } = await raw.connect("/");
    raw.destroy();
    assert.equal((await serverDisconnect(observer, sid)).reason, "transport close");
  });

  it("ping timeout: the client stops answering pings", async () => {
    const raw = await openRaw(server.port);
    const { sid } = await raw.connect("/");
    raw.silent = true;
    assert.equal((await serverDisconnect(observer, sid)).reason, "ping timeout");
    raw.destroy();
  });

  it("parse error: the client sends a malformed packet", async () => {
    const raw = await openRaw(server.port);
    const { sid } = await raw.connect("/");
    raw.send("2[1]");
    await raw.closed();
    assert.equal((await serverDisconnect(observer, sid)).reason, "parse error");
  });

  it("every socket of a connection gets the reason", async () => {
    const raw = await openRaw(server.port);
    const { sid: main } = await raw.connect("/");
    const { sid: other } = await raw.connect("/a");
    raw.send("9");
    await raw.closed();
    assert.equal((await serverDisconnect(observer, main)).reason, "parse error");
    const record = await serverDisconnect(observer, other);
    assert.deepEqual(record, { id: other, nsp: "/a", reason: "parse error" });
    assert.equal(await call(observer, "echo", "still"), "still");
  });
});
