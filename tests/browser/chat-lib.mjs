// Shared by the browser tests of the web chat: the real kibitz binary, a TCP proxy the tests can
// cut, headless Chromium (Debian's, driven by playwright-core), and helpers to act as a person.
// Each test file runs in its own process, so this module's state is one file's.

import net from "node:net";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { repoRoot } from "../interop/lib/server.mjs";
import { startChat } from "../interop/chat/chat.mjs";

export const ARTIFACTS = path.join(repoRoot, "artifacts");
export const CAP = 10_000;

export const env = { server: null, proxy: null, browser: null, profile: null };
export const errors = []; // page errors and XSS markers, from every page

// A TCP proxy to `port` that can drop every connection and refuse new ones until restored.
export function startProxy(port) {
  const open = new Set();
  let up = true;
  const srv = net.createServer((client) => {
    if (!up) return client.destroy();
    const upstream = net.connect(port, "127.0.0.1");
    open.add(client);
    open.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  return new Promise((resolve) => {
    srv.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${srv.address().port}`,
        cut() {
          up = false;
          for (const s of open) s.destroy();
          open.clear();
        },
        restore() {
          up = true;
        },
        close: () => new Promise((r) => {
          for (const s of open) s.destroy();
          srv.close(r);
        }),
      });
    });
  });
}

// Starts the server with `args`, the proxy and the browser (for `before`).
export async function startAll(args) {
  mkdirSync(ARTIFACTS, { recursive: true });
  env.server = await startChat(args);
  env.proxy = await startProxy(env.server.port);
  env.profile = mkdtempSync(path.join(tmpdir(), "kibitz-chromium-"));
  env.browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--disk-cache-dir=${env.profile}`,
    ],
  });
}

// Stops what startAll started (for `after`).
export async function stopAll() {
  await env.browser?.close();
  await env.proxy?.close();
  await env.server?.close();
  if (env.profile) rmSync(env.profile, { recursive: true, force: true });
}

// A person: their own browser context (own localStorage) and page on the chat, straight to the
// server or (`viaProxy`) through the proxy the tests cut.
export async function person(opts = {}, viaProxy = false) {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 720 }, ...opts });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    errors.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on("console", (m) => {
    if (m.text().includes("XSS")) errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${viaProxy ? env.proxy.url : env.server.url}/chat/`);
  return { context, page };
}

export async function pickName(page, name) {
  await page.locator("kibitz-chat input[name=name]").fill(name);
  await page.locator("kibitz-chat .welcome button[type=submit]").click();
  await page.locator("kibitz-chat .me").filter({ hasText: `as ${name}` }).waitFor({ timeout: CAP });
}

export async function say(page, text) {
  const box = page.locator("kibitz-chat textarea");
  await box.fill(text);
  await box.press("Enter");
}

// The texts of the messages the page shows (acked ones, not those still sending).
export function texts(page) {
  return page.locator("kibitz-chat .msg:not(.pending) .text").allTextContents();
}

export async function waitText(page, text) {
  await page.locator("kibitz-chat .msg:not(.pending) .text").filter({ hasText: text }).first().waitFor({ timeout: CAP });
}

export async function users(page) {
  return page.locator("kibitz-chat .user-btn .label").allTextContents();
}

export async function waitUsers(page, names) {
  await page.waitForFunction(
    (want) => {
      const root = document.querySelector("kibitz-chat").shadowRoot;
      const got = [...root.querySelectorAll(".user-btn .label")].map((e) => e.textContent);
      return want.every((n) => got.includes(n));
    },
    names,
    { timeout: CAP },
  );
}

export const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `chat-${name}.png`) });

