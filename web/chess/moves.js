// Pure helpers of the chess page: positions of a replay from the UCI moves, and moves typed on
// the keyboard (SAN such as e4, Nf3, exd5, O-O, e8=Q, or UCI such as e2e4), checked against the
// server's legal-move list. No chess rules here beyond what the legal list already decided.

export const START_FEN = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";

// The piece placement as 8 ranks (rank 8 first) of 8 cells, each a FEN letter or "".
function parsePlacement(fen) {
  return fen.split(" ")[0].split("/").map((rank) => {
    const cells = [];
    for (const ch of rank) {
      if (/\d/.test(ch)) for (let i = 0; i < Number(ch); i++) cells.push("");
      else cells.push(ch);
    }
    return cells;
  });
}

function placementText(board) {
  return board.map((rank) => {
    let out = "";
    let empty = 0;
    for (const c of rank) {
      if (!c) { empty++; continue; }
      if (empty) out += empty;
      empty = 0;
      out += c;
    }
    return out + (empty ? empty : "");
  }).join("/");
}

const at = (sq) => [8 - Number(sq[1]), sq.charCodeAt(0) - 97]; // [row, col]

// Applies one legal UCI move to the placement: castling moves the rook too, a pawn taking on
// an empty square takes en passant, a fifth letter promotes.
function applyUci(board, uci) {
  const [fr, fc] = at(uci.slice(0, 2));
  const [tr, tc] = at(uci.slice(2, 4));
  let piece = board[fr][fc];
  const white = piece === piece.toUpperCase();
  if (/[kK]/.test(piece) && Math.abs(tc - fc) === 2) {
    const [rookFrom, rookTo] = tc > fc ? [7, 5] : [0, 3];
    board[fr][rookTo] = board[fr][rookFrom];
    board[fr][rookFrom] = "";
  }
  if (/[pP]/.test(piece) && fc !== tc && !board[tr][tc]) board[fr][tc] = "";
  if (uci.length === 5) piece = white ? uci[4].toUpperCase() : uci[4];
  board[tr][tc] = piece;
  board[fr][fc] = "";
}

// The placement (FEN's first field) after the first `n` of `moves` from `startFen`.
export function placementAfter(moves, n, startFen = START_FEN) {
  const board = parsePlacement(startFen);
  for (const uci of moves.slice(0, n)) applyUci(board, uci);
  return placementText(board);
}

// The UCI move of `legal` that the typed `text` names in the position `fen`, or null (with the
// reason) when it names none or more than one.
export function parseTyped(text, legal, fen) {
  const raw = text.trim();
  if (!raw) return { uci: null, why: "" };
  const lower = raw.toLowerCase();
  if (legal.includes(lower)) return { uci: lower, why: "" };
  const board = parsePlacement(fen);
  const pieceAt = (sq) => { const [r, c] = at(sq); return board[r][c]; };
  const castle = raw.replace(/[+#!?\s]/g, "").toUpperCase().replace(/0/g, "O");
  if (castle === "O-O" || castle === "O-O-O" || castle === "OO" || castle === "OOO") {
    const side = castle.replace(/-/g, "").length === 2 ? "g" : "c";
    const found = legal.filter((m) => /[kK]/.test(pieceAt(m.slice(0, 2))) &&
      m[0] === "e" && m[2] === side && m[1] === m[3]);
    return found.length === 1 ? { uci: found[0], why: "" } : { uci: null, why: "cannot castle" };
  }
  const m = raw.replace(/[+#!?x:\s]/g, "").replace("=", "")
    .match(/^([KQRBN])?([a-h])?([1-8])?([a-h][1-8])([QRBNqrbn])?$/);
  if (!m) return { uci: null, why: `"${raw}" is not a move` };
  const [, role, file, rank, dest, promo] = m;
  const found = legal.filter((u) => {
    const p = pieceAt(u.slice(0, 2)).toUpperCase();
    if (u.slice(2, 4) !== dest) return false;
    if ((role ?? "P") !== p) return false;
    if (file && u[0] !== file) return false;
    if (rank && u[1] !== rank) return false;
    if (u.length === 5) return u[4] === (promo ?? "q").toLowerCase();
    return !promo;
  });
  if (found.length === 1) return { uci: found[0], why: "" };
  return { uci: null, why: found.length ? `"${raw}" is ambiguous` : `"${raw}" is not legal here` };
}
