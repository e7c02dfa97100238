#!/usr/bin/python3
"""Differential perft test: `kibitz-chess divide` against Debian's stockfish `go perft`.

Usage: stockfish_diff.py KIBITZ_CHESS [--positions N] [--seed S]

The engine is $STOCKFISH when set, else `stockfish` on the PATH, else /usr/games/stockfish.

Walks seeded random games from the start position and the chessprogramming.org perft positions
(stockfish picks nothing: it only lists legal moves and prints FENs), samples a few hundred
positions along the way, and compares the per-move divide counts at depth 3 (depth 4 for every
tenth position). Exits 0 when every count agrees, 1 on the first disagreement (printing the FEN
and the differing moves), and 77 (CTest SKIP_RETURN_CODE) when stockfish is not installed.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import time

SKIP = 77
STARTS = [
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
    "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1",
    "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1",
    "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8",
    "r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10",
]


def find_stockfish():
    if "STOCKFISH" in os.environ:
        given = os.environ["STOCKFISH"]
        return given if os.access(given, os.X_OK) else None
    found = shutil.which("stockfish")
    if found:
        return found
    if os.access("/usr/games/stockfish", os.X_OK):
        return "/usr/games/stockfish"
    return None


class Stockfish:
    """One stockfish process spoken to over UCI on its standard input and output."""

    def __init__(self, path):
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.send("uci")
        self.read_until(lambda line: line == "uciok")

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def read_until(self, done):
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("stockfish exited")
            line = line.strip()
            lines.append(line)
            if done(line):
                return lines

    def divide(self, fen, depth, moves=()):
        """{uci: count} for each legal move, from `go perft depth`."""
        suffix = " moves " + " ".join(moves) if moves else ""
        self.send("position fen " + fen + suffix)
        self.send("go perft %d" % depth)
        lines = self.read_until(lambda line: line.startswith("Nodes searched"))
        return parse_divide(lines)

    def fen(self, fen, moves):
        self.send("position fen " + fen + (" moves " + " ".join(moves) if moves else ""))
        self.send("d")
        lines = self.read_until(lambda line: line.startswith("Checkers:"))
        return next(line[len("Fen: "):] for line in lines if line.startswith("Fen: "))

    def close(self):
        self.send("quit")
        self.proc.wait(timeout=10)


def parse_divide(lines):
    counts = {}
    for line in lines:
        move, sep, count = line.partition(": ")
        if sep and count.isdigit() and 4 <= len(move) <= 5 and move[1].isdigit():
            counts[move] = int(count)
    return counts


def kibitz_divide(binary, fen, depth):
    out = subprocess.run([binary, "divide", str(depth), fen], capture_output=True, text=True,
                         timeout=120)
    if out.returncode != 0:
        raise RuntimeError("kibitz-chess failed on %s: %s" % (fen, out.stderr.strip()))
    lines = out.stdout.splitlines()
    counts = parse_divide(lines)
    if int(lines[-1]) != sum(counts.values()):
        raise RuntimeError("kibitz-chess total disagrees with its own lines on " + fen)
    return counts


def sample_positions(engine, rng, wanted):
    """FENs sampled from seeded random walks, cycling over the start positions."""
    fens = []
    walk = 0
    while len(fens) < wanted:
        start = STARTS[walk % len(STARTS)]
        walk += 1
        moves = []
        for ply in range(rng.randint(10, 90)):
            legal = sorted(engine.divide(start, 1, moves))
            if not legal:
                break
            moves.append(rng.choice(legal))
            if ply % 7 == 6:
                fens.append(engine.fen(start, moves))
        fens.append(engine.fen(start, moves))
    return fens[:wanted]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kibitz_chess")
    parser.add_argument("--positions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20240501)
    args = parser.parse_args()

    path = find_stockfish()
    if path is None:
        print("stockfish not installed: skipping")
        return SKIP
    began = time.monotonic()
    engine = Stockfish(path)
    rng = random.Random(args.seed)
    fens = STARTS + sample_positions(engine, rng, args.positions)
    nodes = 0
    for i, fen in enumerate(fens):
        depth = 4 if i % 10 == 0 else 3
        expected = engine.divide(fen, depth)
        actual = kibitz_divide(args.kibitz_chess, fen, depth)
        if actual != expected:
            print("MISMATCH at depth %d: %s" % (depth, fen))
            for move in sorted(set(expected) | set(actual)):
                if expected.get(move) != actual.get(move):
                    print("  %s: stockfish %s, kibitz %s" % (move, expected.get(move),
                                                             actual.get(move)))
            engine.close()
            return 1
        nodes += sum(expected.values())
    engine.close()
    print("%d positions agree with stockfish (%d leaf nodes) in %.1f s"
          % (len(fens), nodes, time.monotonic() - began))
    return 0


if __name__ == "__main__":
    sys.exit(main())
