// web/chess/seat.js under node --test: when the chess page decides that the server forgot its
// seat (and joins again with the token), and that it joins once at a time.

import { test } from "node:test";
import assert from "node:assert/strict";
import { oneAtATime, seatForgotten, seatShownGone } from "../../web/chess/seat.js";

const refused = (code) => ({ ok: false, error: { code, message: "no" } });

test("a request refused with not_a_player means a forgotten seat only for a seated page", () => {
  assert.equal(seatForgotten("white", refused("not_a_player")), true);
  assert.equal(seatForgotten("black", refused("not_a_player")), true);
  assert.equal(seatForgotten("spectator", refused("not_a_player")), false);
  assert.equal(seatForgotten(null, refused("not_a_player")), false);
  for (const code of ["not_your_turn", "illegal_move", "stale_ply", "unavailable", "game_over"])
    assert.equal(seatForgotten("white", refused(code)), false, code);
  assert.equal(seatForgotten("white", { ok: true }), false);
  assert.equal(seatForgotten("white", undefined), false);
});

test("a game showing the page's own seat disconnected while the page is connected", () => {
  const g = (white, status = "started") => ({ status, connected: { white, black: true } });
  assert.equal(seatShownGone("white", g(false), true), true);
  assert.equal(seatShownGone("white", g(true), true), false);
  assert.equal(seatShownGone("white", g(false), false), false, "the page is offline itself");
  assert.equal(seatShownGone("white", g(false, "ended"), true), false, "an ended game");
  assert.equal(seatShownGone("spectator", g(false), true), false);
  assert.equal(seatShownGone("black", g(false), true), false);
  assert.equal(seatShownGone("white", {}, true), false, "no connected field");
});

test("joins run one at a time: a call while one runs shares it; the next call starts another", async () => {
  let runs = 0;
  let release;
  const join = oneAtATime(() => {
    runs++;
    return new Promise((r) => (release = r));
  });
  const a = join();
  const b = join();
  assert.equal(a, b);
  await Promise.resolve();
  assert.equal(runs, 1);
  release("first");
  assert.equal(await a, "first");
  const c = join();
  assert.notEqual(c, a);
  await Promise.resolve();
  assert.equal(runs, 2);
  release("second");
  assert.equal(await c, "second");
  // A join that fails does not block the next one.
  const failing = oneAtATime(() => Promise.reject(new Error("down")));
  await assert.rejects(failing());
  await assert.rejects(failing());
});
