// The chess page (web/chess/) in headless Chromium, driven by npm playwright-core against the
// real kibitz binary: two players meet through the lobby and play fool's mate by clicking
// squares, a spectator sees every move, and a reload keeps the seat and the clock; two players
// chat in the game's chat, which is offered only names the chess server took; an old upper-case
// game address still leads to the game.
// Screenshots go to artifacts/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { startChess } from "../interop/chess/helpers.mjs";
import {
  errors, move, openPage, sanList, shot, startAll, stopAll, waitForMoves, waitForTurn,
} from "./chess-lib.mjs";

let server;

before(async () => {
  server = await startAll();
});

after(stopAll);

test("two players meet in the lobby and play fool's mate by clicking; a spectator watches", async () => {
  // Alice creates a game with a clock, as white.
  const alice = await openPage(`${server.url}/chess/`);
  await alice.fill("#name", "alice");
  await alice.click("text=White");
  await alice.click("text=3+2");
  await shot(alice, "1-lobby");
  await Promise.all([alice.waitForURL(/\/chess\/[A-Za-z0-9_-]{8,}$/), alice.click("#create")]);
  const gameUrl = alice.url();
  await alice.waitForSelector("#player-bottom.you");
  assert.match(await alice.textContent("#status"), /Waiting for an opponent/);

  // Bob finds it in the lobby and joins.
  const bob = await openPage(`${server.url}/chess/`);
  await bob.fill("#name", "bob");
  const entry = bob.locator("#lobby-list li", { hasText: "alice" });
  await entry.waitFor();
  assert.match(await entry.textContent(), /3\+2/);
  await shot(bob, "2-lobby-with-game");
  await Promise.all([bob.waitForURL(gameUrl), entry.locator("a").click()]);
  await bob.waitForSelector('#player-bottom.you[data-color="black"]');

  // Carol watches.
  const carol = await openPage(gameUrl);
  await carol.waitForSelector("#spectators:has-text('1 watching')");
  await alice.waitForSelector("#spectators:has-text('1 watching')");
  assert.equal(await carol.locator("#player-bottom.you").count(), 0);

  const plies = [[alice, "f2", "f3", "f3"], [bob, "e7", "e5", "e5"], [alice, "g2", "g4", "g4"]];
  for (const [i, [page, from, to, san]] of plies.entries()) {
    await waitForTurn(page);
    await move(page, from, to);
    for (const p of [alice, bob, carol]) await waitForMoves(p, i + 1);
    assert.equal((await sanList(carol)).at(-1), san, "the spectator sees every move");
  }
  await shot(carol, "3-spectator-mid-game");

  // Black's clock runs now; a reload keeps bob's seat and his clock.
  await bob.waitForSelector("#player-bottom .clock.running");
  const before = await bob.textContent("#player-bottom .clock");
  await bob.reload();
  await bob.waitForSelector('#player-bottom.you.to-move[data-color="black"]');
  await waitForMoves(bob, 3);
  const afterText = await bob.textContent("#player-bottom .clock");
  const secs = (t) => t.split(":").reduce((a, b) => a * 60 + Number(b), 0);
  assert.ok(secs(afterText) <= secs(before) && secs(afterText) >= secs(before) - 10,
    `clock ${before} before the reload, ${afterText} after`);
  assert.ok(secs(afterText) <= 182, "3:00 plus one increment at most");
  await shot(bob, "4-after-reload");

  // Qh4#.
  await waitForTurn(bob);
  await move(bob, "d8", "h4");
  for (const p of [alice, bob, carol]) {
    await p.waitForSelector("#banner:not([hidden])");
    assert.equal((await p.textContent("#banner")).trim(), "Black wins by checkmate");
    assert.deepEqual(await sanList(p), ["f3", "e5", "g4", "Qh4#"]);
  }
  await alice.waitForSelector("#btn-rematch:not([hidden])");
  await shot(alice, "5-mated-white");
  await shot(bob, "6-mated-black");
  await shot(carol, "7-mated-spectator");
  assert.deepEqual(errors, []);
});

