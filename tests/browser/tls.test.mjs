// The web chat once over TLS: the real kibitz binary with a certificate from a test CA (made by
// the test with `openssl req`), headless Chromium (--ignore-certificate-errors: the test CA is
// not in its store) on https://localhost, two people talking over wss.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { makePki, startTlsServer } from "../interop/tls/tls-lib.mjs";
import { errors, pickName, say, waitText, waitUsers } from "./chat-lib.mjs";

let pki;
let server;
let browser;
let data;
let profile;

before(async () => {
  pki = makePki();
  pki.issue(4242);
  data = mkdtempSync(path.join(tmpdir(), "kibitz-tls-browser-"));
  profile = mkdtempSync(path.join(tmpdir(), "kibitz-chromium-"));
  server = await startTlsServer("kibitz", pki, ["--data", data, "--log-level", "warn"]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--ignore-certificate-errors",
      `--disk-cache-dir=${profile}`],
  });
});

after(async () => {
  await browser?.close();
  const exit = await server?.stop();
  pki?.remove();
  rmSync(data, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
  assert.equal(exit?.code, 0, server?.stderr());
});

async function person() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  const sockets = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  await page.goto(`https://localhost:${server.port}/chat/`);
  return { page, sockets };
}

test("two people chat over https and wss", async () => {
  const alice = await person();
  await pickName(alice.page, "Alice");
  const bob = await person();
  await pickName(bob.page, "Bob");
  await waitUsers(alice.page, ["Alice", "Bob"]);
  await say(alice.page, "over TLS 🔒");
  await waitText(bob.page, "over TLS 🔒");
  assert.equal(await bob.page.evaluate(() => location.protocol), "https:");
  // The transport is a WebSocket over TLS (the client upgrades, or starts there).
  assert.ok(bob.sockets.some((u) => u.startsWith(`wss://localhost:${server.port}/socket.io/`)), bob.sockets.join(", "));
  assert.deepEqual(errors, []);
});
