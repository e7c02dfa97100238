// Fault: `kill -9` of the server under chat and chess load, again and again on one data
// directory. After each restart every acked chat message is in the history exactly once and every
// acked chess move is in its game at its ply; at the end SQLite's integrity_check says "ok".

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ChatLoad,
  ChessLoad,
  checkChatMessages,
  checkChessMoves,
  figure,
  integrityCheck,
  pick,
  startKibitz,
  tempDir,
} from "./lib.mjs";
import { withTimeout } from "../interop/lib/server.mjs";

const ROUNDS = pick(2, 8);
const ACKS_BEFORE_KILL = pick(60, 400);

// Resolves once `load` has at least `n` acks, checking on every ack.
function acksReached(loads, n) {
  return withTimeout(
    new Promise((resolve) => {
      const timer = setInterval(() => {
        const total = loads.reduce((sum, l) => sum + (l.acked.size ?? l.acked.length), 0);
        if (total >= n) {
          clearInterval(timer);
          resolve(total);
        }
      }, 5);
    }),
    60_000,
    `${n} acks under load`,
  );
}

test(`kill -9 under chat and chess load, ${ROUNDS} rounds: nothing acked is lost`, async () => {
  const data = tempDir();
  const chats = [];
  const chesses = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startKibitz(data.dir);
      // The previous rounds' acks must all be there before this round adds its own.
      if (round > 0) {
        const { checked } = await checkChatMessages(server.url, chats, "faults");
        const games = await checkChessMoves(server.url, { acked: chesses.flatMap((c) => c.acked) });
        figure(`round ${round}: after restart, ${checked} acked messages and the moves of ${games} games found`);
      }
      const chat = new ChatLoad(server.url, { round, senders: 3, window: 4 });
      const chess = new ChessLoad(server.url, { games: 2, seed: round + 1 });
      await chat.start();
      await chess.start();
      const total = await acksReached([chat, chess], ACKS_BEFORE_KILL);
      server.proc.kill("SIGKILL");
      const { signal } = await server.exited;
      assert.equal(signal, "SIGKILL");
      await Promise.all([chat.stop(), chess.stop()]);
      assert.ok(chat.sent.length > chat.acked.size, "the kill came with messages in flight");
      figure(`round ${round}: SIGKILL after ${total} acks (${chat.acked.size} messages, ${chess.acked.length} moves)`);
      chats.push(chat);
      chesses.push(chess);
    }
    const server = await startKibitz(data.dir);
    try {
      const { checked, stored } = await checkChatMessages(server.url, chats, "faults");
      const games = await checkChessMoves(server.url, { acked: chesses.flatMap((c) => c.acked) });
      const moves = chesses.reduce((sum, c) => sum + c.acked.length, 0);
      figure(`after ${ROUNDS} kills: ${checked} acked messages of ${stored} stored, ${moves} acked moves in ${games} games, 0 lost`);
    } finally {
      const { code } = await server.stop();
      assert.equal(code, 0);
    }
    assert.equal(integrityCheck(data.dir), "ok");
  } finally {
    data.cleanup();
  }
});