// The game chat: the page embeds <kibitz-chat room="game:<id>">; game ids are lower-case, so
// the room is valid and both players read each other's messages.
test("two players chat in the game's chat", async () => {
  const alice = await openPage(`${server.url}/chess/`);
  await alice.fill("#name", "anna");
  await alice.click("text=White");
  await Promise.all([alice.waitForURL(/\/chess\/[a-z0-9_-]{8,}$/), alice.click("#create")]);
  const gameUrl = alice.url();
  const id = gameUrl.split("/").at(-1);
  const bob = await openPage(gameUrl);
  await bob.waitForSelector('#player-bottom.you[data-color="black"]');
  assert.equal(await alice.getAttribute("#chat", "room"), `game:${id}`);

  // Each player's chat joins with the seat's name at once: no second name form.
  async function inChat(page, name) {
    await page.locator("kibitz-chat textarea").waitFor();
    assert.equal(await page.locator("kibitz-chat .welcome").isVisible(), false);
    await page.locator("kibitz-chat .user-item", { hasText: name }).first().waitFor({ state: "attached" });
  }
  const say = async (page, text) => {
    const box = page.locator("kibitz-chat textarea");
    await box.fill(text);
    await box.press("Enter");
  };
  const sees = (page, text) =>
    page.locator("kibitz-chat .msg:not(.pending) .text").filter({ hasText: text }).first().waitFor();

  // Bob followed the link without typing a name: he plays, and chats, as his guest name.
  const bert = (await bob.textContent("#player-bottom .pname")).trim();
  assert.match(bert, /^guest\d{4}$/);
  await inChat(alice, "anna");
  await inChat(bob, bert);
  await bob.locator("kibitz-chat .user-item", { hasText: "anna" }).first().waitFor({ state: "attached" });
  await say(alice, "good luck, bert");
  await sees(bob, "good luck, bert");
  await say(bob, "have fun, anna");
  await sees(alice, "have fun, anna");
  await sees(alice, "good luck, bert");
  // The side column is narrow: the chat's rooms and people are behind its menu button.
  assert.equal(await alice.locator("kibitz-chat aside").isVisible(), false);
  await shot(alice, "8-game-chat");
  await alice.locator("kibitz-chat .menu-btn").click();
  await alice.locator("kibitz-chat aside .user-item", { hasText: bert }).waitFor();
  await shot(alice, "8b-game-chat-people");
  assert.deepEqual(errors, []);
});

// Names: /chess and /chat share one validator, and the page offers the game chat only a name the
// chess server took: the one typed in the lobby, else a guest name for a kept name that is
// refused (here "admin", reserved in both); the chat takes the name it is offered.
test("the game chat is offered the name the chess server took, never a refused one", async () => {
  const alice = await openPage(`${server.url}/chess/`);
  await alice.fill("#name", "alina");
  await alice.click("text=White");
  await Promise.all([alice.waitForURL(/\/chess\/[a-z0-9_-]{8,}$/), alice.click("#create")]);
  const gameUrl = alice.url();
  await alice.waitForSelector("#player-bottom.you");
  assert.equal(await alice.getAttribute("#chat", "name"), "alina");

  // Bob types his name in the lobby and follows the game's link: he plays as "bob".
  const bob = await openPage(`${server.url}/chess/`);
  await bob.fill("#name", "bob");
  const entry = bob.locator("#lobby-list li", { hasText: "alina" });
  await Promise.all([bob.waitForURL(gameUrl), entry.locator("a").click()]);
  await bob.waitForSelector('#player-bottom.you[data-color="black"]');
  assert.equal((await bob.textContent("#player-bottom .pname")).trim(), "bob");
  assert.equal(await bob.getAttribute("#chat", "name"), "bob");
  assert.equal(await bob.evaluate(() => localStorage.getItem("kibitz.chess.name")), "bob");

  // Carol's page kept a name both servers refuse: she watches as a guest, and the chat is
  // offered the guest name, which it takes.
  const carol = await openPage(`${server.url}/chess/`);
  await carol.evaluate(() => localStorage.setItem("kibitz.chess.name", "admin"));
  await carol.goto(gameUrl);
  await carol.waitForSelector("#spectators:has-text('1 watching')");
  const offered = await carol.getAttribute("#chat", "name");
  assert.match(offered, /^guest\d{4}$/);
  assert.equal(await carol.evaluate(() => localStorage.getItem("kibitz.chess.name")), offered);
  const input = carol.locator("kibitz-chat input[name=name]");
  assert.equal(await input.inputValue(), offered);
  await carol.locator("kibitz-chat .welcome button[type=submit]").click();
  await carol.locator("kibitz-chat textarea").waitFor();
  // Asked once: after a reload her chat joins with what she picked, without the form.
  await carol.reload();
  await carol.locator("kibitz-chat textarea").waitFor();
  await carol.locator("kibitz-chat .user-item", { hasText: offered }).first().waitFor({ state: "attached" });
  assert.equal(await carol.locator("kibitz-chat .welcome").isVisible(), false);

  // A spectator whose page kept a name she typed once joins the game chat with it at once.
  const dora = await openPage(`${server.url}/chess/`);
  await dora.evaluate(() => localStorage.setItem("kibitz.chess.name", "dora"));
  await dora.goto(gameUrl);
  await dora.waitForSelector("#spectators:has-text('2 watching')");
  await dora.locator("kibitz-chat .user-item", { hasText: "dora" }).first().waitFor({ state: "attached" });
  assert.equal(await dora.locator("kibitz-chat .welcome").isVisible(), false);
  assert.deepEqual(errors, []);
});

