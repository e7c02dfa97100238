// Clients of the cluster fault tests that behave as the pages do behind a load balancer:
// socket.io-client with its own reconnection and its default transports (polling first, then
// the upgrade, so HAProxy's SRV cookie pins each session to its node), joining again with
// their tokens on every reconnect. Which node a client is on is the SRV cookie HAProxy gave its
// Engine.IO session (each session has a cookie jar of its own: a reconnect is balanced anew).

import assert from "node:assert/strict";
import { Events } from "../interop/chat/chat.mjs";
import { connect } from "./lib.mjs";

export const CALL_MS = 5000;
// The clients' reconnection backoff (socket.io-client's defaults are 1 s to 5 s, randomised).
export const RECONNECT = { reconnectionDelay: 250, reconnectionDelayMax: 1000, randomizationFactor: 0 };
const RETRY_MS = 200; // a client's pause before asking again after `unavailable`

// The node (HAProxy's server name) of a socket's current session, or undefined.
export const nodeOf = (s) => s.io.engine?._cookieJar?._cookies?.get("SRV")?.value;

// A connected socket on `nsp` through `url`; `connects` holds the time of every connect.
export async function openSocket(url, nsp, { reconnection = true } = {}) {
  const s = await connect(url, nsp, {
    withCredentials: true, reconnection, transports: ["polling", "websocket"], ...RECONNECT,
  });
  s.connects = [Date.now()];
  s.on("connect", () => s.connects.push(Date.now()));
  return s;
}

// Hands out sockets on a given node: opens sockets (round robin spreads them) and keeps the
// ones of the other node for later.
export class Placer {
  constructor(open) {
    this.open = open;
    this.spare = new Map();
    this.opened = [];
  }

  async on(node) {
    for (let i = 0; i < 10; i++) {
      const kept = this.spare.get(node);
      if (kept?.length) return kept.shift();
      const s = await this.open();
      this.opened.push(s);
      const at = nodeOf(s);
      if (!this.spare.has(at)) this.spare.set(at, []);
      this.spare.get(at).push(s);
    }
    throw new Error(`no socket on ${node} in 10 tries`);
  }

  closeAll() {
    for (const s of this.opened) s.disconnect();
  }
}

export const call = (s, event, payload) => s.timeout(CALL_MS).emitWithAck(event, payload);

// Asks until the answer is not `unavailable` (a game whose owner died comes back once its claim
// expired), while the socket is connected; resolves with the last answer.
async function untilAvailable(s, event, payload) {
  for (;;) {
    const ack = await call(s, event, payload).catch(() => null);
    if (ack && ack.error?.code !== "unavailable") return ack;
    if (!s.connected) return ack;
    await new Promise((r) => setTimeout(r, RETRY_MS)); // the client's own backoff
  }
}

// A /chat user on `socket`: joins `room` as `name`, and again with its token on every
// reconnect, as web/chat-client.js does. `joins` holds the time of every accepted join.
export async function chatUser(socket, name, room) {
  const u = { socket, name, rec: new Events(socket), token: null, joins: [] };
  const join = async () => {
    const ack = await untilAvailable(socket, "join", { name, room, ...(u.token ? { token: u.token } : {}) });
    if (ack?.ok) {
      u.token = ack.token;
      u.joins.push(Date.now());
    }
    return ack;
  };
  const first = await join();
  assert.equal(first?.ok, true, `${name}: ${JSON.stringify(first)}`);
  socket.on("connect", () => join());
  return u;
}

// A /chess user on `socket`: `games` records every `game` event; once seated (sit()) it joins
// its game again with its token on every reconnect, as web/chess/chess.js does, asking again
// while the game is `unavailable`. `joins` holds the time of every accepted join.
export function chessUser(socket) {
  const u = { socket, games: [], joins: [], seat: null, join: null };
  socket.on("game", (g) => u.games.push({ ...g, at: Date.now() })); // `at`: when it came
  u.sit = (join) => {
    u.join = { ...join };
    return u.rejoin();
  };
  u.rejoin = async () => {
    const ack = await untilAvailable(socket, "join", u.join);
    u.lastAck = ack;
    if (ack?.ok) {
      u.seat = ack.seat;
      u.joinV = ack.game.v;
      if (ack.token) u.join.token = ack.token;
      u.joins.push(Date.now());
    }
    return ack;
  };
  socket.on("connect", () => u.join && u.rejoin());
  return u;
}

// The last `game` event a user saw for `id`.
export const lastGame = (u, id) => u.games.filter((g) => g.id === id).at(-1);
