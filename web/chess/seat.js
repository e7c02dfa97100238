// Signs that the chess server no longer counts this page's connection in its seat, for
// web/chess/chess.js: a request refused with `not_a_player` while the page holds a seat, or a
// `game` event that shows the page's own seat disconnected while the page is connected (in a
// cluster, a game's new owner may not know every connection yet). The page then joins again
// with the seat's token, once at a time; the refused request is not sent again: the user
// sees why and acts again.

export const isSeat = (seat) => seat === "white" || seat === "black";

// True when `ack` (a refused request's answer) says the server forgot the seat `seat`.
export function seatForgotten(seat, ack) {
  return isSeat(seat) && ack?.ok === false && ack.error?.code === "not_a_player";
}

// True when game `g` shows the seat `seat` without a connection although the page is connected.
export function seatShownGone(seat, g, connected) {
  return isSeat(seat) && connected && g?.status !== "ended" && g?.connected?.[seat] === false;
}

// Runs `join` (async) at most once at a time; a call while one runs joins that one.
export function oneAtATime(join) {
  let running = null;
  return () => {
    if (!running) running = Promise.resolve().then(join).finally(() => (running = null));
    return running;
  };
}