// A game stored by an older build under an upper-case id: its old address still opens it, the
// page follows it to the lower-case id and keeps the seat with the token it had saved.
test("an old upper-case game address leads to the game, seat kept", async () => {
  let old = await startChess();
  const dir = old.dir;
  try {
    const alice = await openPage(`${old.url}/chess/`);
    await alice.fill("#name", "alice");
    await alice.click("text=White");
    await Promise.all([alice.waitForURL(/\/chess\/[a-z0-9_-]{8,}$/), alice.click("#create")]);
    const id = alice.url().split("/").at(-1);
    const token = await alice.evaluate((k) => localStorage.getItem(k), `kibitz.chess.token.${id}`);
    assert.ok(token);
    await alice.context().close();
    await old.stop();
    const oldId = "OldGame12AbC";
    const py = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n" +
      "c.executescript(\"DROP INDEX games_finished; ALTER TABLE games DROP COLUMN takeback_offer; ALTER TABLE games DROP COLUMN clock_history; ALTER TABLE games DROP COLUMN white_lag_ms; ALTER TABLE games DROP COLUMN black_lag_ms; ALTER TABLE games DROP COLUMN ended_at; DROP TABLE game_aliases; DROP TABLE identities; DROP INDEX messages_from_key; DROP INDEX messages_to_key; ALTER TABLE messages DROP COLUMN action; ALTER TABLE messages DROP COLUMN mentions; ALTER TABLE messages DROP COLUMN edited; ALTER TABLE messages DROP COLUMN deleted; PRAGMA user_version = 2; UPDATE games SET id = '" +
      oldId + "' WHERE id = '\" + sys.argv[2] + \"';\")\nc.commit()";
    const r = spawnSync("/usr/bin/python3", ["-c", py, path.join(dir, "kibitz.db"), id], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);

    old = await startChess({ dir });
    const page = await openPage(`${old.url}/chess/`);
    await page.evaluate(([k, v]) => localStorage.setItem(k, v), [`kibitz.chess.token.${oldId}`, token]);
    await Promise.all([page.waitForURL(`${old.url}/chess/${oldId.toLowerCase()}`), page.goto(`${old.url}/chess/${oldId}`)]);
    await page.waitForSelector('#player-bottom.you[data-color="white"]');
    assert.match(await page.textContent("#status"), /Waiting for an opponent/);
    assert.equal(await page.getAttribute("#chat", "room"), `game:${oldId.toLowerCase()}`);
    await shot(page, "9-old-address");
  } finally {
    await old.stopAndClean();
  }
  assert.deepEqual(errors, []);
});
