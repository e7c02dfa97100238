// The chess page's play features in headless Chromium (npm playwright-core) against the real
// kibitz binary: a takeback offered and accepted by clicking, a premove played as soon as the
// opponent's move arrives, moves typed on the keyboard (SAN, UCI and castling), and a spectator
// stepping back through the moves with the arrow keys and the move list while the game goes on.
// Screenshots go to artifacts/chess-feature-*.png.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  clickSquare, errors, expectPiece, move, openPage, sanList, shot as shotOf, startAll, stopAll,
  waitForMoves, waitForTurn,
} from "./chess-lib.mjs";

let server;

before(async () => {
  server = await startAll();
});

after(stopAll);

const shot = (page, name) => shotOf(page, name, "chess-feature");

// Alice (white) creates a game; Bob follows its link and takes black.
async function newGame() {
  const alice = await openPage(`${server.url}/chess/`);
  await alice.fill("#name", "alice");
  await alice.click("text=White");
  await Promise.all([alice.waitForURL(/\/chess\/[a-z0-9]{16}$/), alice.click("#create")]);
  const url = alice.url();
  await alice.waitForSelector("#player-bottom.you");
  const bob = await openPage(url);
  await bob.waitForSelector('#player-bottom.you[data-color="black"]');
  return { alice, bob, url };
}

test("a takeback is offered and accepted by clicking", async () => {
  const { alice, bob } = await newGame();
  await waitForTurn(alice);
  await move(alice, "e2", "e4");
  await waitForMoves(bob, 1);
  await alice.click("#btn-takeback");
  await bob.waitForSelector("#btn-takeback-accept:not([hidden])");
  assert.match(await bob.textContent("#status"), /white asks for a takeback/);
  await shot(bob, "1-takeback-offered");
  await bob.click("#btn-takeback-accept");
  for (const p of [alice, bob]) await waitForMoves(p, 0);
  await expectPiece(alice, "e2", "white pawn");
  await expectPiece(alice, "e4", "");
  await waitForTurn(alice);
  await move(alice, "d2", "d4");
  await waitForMoves(bob, 1);
  assert.deepEqual(await sanList(bob), ["d4"]);
  await shot(alice, "2-takeback-done");
  await alice.context().close();
  await bob.context().close();
  assert.deepEqual(errors, []);
});

test("a premove is played as soon as the opponent's move arrives", async () => {
  const { alice, bob } = await newGame();
  await waitForTurn(alice);
  await move(alice, "e2", "e4");
  await waitForMoves(alice, 1);
  // Not alice's turn: d2-d4 is set as a premove.
  await move(alice, "d2", "d4");
  await alice.waitForSelector("#board square.current-premove");
  await shot(alice, "3-premove-set");
  await expectPiece(alice, "d2", "white pawn", "not played yet");
  await waitForTurn(bob);
  await move(bob, "e7", "e5");
  for (const p of [alice, bob]) await waitForMoves(p, 3);
  assert.deepEqual(await sanList(bob), ["e4", "e5", "d4"]);
  // A premove set and cancelled by a click elsewhere is not played.
  await waitForTurn(bob);
  await waitForMoves(alice, 3);
  await move(alice, "g1", "f3");
  await alice.waitForSelector("#board square.current-premove");
  await clickSquare(alice, "a5");
  await alice.waitForSelector("#board square.current-premove", { state: "detached" });
  await move(bob, "e5", "d4");
  for (const p of [alice, bob]) await waitForMoves(p, 4);
  await waitForTurn(alice);
  await expectPiece(alice, "g1", "white knight", "the cancelled premove stayed unplayed");
  await shot(alice, "4-premove-played");
  await alice.context().close();
  await bob.context().close();
  assert.deepEqual(errors, []);
});

