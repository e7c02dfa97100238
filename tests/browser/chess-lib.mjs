// Shared by the browser tests of the chess page: the real kibitz binary, headless Chromium
// (Debian's, driven by playwright-core), and helpers to act on the board as a person would.
// Each test file runs in its own process, so this module's state is one file's.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { repoRoot } from "../interop/lib/server.mjs";
import { startChess } from "../interop/chess/helpers.mjs";

export const ARTIFACTS = path.join(repoRoot, "artifacts");
export const CAP = 15_000;

export const env = { server: null, browser: null, profile: null };
export const errors = []; // page errors, from every page

// Starts the server (startChess options) and the browser (for `before`).
export async function startAll(options) {
  mkdirSync(ARTIFACTS, { recursive: true });
  env.server = await startChess(options);
  env.profile = mkdtempSync(path.join(tmpdir(), "kibitz-chromium-"));
  env.browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", `--disk-cache-dir=${env.profile}`,
    ],
  });
  return env.server;
}

// Stops what startAll started (for `after`).
export async function stopAll() {
  await env.browser?.close();
  await env.server?.stopAndClean();
  if (env.profile) rmSync(env.profile, { recursive: true, force: true });
}

// A page of its own browser context (its own localStorage) at `url`; page errors are recorded.
export async function openPage(url, { width = 1200, height = 900 } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(CAP);
  page.on("pageerror", (e) => errors.push(`${url}: ${e.message}`));
  await page.goto(url);
  return page;
}

// A screenshot to artifacts/<prefix>-<name>.png.
export const shot = (page, name, prefix = "chess") =>
  page.screenshot({ path: path.join(ARTIFACTS, `${prefix}-${name}.png`) });

// Clicks the centre of `square` ("e2") on the page's board, whichever way it is oriented.
export async function clickSquare(page, square) {
  const box = await page.locator("#board cg-board").boundingBox();
  const black = await page.evaluate(() =>
    document.querySelector("#board .cg-wrap, #board").classList.contains("orientation-black"));
  const file = square.charCodeAt(0) - 97;
  const rank = Number(square[1]) - 1;
  const size = box.width / 8;
  const col = black ? 7 - file : file;
  const row = black ? rank : 7 - rank;
  await page.mouse.click(box.x + (col + 0.5) * size, box.y + (row + 0.5) * size);
}

export async function move(page, from, to) {
  await clickSquare(page, from);
  await clickSquare(page, to);
}

export const sanList = (page) => page.locator("#moves .san").allTextContents()
  .then((all) => all.filter((s) => s.length > 0));

export async function waitForMoves(page, count) {
  await page.waitForFunction(
    (n) => [...document.querySelectorAll("#moves .san")].filter((s) => s.textContent).length === n, count);
}

// Waits until it is this page's move (its clock row is to move and the board accepts input).
export const waitForTurn = (page) => page.waitForSelector("#player-bottom.you.to-move");

// The piece chessground shows on `square` ("white knight"), or "".
export const pieceOn = (page, square) => page.evaluate((sq) => {
  const p = [...document.querySelectorAll("#board piece")].find((x) => x.cgKey === sq && !x.classList.contains("ghost"));
  return p ? p.className.replace(/\s*(anim|fading|dragging)\s*/g, " ").trim() : "";
}, square);

// Chessground draws on the next animation frame (and animates for 180 ms), so the board is
// read until it shows `expected`, up to a few seconds; a different piece there still fails.
export async function expectPiece(page, square, expected, message) {
  await page.waitForFunction(([sq, want]) => {
    const p = [...document.querySelectorAll("#board piece")].find((x) => x.cgKey === sq && !x.classList.contains("ghost"));
    return (p ? p.className.replace(/\s*(anim|fading|dragging)\s*/g, " ").trim() : "") === want;
  }, [square, expected], { timeout: 5000 }).catch(() => {});
  assert.equal(await pieceOn(page, square), expected, message);
}
