// The chess page (web/chess/) when the server forgot its seat (in a cluster, a game's new owner
// that does not know a connection yet): a move refused with `not_a_player` makes the page join
// again with the seat's token, by itself, and send nothing else: the move is not replayed; the
// player sees why, plays it again, and it is played once. A join answered `unavailable` (a game
// whose node died and that no node has taken over yet) is asked again by the page itself. The
// refusals are made by a WebSocket route of the test's own between the page and the real
// kibitz binary (playwright-core's routeWebSocket): it answers the page's request itself and
// never passes it on.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  env, errors, expectPiece, move, openPage, shot, startAll, stopAll, waitForMoves, waitForTurn, CAP,
} from "./chess-lib.mjs";

let server;
before(async () => {
  server = await startAll();
});
after(stopAll);

// A page whose WebSocket goes through a route: `sent` holds every text frame the page sent on;
// the first `move` once `refuse.armed` is answered `not_a_player` instead, and the first
// `refuse.joins` joins `unavailable`, without reaching the server.
async function routedPage(url, { joins = 0 } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
  const refuse = { armed: false, joins, refused: [] };
  const sent = [];
  const answer = (ws, id, code, message) =>
    ws.send(`43/chess,${id}${JSON.stringify([{ ok: false, error: { code, message } }])}`);
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((m) => {
      const ack = typeof m === "string" && refuse.armed ? /^42\/chess,(\d+)\["move",/.exec(m) : null;
      if (ack) {
        refuse.armed = false;
        refuse.refused.push(m);
        return answer(ws, ack[1], "not_a_player", "you do not play in this game");
      }
      const join = typeof m === "string" && refuse.joins > 0 ? /^42\/chess,(\d+)\["join",/.exec(m) : null;
      if (join) {
        refuse.joins--;
        refuse.refused.push(m);
        return answer(ws, join[1], "unavailable", "the game server cannot store changes now; try again");
      }
      if (typeof m === "string") sent.push(m);
      upstream.send(m);
    });
    upstream.onMessage((m) => ws.send(m));
  });
  const page = await context.newPage();
  page.setDefaultTimeout(CAP);
  page.on("pageerror", (e) => errors.push(`${url}: ${e.message}`));
  await page.goto(url);
  return { page, refuse, sent };
}

const frames = (sent, event) =>
  sent.filter((m) => m.startsWith("42/chess,")).map((m) => JSON.parse(m.slice(m.indexOf("[")))).filter((a) => a[0] === event);

test("a move refused with not_a_player: the page joins again with its token and replays nothing", async () => {
  const alice = await routedPage(`${server.url}/chess/`);
  await alice.page.fill("#name", "alice");
  await alice.page.click("text=White");
  await Promise.all([alice.page.waitForURL(/\/chess\/[a-z0-9_-]{8,}$/), alice.page.click("#create")]);
  const gameUrl = alice.page.url();
  const id = gameUrl.split("/").at(-1);
  const bob = await openPage(gameUrl);
  await bob.waitForSelector('#player-bottom.you[data-color="black"]');
  await waitForTurn(alice.page);
  const token = await alice.page.evaluate((g) => localStorage.getItem(`kibitz.chess.token.${g}`), id);
  assert.ok(token);
  const joinsBefore = frames(alice.sent, "join").length;

  alice.refuse.armed = true;
  await move(alice.page, "e2", "e4");
  await alice.page.waitForFunction(() => /lost your seat/.test(document.getElementById("status").textContent));
  assert.equal(alice.refuse.refused.length, 1);
  // Joined again once, with the seat's token; the move was not sent again.
  const joins = frames(alice.sent, "join").slice(joinsBefore);
  assert.equal(joins.length, 1, JSON.stringify(joins));
  assert.deepEqual(joins[0][1], { game: id, name: "alice", token });
  assert.equal(frames(alice.sent, "move").length, 0);
  await expectPiece(alice.page, "e2", "white pawn", "the refused move is taken back on the board");
  await shot(alice.page, "rejoin-1-refused", "chess");

  // The player plays it again: played once, seen by both.
  await waitForTurn(alice.page);
  await move(alice.page, "e2", "e4");
  for (const p of [alice.page, bob]) await waitForMoves(p, 1);
  assert.equal(frames(alice.sent, "move").length, 1);
  await expectPiece(bob, "e4", "white pawn", "the opponent sees the move");
  assert.deepEqual(errors, []);
});

test("a join answered unavailable (the game's node died, not yet taken over) is asked again by itself", async () => {
  const alice = await openPage(`${server.url}/chess/`);
  await alice.fill("#name", "alice");
  await alice.click("text=White");
  await Promise.all([alice.waitForURL(/\/chess\/[a-z0-9_-]{8,}$/), alice.click("#create")]);
  const bob = await routedPage(alice.url(), { joins: 2 });
  await bob.page.waitForSelector('#player-bottom.you[data-color="black"]');
  assert.equal(bob.refuse.refused.length, 2);
  assert.equal(frames(bob.sent, "join").length, 1, "the third join reached the server");
  await alice.waitForSelector("#status:has-text('Your move')");
  assert.deepEqual(errors, []);
});