test("moves typed on the keyboard; a spectator steps through the replay", async () => {
  const { alice, bob, url } = await newGame();
  const carol = await openPage(url);
  await carol.waitForSelector("#spectators:has-text('1 watching')");
  const typed = [[alice, "Nf3"], [bob, "d7d5"], [alice, "g3"], [bob, "Nf6"], [alice, "Bg2"],
    [bob, "e6"], [alice, "O-O"]];
  for (const [i, [page, text]] of typed.entries()) {
    await waitForTurn(page);
    await page.fill("#move-input", text);
    await page.press("#move-input", "Enter");
    await waitForMoves(carol, i + 1);
  }
  assert.deepEqual(await sanList(carol), ["Nf3", "d5", "g3", "Nf6", "Bg2", "e6", "O-O"]);
  await expectPiece(carol, "g1", "white king");
  // An illegal or unknown text is refused on the page and nothing is sent.
  await waitForTurn(bob);
  await bob.fill("#move-input", "Qh5");
  await bob.press("#move-input", "Enter");
  await bob.waitForSelector("#status:has-text('not legal')");
  await shot(alice, "5-keyboard-moves");

  // Carol steps back: the board shows the position after Nf6 (ply 4) while the game goes on.
  await carol.locator("body").click({ position: { x: 5, y: 5 } });
  for (let i = 0; i < 3; i++) await carol.keyboard.press("ArrowLeft");
  await carol.waitForSelector("#replay-text:has-text('4 of 7')");
  await expectPiece(carol, "g1", "", "the knight has left g1 and the king is not there yet");
  await expectPiece(carol, "e1", "white king");
  await expectPiece(carol, "f6", "black knight");
  await expectPiece(carol, "f1", "white bishop");
  await bob.fill("#move-input", "Be7");
  await bob.press("#move-input", "Enter");
  await waitForMoves(carol, 8);
  assert.match(await carol.textContent("#replay-text"), /4 of 8/, "the replay stays put");
  await expectPiece(carol, "f8", "black bishop", "the live move is not shown while replaying");
  await shot(carol, "6-replay");
  // Clicking the move list shows that position; End goes back to the live one.
  await carol.locator("#moves .san", { hasText: "Bg2" }).click();
  await carol.waitForSelector("#replay-text:has-text('5 of 8')");
  await expectPiece(carol, "g2", "white bishop");
  await carol.keyboard.press("ArrowRight");
  await carol.waitForSelector("#replay-text:has-text('6 of 8')");
  await carol.keyboard.press("End");
  await carol.waitForSelector("#replay-text:has-text('live')");
  await expectPiece(carol, "e7", "black bishop");
  // Players cannot step back during their game.
  await alice.keyboard.press("ArrowLeft");
  await expectPiece(alice, "e7", "black bishop");
  for (const p of [alice, bob, carol]) await p.context().close();
  assert.deepEqual(errors, []);
});

test("the list of recent games links to a finished game's replay", async () => {
  const { alice, bob, url } = await newGame();
  await waitForTurn(alice);
  await move(alice, "e2", "e4");
  await waitForTurn(bob);
  await move(bob, "e7", "e5");
  await waitForMoves(alice, 2);
  alice.once("dialog", (d) => d.accept());
  await alice.click("#btn-resign");
  await alice.click("#btn-resign");
  await bob.waitForSelector("#banner:not([hidden])");
  const list = await openPage(`${server.url}/chess/games`);
  const row = list.locator(`#games-list tr[data-id="${url.split("/").at(-1)}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /alice.*0-1 \(resignation\).*3\+2/s);
  await shot(list, "7-recent-games");
  await Promise.all([list.waitForURL(url), row.locator("a", { hasText: "Replay" }).click()]);
  await waitForMoves(list, 2);
  await list.keyboard.press("ArrowLeft");
  await list.waitForSelector("#replay-text:has-text('1 of 2')");
  await expectPiece(list, "e7", "black pawn");
  for (const p of [alice, bob, list]) await p.context().close();
  assert.deepEqual(errors, []);
});

test("move confirmation, sounds and the 'your turn' title flag while hidden", async () => {
  const { alice, bob } = await newGame();
  await waitForTurn(alice);
  await alice.check("#opt-confirm");
  await move(alice, "e2", "e4");
  await alice.waitForSelector("#confirm:not([hidden])");
  assert.match(await alice.textContent("#confirm-text"), /e2e4/);
  await shot(alice, "8-confirm");
  await alice.click("#btn-cancel");
  await expectPiece(alice, "e2", "white pawn", "cancelled: not sent");
  await move(alice, "e2", "e4");
  const fetched = bob.waitForResponse((r) => r.url() === `${server.url}/chess/sounds/move.wav`);
  await alice.click("#btn-confirm");
  await waitForMoves(bob, 1);
  await bob.waitForFunction(() => document.body.dataset.lastSound === "move");
  // The sound is a file this server serves: nothing is fetched from anywhere else.
  const wav = await fetched;
  assert.ok([200, 206].includes(wav.status()), `status ${wav.status()}`);
  assert.equal(wav.headers()["content-type"], "audio/wav");
  const file = await fetch(`${server.url}/chess/sounds/move.wav`);
  assert.equal(Buffer.from(await file.arrayBuffer()).subarray(0, 4).toString(), "RIFF");
  // Alice's page goes to the background; Bob's reply flags her title.
  await alice.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await waitForTurn(bob);
  await move(bob, "d7", "d5");
  await alice.waitForFunction(() => document.title.startsWith("● Your turn"));
  await alice.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await alice.waitForFunction(() => !document.title.startsWith("●"));
  // A capture sounds as one.
  await move(alice, "e4", "d5");
  await alice.click("#btn-confirm");
  await bob.waitForFunction(() => document.body.dataset.lastSound === "capture");
  for (const p of [alice, bob]) await p.context().close();
  assert.deepEqual(errors, []);
});
