// A database written by an older build: game ids with upper-case letters and seat tokens in
// plain text. After the upgrade (store migrations 3 and 4 and the start-up token hashing) the game has
// a lower-case id, its old id still works (socket events, the page, the PGN by a 301), the old
// token still takes the seat, and no token is left in plain text.

import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { call, client, close, newGame, play, startChess } from "./helpers.mjs";

function sql(db, script) {
  const py = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n" +
    "rows = [list(r) for r in c.execute(sys.argv[2])] if sys.argv[2].lstrip().upper().startswith('SELECT') " +
    "else c.executescript(sys.argv[2]) and []\nc.commit()\nprint(repr(rows))";
  const r = spawnSync("/usr/bin/python3", ["-c", py, db, script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe("/chess games from an older build", () => {
  const dirs = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("keeps working under a lower-case id with hashed tokens", async () => {
    let server = await startChess();
    dirs.push(server.dir);
    const g = await newGame(server.url);
    await play(g, ["e2e4", "e7e5"]);
    close(g.white, g.black);
    await server.stop();
    // As an older build stored it: an upper-case id, plain tokens, schema version 2.
    const db = path.join(server.dir, "kibitz.db");
    const old = "OldGame12AbC";
    sql(db, `DROP INDEX games_finished; ALTER TABLE games DROP COLUMN takeback_offer; ALTER TABLE games DROP COLUMN clock_history; ALTER TABLE games DROP COLUMN white_lag_ms; ALTER TABLE games DROP COLUMN black_lag_ms; ALTER TABLE games DROP COLUMN ended_at;
      DROP TABLE game_aliases; DROP TABLE identities; DROP INDEX messages_from_key; DROP INDEX messages_to_key; ALTER TABLE messages DROP COLUMN action; ALTER TABLE messages DROP COLUMN mentions; ALTER TABLE messages DROP COLUMN edited; ALTER TABLE messages DROP COLUMN deleted;
      PRAGMA user_version = 2;
      UPDATE games SET id = '${old}', white_token = 'plainWhite0123456789ab',
        black_token = 'plainBlack0123456789ab' WHERE id = '${g.id}';`);

    server = await startChess({ dir: server.dir });
    try {
      const tokens = sql(db, "SELECT id, white_token, black_token FROM games");
      assert.doesNotMatch(tokens, /plain/, "no token left in plain text");
      assert.match(tokens, /'oldgame12abc', '[0-9a-f]{64}', '[0-9a-f]{64}'/);
      const res = await fetch(`${server.url}/chess/games/${old}.pgn`, { redirect: "manual" });
      assert.equal(res.status, 301);
      assert.equal(res.headers.get("location"), "/chess/games/oldgame12abc.pgn");
      const pgn = await fetch(`${server.url}/chess/games/${old}.pgn`);
      assert.equal(pgn.status, 200);
      assert.match(await pgn.text(), /1\. e4 e5/);
      assert.equal((await fetch(`${server.url}/chess/${old}`)).status, 200, "the page still loads");
      const black = await client(server.url);
      const joined = await call(black, "join", { game: old, name: "bob", token: "plainBlack0123456789ab" });
      assert.equal(joined.seat, "black", "the old plain token still takes the seat");
      assert.equal(joined.game.id, "oldgame12abc");
      const white = await client(server.url);
      await call(white, "join", { game: "oldgame12abc", name: "alice", token: "plainWhite0123456789ab" });
      const moved = await call(white, "move", { game: old, uci: "g1f3", ply: 2 });
      assert.equal(moved.ok, true);
      assert.equal(moved.game.id, "oldgame12abc");
      close(black, white);
    } finally {
      await server.stop();
    }
  });
});
