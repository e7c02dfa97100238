// The official Socket.IO Admin UI (@socket.io/admin-ui 0.5.1's own bundle, served by kibitz at
// /admin/ with its fonts and icons local: scripts/admin-ui.sh) in headless Chromium, driven by
// npm playwright-core against the real kibitz binary in development mode. A wrong password is
// refused; the right one shows this server, its namespaces and a connected test socket, and
// the socket's disconnect button disconnects it. No request leaves the server's origin.
// Screenshots go to artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { repoRoot } from "../interop/lib/server.mjs";
import { startKibitzAdmin, connectTo, USER, PASSWORD } from "../interop/admin/lib.mjs";

const ARTIFACTS = path.join(repoRoot, "artifacts");
const CAP = 10_000;
const SERVER_ID = "kibitz-browser";

let server;
let browser;
let profile;
let page;
const foreign = []; // requests to anywhere but the server

before(async () => {
  server = await startKibitzAdmin(["--admin-server-id", SERVER_ID]);
  profile = mkdtempSync(path.join(tmpdir(), "kibitz-chromium-"));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", `--disk-cache-dir=${profile}`],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Anything but the server itself is recorded and refused: the UI must work offline.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url) || url.startsWith(server.url.replace("http", "ws"))) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  const exit = await server?.stop();
  rmSync(profile, { recursive: true, force: true });
  assert.equal(exit?.code, 0, server?.stderr());
});

async function shot(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-${name}.png`) });
}

async function login(password) {
  await page.getByLabel("Server URL").fill(server.url);
  await page.getByLabel("Username").fill(USER);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Connect" }).click();
}

test("the Admin UI refuses a wrong password, then shows this server and a socket, and disconnects it", async () => {
  const t = await connectTo(server.url, "/", { transports: ["websocket"] });
  const tid = t.id;
  await page.goto(server.url + "/admin/");
  await shot("1-login");

  await login("not-the-password");
  await page.getByText("Invalid credentials").waitFor({ timeout: CAP });
  await shot("2-refused");
  await login(PASSWORD);
  await page.locator(".v-chip", { hasText: /^\s*connected\s*$/i }).first().waitFor({ timeout: CAP });

  // The dashboard's namespaces card: "/" with the test socket, and the admin namespace.
  const namespaces = page.locator(".v-card", { hasText: "Namespaces" });
  await namespaces.getByText("/admin", { exact: true }).waitFor({ timeout: CAP });
  await namespaces.getByText("/", { exact: true }).waitFor({ timeout: CAP });
  await shot("3-dashboard");

  // The servers page names this server by its id.
  await page.getByRole("navigation").getByRole("link", { name: "Servers" }).click();
  await page.getByText(SERVER_ID).first().waitFor({ timeout: CAP });
  await shot("4-servers");

  // The sockets page lists the test socket; its disconnect button disconnects it.
  await page.getByRole("navigation").getByRole("link", { name: "Sockets" }).click();
  const row = page.locator(".v-data-table tbody tr", { hasText: tid }).first();
  await row.waitFor({ timeout: CAP });
  await shot("5-sockets");
  const gone = new Promise((resolve) => t.once("disconnect", resolve));
  await row.locator("button").first().click();
  assert.equal(await gone, "io server disconnect");
  // The list no longer has it (socket_disconnected reached the UI).
  await page.getByRole("navigation").getByRole("link", { name: "Sockets" }).click();
  await page.waitForURL(/#\/sockets$/, { timeout: CAP });
  await page.getByText("Select namespace").first().waitFor({ timeout: CAP });
  await row.waitFor({ state: "detached", timeout: CAP });
  await shot("6-disconnected");

  assert.deepEqual(foreign, [], "the UI asked for nothing outside the server");
});
